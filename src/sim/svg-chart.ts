// A hand-written SVG bar chart: success and escalation rate per policy with 95% CI error bars.

import type { BenchJson, PolicyName } from './bench.js';
import { POLICY_NAMES } from './bench.js';

const LABEL: Record<PolicyName, string> = {
  q_learning: 'Q-learning + guard',
  rules: 'rules + guard',
  random: 'random + guard',
  q_learning_no_guard: 'Q-learning, no guard',
};

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Renders the chart (640×360). Escalation = 1 − non-escalation; its CI is the same half-width. */
export function renderChart(json: BenchJson): string {
  const W = 640;
  const H = 360;
  const left = 60;
  const bottom = 300;
  const top = 40;
  const plotH = bottom - top;
  const group = (W - left - 20) / POLICY_NAMES.length;
  const bar = group / 3;
  const y = (v: number) => bottom - Math.max(0, Math.min(1, v)) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">Success and escalation per policy (mean ± 95% CI, ${json.seeds.length} seeds)</text>`,
  ];
  for (let t = 0; t <= 10; t += 2) {
    const v = t / 10;
    parts.push(`<line x1="${left}" x2="${W - 20}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${t * 10}%</text>`);
  }
  parts.push(
    `<line x1="${left}" x2="${W - 20}" y1="${y(json.oracle.mean)}" y2="${y(json.oracle.mean)}" stroke="#2a7" stroke-dasharray="5,4"/>`,
  );
  parts.push(
    `<text x="${W - 22}" y="${y(json.oracle.mean) - 4}" text-anchor="end" fill="#2a7">oracle ${(json.oracle.mean * 100).toFixed(1)}%</text>`,
  );
  POLICY_NAMES.forEach((name, i) => {
    const p = json.policies[name];
    const series = [
      { v: p.success.mean, ci: p.success.ci95, color: '#3b6fb6' },
      { v: 1 - p.non_escalation.mean, ci: p.non_escalation.ci95, color: '#e08a2c' },
    ];
    series.forEach((s, k) => {
      const x = left + i * group + bar * (0.5 + k);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(s.v).toFixed(1)}" width="${(bar - 4).toFixed(1)}" height="${(bottom - y(s.v)).toFixed(1)}" fill="${s.color}"/>`,
      );
      const cx = x + (bar - 4) / 2;
      parts.push(
        `<line x1="${cx.toFixed(1)}" x2="${cx.toFixed(1)}" y1="${y(s.v + s.ci).toFixed(1)}" y2="${y(s.v - s.ci).toFixed(1)}" stroke="#222"/>`,
      );
      for (const e of [s.v + s.ci, s.v - s.ci])
        parts.push(
          `<line x1="${(cx - 5).toFixed(1)}" x2="${(cx + 5).toFixed(1)}" y1="${y(e).toFixed(1)}" y2="${y(e).toFixed(1)}" stroke="#222"/>`,
        );
      parts.push(
        `<text x="${cx.toFixed(1)}" y="${(y(s.v + s.ci) - 4).toFixed(1)}" text-anchor="middle" font-size="10">${(s.v * 100).toFixed(1)}</text>`,
      );
    });
    parts.push(
      `<text x="${(left + i * group + group / 2).toFixed(1)}" y="${bottom + 18}" text-anchor="middle">${esc(LABEL[name])}</text>`,
    );
  });
  parts.push(
    `<rect x="${left}" y="${H - 30}" width="12" height="12" fill="#3b6fb6"/><text x="${left + 18}" y="${H - 20}">success</text>`,
  );
  parts.push(
    `<rect x="${left + 100}" y="${H - 30}" width="12" height="12" fill="#e08a2c"/><text x="${left + 118}" y="${H - 20}">escalation</text>`,
  );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

// Small SVG charts for the dashboard, drawn on the server (no client library): a line chart over
// days and a stacked bar chart per category. Every label is escaped.

import { escapeHtml } from './html.js';

const W = 560;
const H = 220;
const PAD = { left: 48, right: 16, top: 16, bottom: 36 };

/** One series over ordered x labels; `undefined` values are gaps. */
export function lineChart(
  title: string,
  labels: readonly string[],
  values: readonly (number | undefined)[],
  options: { unit?: string; max?: number; threshold?: number } = {},
): string {
  const defined = values.filter((v): v is number => v !== undefined);
  const max = options.max ?? Math.max(1e-9, ...defined, options.threshold ?? 0);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (labels.length <= 1 ? plotW / 2 : (i * plotW) / (labels.length - 1));
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const points = values
    .map((v, i) => (v === undefined ? undefined : `${x(i).toFixed(1)},${y(v).toFixed(1)}`))
    .filter(Boolean)
    .join(' ');
  const dots = values
    .map((v, i) =>
      v === undefined
        ? ''
        : `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3"><title>${escapeHtml(`${labels[i]}: ${fmt(v)}${options.unit ?? ''}`)}</title></circle>`,
    )
    .join('');
  const threshold =
    options.threshold === undefined
      ? ''
      : `<line class="threshold" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(options.threshold)}" y2="${y(options.threshold)}"/>`;
  return frame(title, max, options.unit, labels, x, `${threshold}<polyline points="${points}"/>${dots}`);
}

/** Stacked bars: one bar per category, one segment per series. */
export function stackedBars(
  title: string,
  categories: readonly string[],
  series: readonly { name: string; className: string; values: readonly number[] }[],
): string {
  const totals = categories.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const band = plotW / Math.max(1, categories.length);
  const bars: string[] = [];
  categories.forEach((c, i) => {
    let base = 0;
    for (const s of series) {
      const v = s.values[i] ?? 0;
      if (v === 0) continue;
      const h = (v / max) * plotH;
      const top = PAD.top + plotH - ((base + v) / max) * plotH;
      bars.push(
        `<rect class="${s.className}" x="${(PAD.left + i * band + band * 0.2).toFixed(1)}" y="${top.toFixed(1)}" width="${(band * 0.6).toFixed(1)}" height="${h.toFixed(1)}"><title>${escapeHtml(`${c}: ${v} ${s.name}`)}</title></rect>`,
      );
      base += v;
    }
  });
  const legend = series
    .map(
      (s, i) =>
        `<rect class="${s.className}" x="${PAD.left + i * 110}" y="2" width="10" height="10"/><text x="${PAD.left + i * 110 + 14}" y="11">${escapeHtml(s.name)}</text>`,
    )
    .join('');
  return frame(
    title,
    max,
    '',
    categories,
    (i) => PAD.left + i * band + band / 2,
    `${bars.join('')}${legend}`,
  );
}

function frame(
  title: string,
  max: number,
  unit: string | undefined,
  labels: readonly string[],
  x: (i: number) => number,
  body: string,
): string {
  const ticks = [0, 0.5, 1]
    .map((f) => {
      const yy = PAD.top + (H - PAD.top - PAD.bottom) * (1 - f);
      return `<text class="tick" x="${PAD.left - 6}" y="${yy + 4}" text-anchor="end">${escapeHtml(fmt(max * f))}${escapeHtml(unit ?? '')}</text>`;
    })
    .join('');
  const xLabels = labels
    .map(
      (l, i) =>
        `<text class="tick" x="${x(i).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${escapeHtml(l)}</text>`,
    )
    .join('');
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}"><line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}"/><line class="axis" x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}"/>${ticks}${xLabels}${body}</svg></figure>`;
}

function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(2);
}

// The shift scenario's section of the benchmark report (report.md) and its terminal summary.

import { SHIFT_POLICIES, type ShiftResult } from './shift.js';
import type { MeanCi } from './stats.js';

const pp = (s: MeanCi) => `${(s.mean * 100).toFixed(2)}% ± ${(s.ci95 * 100).toFixed(2)} pp`;
const err = (s: MeanCi) => `${(s.mean * 100).toFixed(2)} ± ${(s.ci95 * 100).toFixed(2)} pp`;
const n = (s: MeanCi) => `${s.mean.toFixed(2)} ± ${s.ci95.toFixed(2)}`;

function rows(result: ShiftResult): string[][] {
  return SHIFT_POLICIES.map((name) => {
    const p = result.json.policies[name];
    return [name, pp(p.success_before), pp(p.success_after), n(p.unsafe_executions)];
  });
}

function opeRows(result: ShiftResult): string[][] {
  return (['ips', 'dr'] as const).map((k) => {
    const o = result.json.ope[k];
    return [k.toUpperCase(), pp(o.estimate), pp(o.true), err(o.abs_error)];
  });
}

function headline(result: ShiftResult): string {
  const p = result.json.policies;
  const gain = (p.online_q.success_after.mean - p.rules.success_after.mean) * 100;
  const unsafe = SHIFT_POLICIES.reduce((s, k) => s + p[k].unsafe_executions.mean, 0);
  const dr = result.json.ope.dr.abs_error.mean * 100;
  return (
    `online_q after the shift: ${gain >= 0 ? '+' : ''}${gain.toFixed(2)} pp over rules (target ≥ +10), ` +
    `unsafe executions ${unsafe === 0 ? '0' : unsafe.toFixed(2)} (target 0), DR error ${dr.toFixed(2)} pp (target ≤ 3)`
  );
}

/** The markdown section appended to report.md. */
export function renderShiftMarkdown(result: ShiftResult): string {
  const o = result.options;
  const table = (header: string[], body: string[][]) =>
    [
      `| ${header.join(' | ')} |`,
      `|${header.map(() => '---').join('|')}|`,
      ...body.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
  return `
## Shift scenario

${o.before} incidents before and ${o.after} after the shift per seed, seeds ${o.seeds[0]}..${o.seeds.at(-1)} (${o.seeds.length}); after the shift retry no longer fixes \`upstream_not_ready\` and \`throttling\`, \`defer\` does. The online learner starts from the static Q-table, explores within the guard (ε = ${o.epsilon}) and learns from every outcome. Mean ± 95% CI over seeds.

${table(['policy', 'success before', 'success after', 'unsafe executions'], rows(result))}

Off-policy estimate of the online learner's final policy from its own post-shift log (propensities as logged), against the success the simulation measures for that policy on the same incidents:

${table(['estimator', 'estimate', 'true', 'abs error'], opeRows(result))}

${headline(result)}.
`;
}

/** The terminal summary. */
export function renderShiftTerminal(result: ShiftResult): string {
  const width = (xs: string[][], i: number) => Math.max(...xs.map((r) => r[i]!.length));
  const fmt = (header: string[], body: string[][]) => {
    const all = [header, ...body];
    return all
      .map((r) =>
        r
          .map((c, i) => c.padEnd(width(all, i)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n');
  };
  return `\nshift scenario (${result.options.seeds.length} seeds, ${result.options.before} before / ${result.options.after} after)\n${fmt(
    ['policy', 'success before', 'success after', 'unsafe'],
    rows(result),
  )}\n${fmt(['OPE', 'estimate', 'true', 'abs error'], opeRows(result))}\n${headline(result)}\n`;
}

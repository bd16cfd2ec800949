// Renders benchmark results: the terminal table and the Markdown report (the reference's numbers
// beside ours on the reference and the held-out seeds, the classifier per family, the per-fault
// breakdown).

import { FAILURE_FAMILIES } from '../core/failure-family.js';
import type { BenchResult, PolicyName, SeedResult, SeedSetJson } from './bench.js';
import { POLICY_NAMES } from './bench.js';
import type { Fault } from './faults.js';
import { MANUAL_MINUTES } from './outcome-model.js';
import type { MeanCi } from './stats.js';

/** The reference system's published figures (Benzon 2026, 30 seeds 42..71). */
export const REFERENCE = {
  success: '74.63% ± 1.51 pp',
  non_escalation: '88.63% ± 0.89 pp',
  detector: 'P 1.0 / R 0.8 / F1 0.889',
  mttr: '5.24 min vs 3,600',
  q_vs_rules: 'within 0.19 pp',
  rules_vs_random: '+15.63 pp',
  guard_effect: 'escalation moved by ~15 pp',
} as const;

const LABEL: Record<PolicyName, string> = {
  q_learning: 'Q-learning + guard',
  rules: 'rules + guard',
  random: 'random + guard',
  q_learning_no_guard: 'Q-learning, no guard',
};

const pct = (s: MeanCi) => `${(s.mean * 100).toFixed(2)}% ± ${(s.ci95 * 100).toFixed(2)} pp`;
const num = (s: MeanCi, d = 2) => `${s.mean.toFixed(d)} ± ${s.ci95.toFixed(d)}`;

const range = (seeds: readonly number[]) =>
  seeds.length === 1 ? String(seeds[0]) : `${seeds[0]}..${seeds.at(-1)}`;
const share = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

/**
 * Per family: the classifier on the simulated incidents' logs (reference and held-out seeds), the
 * family diagnose() settles on, and the classifier on the real messages of the corpus's held-out half.
 */
function classifierRows(r: BenchResult): string[][] {
  const sim = r.json.classifier.families;
  const held = r.heldOut?.json.classifier.families;
  const corpus = r.json.classifier_corpus?.families;
  const rows = [
    [
      'family',
      `sim incidents (${range(r.json.seeds)})`,
      'log',
      'diagnosis',
      ...(held ? [`log, held-out seeds`] : []),
      ...(corpus ? ['real messages (corpus held-out)', 'accuracy'] : []),
    ],
  ];
  for (const f of FAILURE_FAMILIES)
    rows.push([
      f,
      String(sim[f].incidents),
      share(sim[f].accuracy),
      share(sim[f].diagnosis_accuracy),
      ...(held ? [share(held[f].accuracy)] : []),
      ...(corpus ? [String(corpus[f].messages), share(corpus[f].accuracy)] : []),
    ]);
  const c = r.json.classifier_corpus;
  rows.push([
    'all',
    String(FAILURE_FAMILIES.reduce((n, f) => n + sim[f].incidents, 0)),
    pct(r.json.classifier.accuracy),
    pct(r.json.classifier.diagnosis_accuracy),
    ...(r.heldOut ? [pct(r.heldOut.json.classifier.accuracy)] : []),
    ...(c ? [String(c.messages), `${share(c.accuracy)} (${c.wrong_family} wrong family)`] : []),
  ]);
  return rows;
}

const CLASSIFIER_NOTE = [
  '`log`: the error classifier on the log each simulated incident carries, against the injected',
  "fault's family (mean ± CI over seeds in the last row); the simulator writes those logs from its own",
  'templates, so they test the classifier on wordings it was built for. `diagnosis`: the family',
  'diagnose() settles on (an `unknown` log refined by unambiguous findings). The corpus column is real',
  'messages from public sources, the held-out half of test/fixtures/error-logs/corpus.json, never used',
  'to write signatures or train the fallback model.',
];

/** The headline values of one seed range, in the order of HEADLINE_METRICS. */
function headlineValues(j: SeedSetJson, mttrAll: Record<PolicyName, MeanCi>): string[] {
  const q = j.policies.q_learning;
  const rules = j.policies.rules;
  const random = j.policies.random;
  const noGuard = j.policies.q_learning_no_guard;
  const d = j.detector;
  return [
    pct(q.success),
    pct(q.non_escalation),
    pct(j.oracle),
    `${((q.success.mean / j.oracle.mean) * 100).toFixed(1)}%`,
    pct(q.correct_escalation),
    `${d.precision.mean.toFixed(3)} / ${d.recall.mean.toFixed(3)} / ${d.f1.mean.toFixed(3)}`,
    pct(j.classifier.accuracy),
    `${num(q.mttr_minutes)} min vs ${MANUAL_MINUTES.toLocaleString('en-US')}`,
    `${num(mttrAll.q_learning, 0)} min`,
    `${((q.success.mean - rules.success.mean) * 100).toFixed(2)} pp`,
    `${((rules.success.mean - random.success.mean) * 100).toFixed(2)} pp`,
    `${((1 - q.non_escalation.mean - (1 - noGuard.non_escalation.mean)) * 100).toFixed(2)} pp`,
    num(q.unsafe_executions),
    num(noGuard.unsafe_executions),
    num(q.rows_lost, 1),
  ];
}

const HEADLINE_METRICS: [string, string][] = [
  ['success (Q-learning + guard)', REFERENCE.success],
  ['non-escalation (Q-learning + guard)', REFERENCE.non_escalation],
  ['oracle ceiling', '(not reported)'],
  ['success / oracle', '(not reported)'],
  ['correct escalation (no action run)', '(not reported)'],
  ['detector P / R / F1', REFERENCE.detector],
  ['error classifier accuracy (simulated logs)', '(not reported)'],
  ['MTTR (modelled, auto-resolved)', REFERENCE.mttr],
  ['MTTR (all incidents, escalations at 3,600)', '(not reported)'],
  ['Q-learning − rules', REFERENCE.q_vs_rules],
  ['rules − random', REFERENCE.rules_vs_random],
  ['guard effect on escalation (Q)', REFERENCE.guard_effect],
  ['unsafe executions / seed (guard on, Q)', '(not reported)'],
  ['unsafe executions / seed (no guard)', '(not reported)'],
  ['rows lost / seed (guard on, Q)', '(not reported)'],
];

/** Our figures on the reference seeds, on the held-out seeds when they ran, and the reference's. */
function headline(r: BenchResult): string[][] {
  const main = headlineValues(r.json, r.mttrAll);
  const held = r.heldOut ? headlineValues(r.heldOut.json, r.heldOut.mttrAll) : undefined;
  const head = [
    'metric',
    `healer, seeds ${range(r.json.seeds)}`,
    ...(r.heldOut ? [`held-out seeds ${range(r.heldOut.json.seeds)}`] : []),
    'reference (42..71)',
  ];
  return [
    head,
    ...HEADLINE_METRICS.map(([metric, reference], k) => [
      metric,
      main[k]!,
      ...(held ? [held[k]!] : []),
      reference,
    ]),
  ];
}

function policyRows(j: SeedSetJson): string[][] {
  const rows = [
    [
      'policy',
      'success',
      'non-escalation',
      'correct escalation',
      'unsafe/seed',
      'rows lost/seed',
      'MTTR min',
    ],
  ];
  for (const name of POLICY_NAMES) {
    const p = j.policies[name];
    rows.push([
      LABEL[name],
      pct(p.success),
      pct(p.non_escalation),
      pct(p.correct_escalation),
      num(p.unsafe_executions),
      num(p.rows_lost, 1),
      num(p.mttr_minutes),
    ]);
  }
  return rows;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r, i) => {
      const line = r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
      return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

function markdownTable(rows: string[][]): string {
  const [head, ...body] = rows;
  return [
    `| ${head!.join(' | ')} |`,
    `| ${head!.map(() => '---').join(' | ')} |`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** The readable terminal summary. */
export function renderTerminal(r: BenchResult): string {
  const j = r.json;
  return [
    `healer bench: ${j.seeds.length} seeds (${j.seeds[0]}..${j.seeds.at(-1)}), ${r.options.trainIncidents} training + ${r.options.evalIncidents} evaluation incidents per seed, ${j.elapsed_seconds}s`,
    '',
    table(headline(r)),
    '',
    table(policyRows(r.json)),
    '',
    ...(r.heldOut
      ? [
          `held-out seeds ${range(r.heldOut.json.seeds)} (never tuned on)`,
          table(policyRows(r.heldOut.json)),
          '',
        ]
      : []),
    'error classifier per family',
    table(classifierRows(r)),
    '',
  ].join('\n');
}

/** Sums the per-seed breakdowns by fault. */
export function breakdownRows(perSeed: readonly SeedResult[]): string[][] {
  const sum = new Map<
    Fault,
    {
      count: number;
      fixable: number;
      tp: number;
      fp: number;
      fn: number;
      q: number[];
      rules: number[];
      ng: number[];
    }
  >();
  for (const s of perSeed)
    for (const [fault, b] of Object.entries(s.breakdown) as [
      Fault,
      NonNullable<SeedResult['breakdown'][Fault]>,
    ][]) {
      const t = sum.get(fault) ?? {
        count: 0,
        fixable: 0,
        tp: 0,
        fp: 0,
        fn: 0,
        q: [0, 0, 0],
        rules: [0, 0, 0],
        ng: [0, 0, 0],
      };
      t.count += b.count;
      t.fixable += b.fixable;
      t.tp += b.tp;
      t.fp += b.fp;
      t.fn += b.fn;
      const add = (xs: number[], p: { resolved: number; escalated: number; unsafe: number }) => {
        xs[0]! += p.resolved;
        xs[1]! += p.escalated;
        xs[2]! += p.unsafe;
      };
      add(t.q, b.policies.q_learning);
      add(t.rules, b.policies.rules);
      add(t.ng, b.policies.q_learning_no_guard);
      sum.set(fault, t);
    }
  const rows = [
    [
      'fault',
      'incidents',
      'fixable',
      'detector TP/FP/FN',
      'Q resolved/escalated/unsafe',
      'rules r/e/u',
      'Q no guard r/e/u',
    ],
  ];
  for (const [fault, t] of [...sum.entries()].sort((a, b) => b[1].count - a[1].count))
    rows.push([
      fault,
      String(t.count),
      String(t.fixable),
      `${t.tp}/${t.fp}/${t.fn}`,
      t.q.join('/'),
      t.rules.join('/'),
      t.ng.join('/'),
    ]);
  return rows;
}

function detectorErrorRows(perSeed: readonly SeedResult[]): string[][] {
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  for (const s of perSeed) {
    for (const [k, v] of Object.entries(s.detectorErrors.fp))
      fp.set(k.replace(/:.*/, ''), (fp.get(k.replace(/:.*/, '')) ?? 0) + v);
    for (const [k, v] of Object.entries(s.detectorErrors.fn))
      fn.set(k.replace(/:.*/, ''), (fn.get(k.replace(/:.*/, '')) ?? 0) + v);
  }
  const kinds = [...new Set([...fp.keys(), ...fn.keys()])].sort();
  return [
    ['finding kind', 'false positives', 'misses'],
    ...kinds.map((k) => [k, String(fp.get(k) ?? 0), String(fn.get(k) ?? 0)]),
  ];
}

/** The Markdown report written to `--out`. */
export function renderMarkdown(r: BenchResult): string {
  const j = r.json;
  return [
    '# healer benchmark',
    '',
    `Seeds ${j.seeds[0]}..${j.seeds.at(-1)} (${j.seeds.length}); per seed ${r.options.trainIncidents} training incidents, ${r.options.evalIncidents} disjoint evaluation incidents, ${r.options.episodes} training episodes; loop \`${r.options.loop}\`; ${j.elapsed_seconds} s. Mean ± 95% CI (Student t, df = n − 1) over seeds.`,
    '',
    '## Against the reference',
    '',
    markdownTable(headline(r)),
    '',
    '## Policies',
    '',
    markdownTable(policyRows(r.json)),
    '',
    '![success and escalation per policy](chart.svg)',
    '',
    ...(r.heldOut
      ? [
          `## Policies on the held-out seeds ${range(r.heldOut.json.seeds)}`,
          '',
          'The same protocol on seeds nothing was tuned on (no default, training run or shipped artifact uses them).',
          '',
          markdownTable(policyRows(r.heldOut.json)),
          '',
        ]
      : []),
    '## Error classifier per family',
    '',
    markdownTable(classifierRows(r)),
    '',
    ...CLASSIFIER_NOTE,
    '',
    '## Per fault (summed over seeds)',
    '',
    markdownTable(breakdownRows(r.perSeed)),
    '',
    '## Detector errors by finding kind (summed over seeds)',
    '',
    markdownTable(detectorErrorRows(r.perSeed)),
    '',
  ].join('\n');
}

// The benchmark: per seed, train Q-learning on one set of incidents and evaluate every policy on a
// disjoint set through the real agent loop; detectors and the error classifier are scored against
// the injected ground truth. The same protocol runs on the held-out seeds, reported beside.

import { handleIncident } from '../agent.js';
import { isActiveAction } from '../core/action.js';
import { decide } from '../core/decide.js';
import { incidentPolicy } from '../core/policy/incident-policy.js';
import type { Policy } from '../core/policy/policy.js';
import { RandomPolicy } from '../core/policy/random-policy.js';
import { RulePolicy } from '../core/policy/rule-policy.js';
import { validate } from '../core/validate.js';
import {
  type ClassifierJson,
  type ClassifierTally,
  type CorpusMessage,
  type CorpusScoreJson,
  classifierJson,
  scoreCorpus,
  tallyClassifier,
} from './classifier-score.js';
import type { Fault } from './faults.js';
import {
  MANUAL_MINUTES,
  remediationResult,
  type SimOutcome,
  STEP_MINUTES,
  simulateAction,
} from './outcome-model.js';
import { generateIncidents, type SimIncident } from './scenarios.js';
import { SIM_ACTIONS, SIM_AUTHORITY } from './sim-authority.js';
import { createSimEnvironment } from './sim-environment.js';
import { type MeanCi, meanCi } from './stats.js';
import { DEFAULT_EPOCHS, type PreparedIncident, prepareIncident, trainPolicy } from './train.js';

export const POLICY_NAMES = ['q_learning', 'rules', 'random', 'q_learning_no_guard'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export interface BenchOptions {
  seeds: number[];
  /** Training incidents per seed. Default 300. */
  trainIncidents?: number;
  /** Evaluation incidents per seed (disjoint from training). Default 150. */
  evalIncidents?: number;
  /** Training updates per seed. Default DEFAULT_EPOCHS (40) shuffled passes over the training set. */
  episodes?: number;
  /**
   * `direct` (default): diagnose → capabilities → decide() → simulated remediator → validate(), the
   * same core calls `handleIncident` makes, without its audit hashing (about 40× faster).
   * `agent`: every incident through the real `handleIncident` over the simulated ports.
   */
  loop?: 'direct' | 'agent';
  /**
   * Seeds run with the same protocol and reported beside `seeds` under `held_out` (the CLI passes
   * 1000..1029). Nothing is tuned on them. Default none.
   */
  heldOutSeeds?: number[];
  /** Real error messages to score the classifier on (the corpus's held-out half). Default none. */
  classifierCorpus?: readonly CorpusMessage[];
  /** Called after each seed (reference seeds first, then held-out ones). */
  onProgress?: (done: number, total: number, seed: number) => void;
}

/** Metrics of one policy on one seed's evaluation set (rates as fractions of 1). */
export interface PolicyMetrics {
  success: number;
  non_escalation: number;
  /** Unfixable incidents escalated with no action run, over the unfixable incidents. */
  correct_escalation: number;
  unsafe_executions: number;
  rows_lost: number;
  /** Mean modelled minutes over incidents resolved without a human. */
  mttr_minutes: number;
  /** Mean modelled minutes over all incidents (escalations cost the manual baseline). */
  mttr_all_minutes: number;
}

/** Per fault, what happened (for the breakdown in the report). */
export interface FaultBreakdown {
  count: number;
  fixable: number;
  tp: number;
  fp: number;
  fn: number;
  /** Resolved / escalated / unsafe counts per policy. */
  policies: Record<PolicyName, { resolved: number; escalated: number; unsafe: number }>;
}

export interface SeedResult {
  seed: number;
  oracle: number;
  detector: { precision: number; recall: number; f1: number; tp: number; fp: number; fn: number };
  policies: Record<PolicyName, PolicyMetrics>;
  breakdown: Partial<Record<Fault, FaultBreakdown>>;
  /** The error classifier's families against the injected ones, per family. */
  classifier: ClassifierTally;
  /** False positives and misses by kind:column, for the report. */
  detectorErrors: { fp: Record<string, number>; fn: Record<string, number> };
}

type Stat = MeanCi;
/** The metrics of one seed range (the reference range at the top level, the held-out one under `held_out`). */
export interface SeedSetJson {
  seeds: number[];
  oracle: Stat;
  detector: { precision: Stat; recall: Stat; f1: Stat };
  policies: Record<PolicyName, Record<Exclude<keyof PolicyMetrics, 'mttr_all_minutes'>, Stat>>;
  classifier: ClassifierJson;
}

/** The JSON shape `healer bench --json` prints and `results.json` holds. */
export interface BenchJson extends SeedSetJson {
  /** The held-out seeds' metrics, same shape; present when held-out seeds ran. */
  held_out?: SeedSetJson;
  /** The classifier on real messages (corpus held-out half); present when the corpus was given. */
  classifier_corpus?: CorpusScoreJson;
  elapsed_seconds: number;
}

/** One seed range's JSON, its per-seed results and its all-incident MTTR. */
export interface SeedSetResult {
  json: SeedSetJson;
  perSeed: SeedResult[];
  /** Mean over seeds of the all-incident MTTR per policy. */
  mttrAll: Record<PolicyName, Stat>;
}

export interface BenchResult {
  json: BenchJson;
  perSeed: SeedResult[];
  /** Mean over seeds of the all-incident MTTR per policy. */
  mttrAll: Record<PolicyName, Stat>;
  heldOut?: SeedSetResult;
  options: Required<Omit<BenchOptions, 'onProgress' | 'classifierCorpus'>>;
}

/** Offset of the evaluation set: far from any training index, so the sets are disjoint. */
export const EVAL_OFFSET = 1_000_000;

/** Runs the benchmark over the seeds, then over the held-out seeds. */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const opts = {
    seeds: options.seeds,
    trainIncidents: options.trainIncidents ?? 300,
    evalIncidents: options.evalIncidents ?? 150,
    episodes: options.episodes ?? DEFAULT_EPOCHS * (options.trainIncidents ?? 300),
    loop: options.loop ?? 'direct',
    heldOutSeeds: options.heldOutSeeds ?? [],
  };
  const total = opts.seeds.length + opts.heldOutSeeds.length;
  let done = 0;
  const runSet = async (seeds: readonly number[]): Promise<SeedSetResult> => {
    const perSeed: SeedResult[] = [];
    for (const seed of seeds) {
      perSeed.push(await runSeed(seed, opts));
      options.onProgress?.(++done, total, seed);
    }
    return summariseSeeds(seeds, perSeed);
  };
  const reference = await runSet(opts.seeds);
  const heldOut = opts.heldOutSeeds.length > 0 ? await runSet(opts.heldOutSeeds) : undefined;
  const json: BenchJson = {
    ...reference.json,
    ...(heldOut ? { held_out: heldOut.json } : {}),
    ...(options.classifierCorpus ? { classifier_corpus: scoreCorpus(options.classifierCorpus) } : {}),
    elapsed_seconds: Math.round((performance.now() - started) / 10) / 100,
  };
  return {
    json,
    perSeed: reference.perSeed,
    mttrAll: reference.mttrAll,
    ...(heldOut ? { heldOut } : {}),
    options: opts,
  };
}

/** Mean ± CI over the seeds of one range. */
export function summariseSeeds(seeds: readonly number[], perSeed: readonly SeedResult[]): SeedSetResult {
  const over = (f: (s: SeedResult) => number) => meanCi(perSeed.map(f));
  const policies = Object.fromEntries(
    POLICY_NAMES.map((name) => [
      name,
      {
        success: over((s) => s.policies[name].success),
        non_escalation: over((s) => s.policies[name].non_escalation),
        correct_escalation: over((s) => s.policies[name].correct_escalation),
        unsafe_executions: over((s) => s.policies[name].unsafe_executions),
        rows_lost: over((s) => s.policies[name].rows_lost),
        mttr_minutes: over((s) => s.policies[name].mttr_minutes),
      },
    ]),
  ) as SeedSetJson['policies'];
  const json: SeedSetJson = {
    seeds: [...seeds],
    oracle: over((s) => s.oracle),
    detector: {
      precision: over((s) => s.detector.precision),
      recall: over((s) => s.detector.recall),
      f1: over((s) => s.detector.f1),
    },
    policies,
    classifier: classifierJson(perSeed.map((s) => s.classifier)),
  };
  const mttrAll = Object.fromEntries(
    POLICY_NAMES.map((n) => [n, over((s) => s.policies[n].mttr_all_minutes)]),
  ) as Record<PolicyName, Stat>;
  return { json, perSeed: [...perSeed], mttrAll };
}

async function runSeed(
  seed: number,
  opts: { trainIncidents: number; evalIncidents: number; episodes: number; loop: 'direct' | 'agent' },
): Promise<SeedResult> {
  const train = generateIncidents({ seed, count: opts.trainIncidents, offset: 0 });
  const evalSet = generateIncidents({ seed, count: opts.evalIncidents, offset: EVAL_OFFSET });
  const q = trainPolicy({ seed, episodes: opts.episodes, pool: train });
  const prepared = evalSet.map(prepareIncident);

  const breakdown: Partial<Record<Fault, FaultBreakdown>> = {};
  const row = (inc: SimIncident): FaultBreakdown => {
    let b = breakdown[inc.truth.fault];
    if (!b) {
      const empty = () => ({ resolved: 0, escalated: 0, unsafe: 0 });
      b = {
        count: 0,
        fixable: 0,
        tp: 0,
        fp: 0,
        fn: 0,
        policies: { q_learning: empty(), rules: empty(), random: empty(), q_learning_no_guard: empty() },
      };
      breakdown[inc.truth.fault] = b;
    }
    return b;
  };
  const detectorErrors = { fp: {} as Record<string, number>, fn: {} as Record<string, number> };
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const p of prepared) {
    const b = row(p.incident);
    b.count++;
    if (p.incident.truth.fixing.length > 0) b.fixable++;
    const s = scoreDetectors(p);
    tp += s.tp;
    fp += s.fp.length;
    fn += s.fn.length;
    b.tp += s.tp;
    b.fp += s.fp.length;
    b.fn += s.fn.length;
    for (const k of s.fp) detectorErrors.fp[k] = (detectorErrors.fp[k] ?? 0) + 1;
    for (const k of s.fn) detectorErrors.fn[k] = (detectorErrors.fn[k] ?? 0) + 1;
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);

  const policies = {} as Record<PolicyName, PolicyMetrics>;
  const runs: [PolicyName, Policy, 'on' | 'off'][] = [
    ['q_learning', q, 'on'],
    ['rules', new RulePolicy({ actions: SIM_ACTIONS }), 'on'],
    ['random', new RandomPolicy(seed, SIM_ACTIONS), 'on'],
    ['q_learning_no_guard', q, 'off'],
  ];
  for (const [name, policy, guardMode] of runs)
    policies[name] =
      opts.loop === 'agent'
        ? await evaluate(name, policy, guardMode, evalSet, row)
        : evaluateDirect(name, policy, guardMode, prepared, row);

  const oracle = evalSet.filter((i) => i.truth.fixing.length > 0).length / evalSet.length;
  return {
    seed,
    oracle,
    detector: { precision, recall, f1, tp, fp, fn },
    policies,
    breakdown,
    classifier: tallyClassifier(prepared),
    detectorErrors,
  };
}

/** Matches findings (kind, column; deduplicated per incident) against the injected anomalies. */
export function scoreDetectors(p: PreparedIncident): { tp: number; fp: string[]; fn: string[] } {
  const found = new Set(p.diagnosis.findings.map((f) => `${f.kind}:${f.column}`));
  const injected = new Set(p.incident.truth.anomalies.map((a) => `${a.kind}:${a.column}`));
  let tp = 0;
  const fp: string[] = [];
  const fn: string[] = [];
  for (const k of found) {
    if (injected.has(k)) tp++;
    else fp.push(k);
  }
  for (const k of injected) if (!found.has(k)) fn.push(k);
  return { tp, fp, fn };
}

// The simulated pipelines allow the resource actions too (caps and bounds in sim-authority.ts).
const AUTHORITY = SIM_AUTHORITY;
const NO_USAGE = { retriesThisRun: 0, retriesThisJobLastHour: 0, consecutiveFailedRemediations: 0 };

/** What one incident came to, whichever loop ran it. */
interface Tally {
  resolved: number;
  escalated: number;
  unfixable: number;
  correctEsc: number;
  unsafe: number;
  rowsLost: number;
  autoMinutes: number;
  allMinutes: number;
}

function emptyTally(): Tally {
  return {
    resolved: 0,
    escalated: 0,
    unfixable: 0,
    correctEsc: 0,
    unsafe: 0,
    rowsLost: 0,
    autoMinutes: 0,
    allMinutes: 0,
  };
}

function count(
  t: Tally,
  b: FaultBreakdown['policies'][PolicyName],
  incident: SimIncident,
  status: 'resolved' | 'escalated' | 'other',
  outcome: SimOutcome | undefined,
): void {
  if (status === 'resolved') {
    t.resolved++;
    b.resolved++;
    t.autoMinutes += outcome?.minutes ?? 0;
  }
  if (status === 'escalated') {
    t.escalated++;
    b.escalated++;
  }
  if (incident.truth.fixing.length === 0) {
    t.unfixable++;
    // Correct means escalated before anything ran: an escalation that follows a failed (or unsafe)
    // action already touched the pipeline, so it is not the right call, only its aftermath.
    if (status === 'escalated' && outcome === undefined) t.correctEsc++;
  }
  if (outcome?.unsafe) {
    t.unsafe++;
    b.unsafe++;
    t.rowsLost += outcome.rowsLost;
  }
  t.allMinutes += outcome?.minutes ?? STEP_MINUTES.detect + MANUAL_MINUTES;
}

function metrics(t: Tally, n: number): PolicyMetrics {
  return {
    success: t.resolved / n,
    non_escalation: (n - t.escalated) / n,
    correct_escalation: t.unfixable === 0 ? 1 : t.correctEsc / t.unfixable,
    unsafe_executions: t.unsafe,
    rows_lost: t.rowsLost,
    mttr_minutes: t.resolved === 0 ? 0 : t.autoMinutes / t.resolved,
    mttr_all_minutes: t.allMinutes / n,
  };
}

/** The core calls of handleIncident (autonomous mode, fresh budgets), without the ports and audit. */
function evaluateDirect(
  name: PolicyName,
  policy: Policy,
  guardMode: 'on' | 'off',
  prepared: readonly PreparedIncident[],
  row: (i: SimIncident) => FaultBreakdown,
): PolicyMetrics {
  const t = emptyTally();
  for (const p of prepared) {
    const decision = decide({
      diagnosis: p.diagnosis,
      // As the agent composes it (no job memory: each simulated incident is a fresh job).
      policy: incidentPolicy(policy, { capabilities: p.capabilities, authority: AUTHORITY, usage: NO_USAGE }),
      capabilities: p.capabilities,
      authority: AUTHORITY,
      usage: NO_USAGE,
      guard: guardMode,
    });
    const action = decision.verdict.final;
    let status: 'resolved' | 'escalated' | 'other' = action === 'escalate' ? 'escalated' : 'other';
    let outcome: SimOutcome | undefined;
    if (isActiveAction(action)) {
      outcome = simulateAction(p.incident, action);
      const result = remediationResult(p.incident, outcome);
      const validation = validate({ action, result, contract: p.incident.contract });
      status = validation.status === 'resolved' ? 'resolved' : 'escalated';
    }
    count(t, row(p.incident).policies[name], p.incident, status, outcome);
  }
  return metrics(t, prepared.length);
}

async function evaluate(
  name: PolicyName,
  policy: Policy,
  guardMode: 'on' | 'off',
  incidents: readonly SimIncident[],
  row: (i: SimIncident) => FaultBreakdown,
): Promise<PolicyMetrics> {
  const env = createSimEnvironment(policy);
  const t = emptyTally();
  for (const incident of incidents) {
    env.focus(incident);
    const record = await handleIncident(incident.event, env, { guard: guardMode });
    const status =
      record.status === 'resolved' ? 'resolved' : record.status === 'escalated' ? 'escalated' : 'other';
    count(t, row(incident).policies[name], incident, status, env.outcomes.get(incident.id));
  }
  return metrics(t, incidents.length);
}

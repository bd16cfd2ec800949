// The shift scenario (`healer bench --scenario shift`): a stream of incidents in which, part-way, an
// upstream moves its schedule and starts throttling harder, so that retrying (its backoff is a few
// minutes) stops fixing `upstream_not_ready` and `throttling` while deferring (waiting for the
// input or the rate window, then running the job) still does. The hand-written rules and the
// shipped static Q-table keep retrying; the online learner (guard on, exploring within the guard,
// learning from outcomes) can notice. Off-policy estimates of the learner's final policy, computed
// from its own logged propensities, are set against the value the simulation measures for it.

import type { Action } from '../core/action.js';
import { type Authority, authoritySchema } from '../core/authority.js';
import { decide } from '../core/decide.js';
import type { Capabilities, Decision } from '../core/decision.js';
import { deterministic, evaluateOffPolicy, type LoggedStep } from '../core/policy/off-policy.js';
import type { Policy } from '../core/policy/policy.js';
import type { QLearningPolicy } from '../core/policy/q-learning.js';
import { RulePolicy } from '../core/policy/rule-policy.js';
import { DEFER_FAMILIES } from '../core/safety/rules.js';
import { parseStateKey } from '../core/state.js';
import { validate } from '../core/validate.js';
import type { Fault } from './faults.js';
import { ONLINE_DEFAULTS, OnlineLearner, type OnlineLearnerOptions } from './online-learner.js';
import { remediationResult, simulateAction } from './outcome-model.js';
import { REWARD, rewardFor } from './reward.js';
import { generateIncidents, type SimIncident } from './scenarios.js';
import { type MeanCi, meanCi } from './stats.js';
import { type PreparedIncident, prepareIncident, trainPolicy } from './train.js';

/** The faults whose right fix changes at the shift: retry before, only defer after. */
export const SHIFTED_FAULTS: readonly Fault[] = ['upstream_not_ready', 'throttling'];

export const SHIFT_POLICIES = ['rules', 'static_q', 'online_q'] as const;
export type ShiftPolicyName = (typeof SHIFT_POLICIES)[number];

export interface ShiftOptions {
  seeds: number[];
  /** Incidents before the shift per seed; default 300. */
  before?: number;
  /** Incidents after the shift per seed; default 300. */
  after?: number;
  /** Training incidents of the static Q-table per seed; default 300. */
  trainIncidents?: number;
  /** Training updates of the static Q-table per seed; default 40 passes over the training set. */
  episodes?: number;
  /** Exploration of the online learner; default ONLINE_DEFAULTS.epsilon (0.05). */
  epsilon?: number;
  onProgress?: (done: number, total: number, seed: number) => void;
}

/** What one policy did on one seed (rates as fractions of 1). */
export interface ShiftPolicyMetrics {
  success_before: number;
  success_after: number;
  unsafe_executions: number;
}

export interface ShiftSeedResult {
  seed: number;
  policies: Record<ShiftPolicyName, ShiftPolicyMetrics>;
  /** Off-policy estimates of the learner's final policy on its post-shift log, and its measured value. */
  ope: { ips: number; dr: number; true: number; ess: number; n: number };
}

type Stat = MeanCi;
/** The `shift` key of results.json: every number `{ mean, ci95 }` over the seeds. */
export interface ShiftJson {
  policies: Record<ShiftPolicyName, Record<keyof ShiftPolicyMetrics, Stat>>;
  ope: Record<'ips' | 'dr', { estimate: Stat; true: Stat; abs_error: Stat }>;
}

export interface ShiftResult {
  json: ShiftJson;
  perSeed: ShiftSeedResult[];
  options: Required<Omit<ShiftOptions, 'onProgress'>>;
}

/** Incident index ranges of the stream: disjoint from training (0..) and the benchmark's evaluation. */
export const SHIFT_OFFSET = 2_000_000;

/** The deployment the scenario runs in: the core actions and `defer`, autonomous, default budgets. */
export const SHIFT_AUTHORITY: Authority = authoritySchema.parse({
  allowedActions: ['retry', 'coerce_schema', 'rollback_schema', 'quarantine', 'defer'],
});

/**
 * The incident before or after the shift. `defer` waits and then runs the job, so in the families
 * that can wait it fixes whatever a re-run fixes, before and after. After the shift, retrying no
 * longer fixes the shifted faults: the input lands hours late, the rate window outlasts the backoff.
 */
export function shiftIncident(incident: SimIncident, shifted: boolean): SimIncident {
  const t = incident.truth;
  if (!t.fixing.includes('retry') || !(DEFER_FAMILIES as readonly string[]).includes(t.family))
    return incident;
  const stillRetry = !(shifted && SHIFTED_FAULTS.includes(t.fault));
  const fixing: Action[] = [...t.fixing.filter((a) => stillRetry || a !== 'retry'), 'defer'];
  return { ...incident, truth: { ...t, fixing: [...new Set(fixing)] } };
}

/** The simulated runtime's capabilities plus `defer`, with something to wait for where a family can wait. */
function shiftCapabilities(p: PreparedIncident): Capabilities {
  const waitable = (DEFER_FAMILIES as readonly string[]).includes(p.diagnosis.classification.family);
  return {
    ...p.capabilities,
    supported: [...new Set<Action>([...p.capabilities.supported, 'defer'])],
    ...(waitable
      ? { deferCondition: `${p.incident.table.name} input to land or the rate window to pass` }
      : {}),
  };
}

interface Judged {
  success: boolean;
  unsafe: boolean;
  reward: number;
}

/** Runs the decided action on the incident, validates it, and scores it as training does. */
function judge(incident: SimIncident, decision: Decision): Judged {
  const action = decision.verdict.final;
  const outcome = simulateAction(incident, action);
  let success = false;
  if (outcome.executed) {
    const validation = validate({
      action,
      result: remediationResult(incident, outcome),
      contract: incident.contract,
    });
    success = validation.status === 'resolved';
  }
  const reward = rewardFor(incident, outcome) + (decision.verdict.overridden ? REWARD.vetoed : 0);
  return { success, unsafe: outcome.unsafe, reward };
}

export interface StreamItem {
  prepared: PreparedIncident;
  capabilities: Capabilities;
  incident: SimIncident;
  shifted: boolean;
}

function decideWith(policy: Policy, item: StreamItem): Decision {
  return decide({
    diagnosis: item.prepared.diagnosis,
    policy,
    capabilities: item.capabilities,
    authority: SHIFT_AUTHORITY,
    usage: { retriesThisRun: 0, retriesThisJobLastHour: 0, consecutiveFailedRemediations: 0 },
  });
}

function rates(stream: readonly StreamItem[], results: readonly Judged[]): ShiftPolicyMetrics {
  const share = (shifted: boolean) => {
    const idx = stream.map((s, i) => (s.shifted === shifted ? i : -1)).filter((i) => i >= 0);
    return idx.length === 0 ? 0 : idx.filter((i) => results[i]!.success).length / idx.length;
  };
  return {
    success_before: share(false),
    success_after: share(true),
    unsafe_executions: results.filter((r) => r.unsafe).length,
  };
}

/** One seed's static Q-table and incident stream (the expensive part: generation, diagnosis, training). */
export interface ShiftSeedData {
  seed: number;
  staticQ: QLearningPolicy;
  stream: StreamItem[];
}

export function prepareSeed(
  seed: number,
  opts: Pick<Required<ShiftOptions>, 'before' | 'after' | 'trainIncidents' | 'episodes'>,
): ShiftSeedData {
  const train = generateIncidents({ seed, count: opts.trainIncidents, offset: 0 });
  const staticQ = trainPolicy({ seed, episodes: opts.episodes, pool: train });
  const raw = generateIncidents({ seed, count: opts.before + opts.after, offset: SHIFT_OFFSET });
  const stream: StreamItem[] = raw.map((r, i) => {
    const shifted = i >= opts.before;
    const prepared = prepareIncident(r);
    return {
      prepared,
      capabilities: shiftCapabilities(prepared),
      incident: shiftIncident(r, shifted),
      shifted,
    };
  });
  return { seed, staticQ, stream };
}

/** Runs the three policies on one seed's stream and evaluates the learner's final policy off-policy. */
export function runSeed(data: ShiftSeedData, learnerOptions: OnlineLearnerOptions = {}): ShiftSeedResult {
  const { seed, staticQ, stream } = data;
  const rules = new RulePolicy({ actions: SHIFT_AUTHORITY.allowedActions });
  const rulesRun = stream.map((s) => judge(s.incident, decideWith(rules, s)));
  const staticRun = stream.map((s) => judge(s.incident, decideWith(staticQ, s)));

  const learner = new OnlineLearner(staticQ.toArtifact(), SHIFT_AUTHORITY, learnerOptions);
  const postShiftLog: LoggedStep[] = [];
  const onlineRun = stream.map((s) => {
    const decision = learner.decide(s.prepared.diagnosis, s.capabilities, `${seed}:${s.incident.id}`);
    const judged = judge(s.incident, decision);
    const step = learner.learn(decision, judged.reward, judged.success ? 1 : 0);
    if (s.shifted) postShiftLog.push(step);
    return judged;
  });

  // The learner's final policy, greedy (no exploration): estimated from its own post-shift log, and
  // measured by the simulation on the same post-shift incidents.
  const final = learner.policy;
  const after = stream.filter((s) => s.shifted);
  const truth =
    after.filter((s) => judge(s.incident, decideWith(final, s)).success).length / (after.length || 1);
  const target = deterministic((step) => final.propose(parseStateKey(step.state)!).action);
  const estimate = evaluateOffPolicy(postShiftLog, target, { resamples: 0 });
  return {
    seed,
    policies: {
      rules: rates(stream, rulesRun),
      static_q: rates(stream, staticRun),
      online_q: rates(stream, onlineRun),
    },
    ope: {
      ips: estimate.ips.estimate,
      dr: estimate.dr.estimate,
      true: truth,
      ess: estimate.ess,
      n: estimate.n,
    },
  };
}

/** Runs the shift scenario over the seeds. */
export async function runShift(options: ShiftOptions): Promise<ShiftResult> {
  const trainIncidents = options.trainIncidents ?? 300;
  const opts = {
    seeds: options.seeds,
    before: options.before ?? 300,
    after: options.after ?? 300,
    trainIncidents,
    episodes: options.episodes ?? 40 * trainIncidents,
    epsilon: options.epsilon ?? ONLINE_DEFAULTS.epsilon,
  };
  const perSeed: ShiftSeedResult[] = [];
  for (const [i, seed] of opts.seeds.entries()) {
    perSeed.push(runSeed(prepareSeed(seed, opts), { epsilon: opts.epsilon }));
    // Let a progress bar draw between seeds.
    await new Promise((r) => setImmediate(r));
    options.onProgress?.(i + 1, opts.seeds.length, seed);
  }
  const over = (f: (s: ShiftSeedResult) => number) => meanCi(perSeed.map(f));
  const policies = Object.fromEntries(
    SHIFT_POLICIES.map((name) => [
      name,
      {
        success_before: over((s) => s.policies[name].success_before),
        success_after: over((s) => s.policies[name].success_after),
        unsafe_executions: over((s) => s.policies[name].unsafe_executions),
      },
    ]),
  ) as ShiftJson['policies'];
  const ope = Object.fromEntries(
    (['ips', 'dr'] as const).map((k) => [
      k,
      {
        estimate: over((s) => s.ope[k]),
        true: over((s) => s.ope.true),
        abs_error: over((s) => Math.abs(s.ope[k] - s.ope.true)),
      },
    ]),
  ) as ShiftJson['ope'];
  return { json: { policies, ope }, perSeed, options: opts };
}

// Off-policy evaluation: what a candidate policy would have earned on decisions another policy made,
// from the logged propensities. Inverse propensity scoring (IPS), its self-normalised form (SNIPS)
// and doubly robust (DR), each with a bootstrap 95% interval, plus the effective sample size.

import type { Action } from '../action.js';
import type { StateKey } from '../state.js';
import { createRng } from './rng.js';

/** One logged decision: the state, the action the logging policy chose, its probability, the reward. */
export interface LoggedStep {
  state: StateKey;
  action: Action;
  /** Probability the logging policy gave `action` in this state, in (0, 1]. */
  propensity: number;
  reward: number;
  /** Actions the logging policy chose among, when it was restricted (exploration within the guard). */
  allowed?: readonly Action[];
}

/** The candidate: its probability for each action given the logged context (missing = 0). */
export type TargetPolicy = (step: LoggedStep) => Partial<Record<Action, number>>;

/** The reward model DR corrects: an estimate of the expected reward of an action in a state. */
export type RewardModel = (state: StateKey, action: Action) => number;

export interface Estimate {
  estimate: number;
  lower95: number;
  upper95: number;
}

export interface OffPolicyEstimate {
  /** Logged steps used. */
  n: number;
  /** (Σw)² / Σw²: how many on-policy samples the weighted ones are worth. */
  ess: number;
  /** Steps where the candidate gives the logged action a positive probability. */
  matched: number;
  ips: Estimate;
  snips: Estimate;
  dr: Estimate;
}

export interface EvaluateOptions {
  /** Reward model for DR; default `fitRewardModel(steps)`. */
  model?: RewardModel;
  /** Bootstrap resamples; default 1000. */
  resamples?: number;
  /** Seed of the bootstrap; default 7. */
  seed?: number;
}

/** A deterministic target: probability 1 on the one action `choose` names. */
export function deterministic(choose: (step: LoggedStep) => Action): TargetPolicy {
  return (step) => ({ [choose(step)]: 1 }) as Partial<Record<Action, number>>;
}

/**
 * The empirical reward model: the mean logged reward of (state, action); where a pair was never
 * logged, the mean reward of the state, else of everything. DR stays unbiased whatever the model
 * (the propensities correct it); a better model only narrows the interval.
 */
export function fitRewardModel(steps: readonly LoggedStep[]): RewardModel {
  const pair = new Map<string, { sum: number; n: number }>();
  const state = new Map<string, { sum: number; n: number }>();
  let sum = 0;
  const add = (m: Map<string, { sum: number; n: number }>, key: string, r: number) => {
    const cell = m.get(key) ?? { sum: 0, n: 0 };
    cell.sum += r;
    cell.n += 1;
    m.set(key, cell);
  };
  for (const s of steps) {
    add(pair, `${s.state}#${s.action}`, s.reward);
    add(state, s.state, s.reward);
    sum += s.reward;
  }
  const overall = steps.length === 0 ? 0 : sum / steps.length;
  return (s, a) => {
    const p = pair.get(`${s}#${a}`) ?? state.get(s);
    return p ? p.sum / p.n : overall;
  };
}

/** Per-step terms every estimator is a function of. */
interface Terms {
  w: number[];
  wr: number[];
  dr: number[];
}

function termsOf(steps: readonly LoggedStep[], target: TargetPolicy, model: RewardModel): Terms {
  const terms: Terms = { w: [], wr: [], dr: [] };
  for (const step of steps) {
    if (!(step.propensity > 0 && step.propensity <= 1))
      throw new RangeError(`off-policy: propensity must be in (0, 1], got ${step.propensity}`);
    const probs = target(step);
    const w = (probs[step.action] ?? 0) / step.propensity;
    let direct = 0;
    for (const [action, p] of Object.entries(probs) as [Action, number][])
      direct += p * model(step.state, action);
    terms.w.push(w);
    terms.wr.push(w * step.reward);
    terms.dr.push(direct + w * (step.reward - model(step.state, step.action)));
  }
  return terms;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length);
const ratio = (num: number, den: number) => (den === 0 ? 0 : num / den);

/**
 * Estimates the target's value per decision on the logged steps. Intervals are bootstrap
 * percentiles (steps resampled with replacement, the reward model held fixed), seeded.
 */
export function evaluateOffPolicy(
  steps: readonly LoggedStep[],
  target: TargetPolicy,
  options: EvaluateOptions = {},
): OffPolicyEstimate {
  const model = options.model ?? fitRewardModel(steps);
  const t = termsOf(steps, target, model);
  const n = steps.length;
  const sumW = t.w.reduce((s, x) => s + x, 0);
  const sumW2 = t.w.reduce((s, x) => s + x * x, 0);
  const point = {
    ips: mean(t.wr),
    snips: ratio(
      t.wr.reduce((s, x) => s + x, 0),
      sumW,
    ),
    dr: mean(t.dr),
  };
  const resamples = options.resamples ?? 1000;
  const rng = createRng(options.seed ?? 7);
  const boot = { ips: [] as number[], snips: [] as number[], dr: [] as number[] };
  if (n > 0)
    for (let b = 0; b < resamples; b++) {
      let w = 0;
      let wr = 0;
      let dr = 0;
      for (let i = 0; i < n; i++) {
        const k = rng.int(n);
        w += t.w[k]!;
        wr += t.wr[k]!;
        dr += t.dr[k]!;
      }
      boot.ips.push(wr / n);
      boot.snips.push(ratio(wr, w));
      boot.dr.push(dr / n);
    }
  const interval = (estimate: number, xs: number[]): Estimate => {
    if (xs.length === 0) return { estimate, lower95: estimate, upper95: estimate };
    xs.sort((a, b) => a - b);
    return { estimate, lower95: quantile(xs, 0.025), upper95: quantile(xs, 0.975) };
  };
  return {
    n,
    ess: sumW2 === 0 ? 0 : (sumW * sumW) / sumW2,
    matched: t.w.filter((w) => w > 0).length,
    ips: interval(point.ips, boot.ips),
    snips: interval(point.snips, boot.snips),
    dr: interval(point.dr, boot.dr),
  };
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

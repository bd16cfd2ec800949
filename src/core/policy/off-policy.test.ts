// The off-policy estimators against values computed by hand and against a synthetic bandit whose
// true value is known.

import { describe, expect, it } from 'vitest';
import type { Action } from '../action.js';
import type { StateKey } from '../state.js';
import { deterministic, evaluateOffPolicy, fitRewardModel, type LoggedStep } from './off-policy.js';
import { createRng } from './rng.js';

const S: StateKey = 'transient|low|ok';
const T: StateKey = 'data_quality|low|ok';

describe('evaluateOffPolicy on four steps computed by hand', () => {
  const steps: LoggedStep[] = [
    { state: S, action: 'retry', propensity: 0.5, reward: 1 },
    { state: S, action: 'escalate', propensity: 0.5, reward: 0 },
    { state: S, action: 'retry', propensity: 0.8, reward: -0.5 },
    { state: T, action: 'quarantine', propensity: 0.2, reward: 1 },
  ];
  const alwaysRetry = deterministic(() => 'retry');
  const e = evaluateOffPolicy(steps, alwaysRetry, { resamples: 200 });

  it('IPS, SNIPS and the effective sample size', () => {
    // w = [2, 0, 1.25, 0]; Σwr = 2 − 0.625 = 1.375
    expect(e.ips.estimate).toBeCloseTo(1.375 / 4, 12);
    expect(e.snips.estimate).toBeCloseTo(1.375 / 3.25, 12);
    expect(e.ess).toBeCloseTo(3.25 ** 2 / (4 + 1.5625), 12);
    expect(e.matched).toBe(2);
    expect(e.n).toBe(4);
  });

  it('DR with the empirical reward model', () => {
    // q̂(S,retry) = 0.25, q̂(S,escalate) = 0, q̂(T,retry) falls back to T's mean = 1.
    // terms: 0.25 + 2·0.75, 0.25, 0.25 + 1.25·(−0.75), 1
    expect(e.dr.estimate).toBeCloseTo((1.75 + 0.25 - 0.6875 + 1) / 4, 12);
  });

  it('the reward model falls back from the pair to the state to everything', () => {
    const m = fitRewardModel(steps);
    expect(m(S, 'retry')).toBeCloseTo(0.25, 12);
    expect(m(T, 'retry')).toBe(1);
    expect(m('schema|low|ok', 'retry')).toBeCloseTo(1.5 / 4, 12);
  });

  it('intervals bracket the estimate and the bootstrap is seeded', () => {
    for (const k of ['ips', 'snips', 'dr'] as const) {
      expect(e[k].lower95).toBeLessThanOrEqual(e[k].estimate);
      expect(e[k].upper95).toBeGreaterThanOrEqual(e[k].estimate);
    }
    expect(evaluateOffPolicy(steps, alwaysRetry, { resamples: 200 })).toEqual(e);
  });

  it('refuses a propensity outside (0, 1]', () => {
    expect(() => evaluateOffPolicy([{ ...steps[0]!, propensity: 0 }], alwaysRetry)).toThrow(/propensity/);
  });

  it('is zero with nothing logged', () => {
    const empty = evaluateOffPolicy([], alwaysRetry);
    expect(empty).toMatchObject({ n: 0, ess: 0, ips: { estimate: 0 }, dr: { estimate: 0 } });
  });
});

describe('a synthetic bandit with a known value', () => {
  // Two states, three actions, Bernoulli rewards with these means; the logging policy depends on
  // the state (so a naive average of rewards is biased) and the target is deterministic.
  const means: Record<string, Partial<Record<Action, number>>> = {
    [S]: { retry: 0.8, escalate: 0.3, quarantine: 0.1 },
    [T]: { retry: 0.2, escalate: 0.4, quarantine: 0.9 },
  };
  const logging: Record<string, [Action, number][]> = {
    [S]: [
      ['retry', 0.2],
      ['escalate', 0.6],
      ['quarantine', 0.2],
    ],
    [T]: [
      ['retry', 0.5],
      ['escalate', 0.3],
      ['quarantine', 0.2],
    ],
  };
  const rng = createRng(2026);
  const steps: LoggedStep[] = [];
  for (let i = 0; i < 20_000; i++) {
    const state = rng.next() < 0.5 ? S : T;
    let u = rng.next();
    const [action, propensity] =
      logging[state]!.find(([, p]) => {
        u -= p;
        return u < 0;
      }) ?? logging[state]!.at(-1)!;
    const reward = rng.next() < means[state]![action]! ? 1 : 0;
    steps.push({ state, action, propensity, reward });
  }
  const target = deterministic((s) => (s.state === S ? 'retry' : 'quarantine'));
  const truth = 0.5 * 0.8 + 0.5 * 0.9;
  const e = evaluateOffPolicy(steps, target, { resamples: 300 });

  it('IPS, SNIPS and DR recover the true value within 2 pp, inside their intervals', () => {
    for (const k of ['ips', 'snips', 'dr'] as const) {
      expect(Math.abs(e[k].estimate - truth)).toBeLessThan(0.02);
      expect(e[k].lower95).toBeLessThan(truth);
      expect(e[k].upper95).toBeGreaterThan(truth);
    }
    // The logged average is far from the truth: the correction is doing the work.
    const naive = steps.reduce((s, x) => s + x.reward, 0) / steps.length;
    expect(Math.abs(naive - truth)).toBeGreaterThan(0.2);
  });

  it('the effective sample size is the matched count when every matched weight is the same', () => {
    // Both matched actions were logged with propensity 0.2: every weight is 5.
    expect(e.matched).toBeGreaterThan(3000);
    expect(e.ess).toBeCloseTo(e.matched, 6);
  });
});

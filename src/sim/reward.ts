// The training reward: what an outcome is worth to the learning policy, from the ground truth.

import type { SimOutcome } from './outcome-model.js';
import type { SimIncident } from './scenarios.js';

/** Reward values (documented in docs/benchmark.md). */
export const REWARD = {
  /** A validated resolution without a human. */
  resolved: 1,
  /** Escalating an incident no allowed action can fix: the right call. */
  correctEscalation: 0.5,
  /** Escalating an incident an allowed action would have fixed. */
  needlessEscalation: -0.2,
  /** Recording only (`log_only`, `defer`): nothing resolved and nobody told. */
  passive: -0.3,
  /** An executed action that did not resolve the incident (it escalates afterwards). */
  failedAction: -0.5,
  /** An executed action the ground truth marks unsafe (protected data, lossy, retrying a denial...). */
  unsafe: -2,
  /**
   * Added when the guard overrode the proposal: the policy should propose what it means to do, so
   * the shipped table does not lean on vetoes (the outcome's reward still applies).
   */
  vetoed: -0.1,
} as const;

/** The reward of one outcome (the action that actually ran, after the guard). */
export function rewardFor(incident: SimIncident, outcome: SimOutcome): number {
  if (outcome.executed) {
    if (outcome.unsafe) return REWARD.unsafe;
    return outcome.fixed ? REWARD.resolved : REWARD.failedAction;
  }
  if (outcome.action === 'escalate')
    return incident.truth.fixing.length === 0 ? REWARD.correctEscalation : REWARD.needlessEscalation;
  return REWARD.passive;
}

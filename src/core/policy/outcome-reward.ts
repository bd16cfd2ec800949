// The reward of a decision once its outcome is known in production: from the validation, the time
// to resolution, and the human answer (approval, rejection, label). The logged reward the policy
// learns from and off-policy evaluation scores; the same scale as the simulator's training reward.

import { type Action, isActiveAction } from '../action.js';

/** Reward values (documented in docs/governance.md). */
export const OUTCOME_REWARD = {
  /** A validated resolution, before the time penalty. */
  resolved: 1,
  /** At most this much is taken off a resolution for its time (reached at `slowMinutes`). */
  maxTimePenalty: 0.25,
  slowMinutes: 60,
  /** An escalation an engineer's label confirms (they escalated, or did nothing automatic). */
  correctEscalation: 0.5,
  /** An escalation where the engineer's label names an action that healer could have taken. */
  needlessEscalation: -0.2,
  /** An escalation nobody labelled: neutral until a label says whether it was needed. */
  unlabelledEscalation: 0,
  /** `log_only` (nothing resolved, nobody told), unless a label agrees. */
  passive: -0.3,
  /** An executed action whose validation failed, or an active proposal an engineer rejected or labelled otherwise. */
  failedAction: -0.5,
  /**
   * Added when the guard overrode the proposal (the update goes to the proposal): as in training, a
   * policy should propose what it means to do rather than lean on vetoes.
   */
  vetoed: -0.1,
} as const;

/** What is known of one decision's outcome. */
export interface DecisionOutcome {
  /** The action that was decided (after the guard). */
  final: Action;
  /** True when the action ran (autonomous, or supervised and approved). */
  executed: boolean;
  /** The validation's status when the action ran. */
  validation?: 'resolved' | 'escalate' | 'not_applicable';
  /** Minutes from the failure to the terminal status. */
  minutes?: number;
  verdict?: 'approved' | 'rejected';
  /** What an engineer did or would do. */
  label?: Action;
  /** True when the guard replaced the proposal with `final`. */
  overridden?: boolean;
}

/**
 * The reward, or undefined while the outcome is not known yet (awaiting approval; a shadow
 * recommendation nobody labelled). A label is the engineer's word and wins over the rest for
 * decisions that did not run; a validation wins for those that did.
 */
export function outcomeReward(o: DecisionOutcome): number | undefined {
  const r = rewardOfFinal(o);
  return r === undefined ? undefined : r + (o.overridden ? OUTCOME_REWARD.vetoed : 0);
}

function rewardOfFinal(o: DecisionOutcome): number | undefined {
  if (o.executed && isActiveAction(o.final)) {
    if (o.validation === 'resolved') return OUTCOME_REWARD.resolved - timePenalty(o.minutes ?? 0);
    if (o.validation === 'escalate') return OUTCOME_REWARD.failedAction;
    return undefined;
  }
  if (o.final === 'escalate') {
    if (o.label === undefined) return OUTCOME_REWARD.unlabelledEscalation;
    return isActiveAction(o.label) ? OUTCOME_REWARD.needlessEscalation : OUTCOME_REWARD.correctEscalation;
  }
  if (o.final === 'log_only' && o.executed) return o.label === 'log_only' ? 0 : OUTCOME_REWARD.passive;
  // An active action that did not run (shadow, rejected) or log_only recorded in shadow.
  if (o.label !== undefined) {
    if (o.label === o.final) return isActiveAction(o.final) ? OUTCOME_REWARD.resolved : 0;
    return isActiveAction(o.final) ? OUTCOME_REWARD.failedAction : OUTCOME_REWARD.passive;
  }
  if (o.verdict === 'rejected') return OUTCOME_REWARD.failedAction;
  return undefined;
}

/** 0 for an instant resolution, rising linearly to `maxTimePenalty` at `slowMinutes` and beyond. */
export function timePenalty(minutes: number): number {
  const share = Math.min(1, Math.max(0, minutes) / OUTCOME_REWARD.slowMinutes);
  return OUTCOME_REWARD.maxTimePenalty * share;
}

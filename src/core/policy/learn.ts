// Learning from logged outcomes: a candidate Q-table built from the current policy's table and the
// decisions whose rewards are known, with the same single-step update training uses. It changes
// the policy's values only; the guard is separate and nothing here can widen what it allows.

import type { Action } from '../action.js';
import { parseStateKey, type StateKey } from '../state.js';
import type { PolicyArtifact } from './artifact.js';
import { QLearningPolicy } from './q-learning.js';

/** A logged decision with a known reward, in the order it happened. */
export interface LearningStep {
  state: StateKey;
  /** The action the policy proposed (the update goes to the proposal, as in training). */
  action: Action;
  reward: number;
  /** ISO time the outcome became known (for the training metadata). */
  at?: string;
}

export interface LearnOptions {
  /** ISO time of the candidate (its `createdAt`). */
  createdAt: string;
}

export interface LearnResult {
  candidate: PolicyArtifact;
  /** Updates applied. */
  applied: number;
  /** Steps skipped because their action is not in the policy's action set. */
  skipped: number;
}

/**
 * Starts from `base` (the current policy) and, with its learning rate, applies Q(s,a) ← Q(s,a) + α(r − Q(s,a)) for every
 * step in order. The candidate records which policy it was learned from and on how many outcomes.
 */
export function learnFromOutcomes(
  base: PolicyArtifact,
  steps: readonly LearningStep[],
  options: LearnOptions,
): LearnResult {
  const seeded = QLearningPolicy.fromArtifact(base);
  let applied = 0;
  let skipped = 0;
  for (const step of steps) {
    const state = parseStateKey(step.state);
    if (!state || !seeded.actions.includes(step.action)) {
      skipped++;
      continue;
    }
    seeded.update(state, step.action, step.reward);
    applied++;
  }
  const times = steps
    .map((s) => s.at)
    .filter((t): t is string => t !== undefined)
    .sort();
  const candidate = seeded.toArtifact(
    {
      source: 'logged_outcomes',
      basedOn: `q_learning@${base.hash.slice(0, 12)}`,
      outcomes: applied,
      ...(times.length ? { from: times[0], to: times.at(-1) } : {}),
    },
    options.createdAt,
  );
  return { candidate, applied, skipped };
}

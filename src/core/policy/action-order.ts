// The safety order of actions, safest first: the deterministic tie-break every policy uses, so an
// untrained (all-zero) state proposes `escalate`.

import type { Action } from '../action.js';

/** Safest first: hand over, record, wait, then actions that touch less before those that touch more. */
export const SAFETY_ORDER: readonly Action[] = [
  'escalate',
  'log_only',
  'defer',
  'retry',
  'scale_resources',
  'rollback_schema',
  'coerce_schema',
  'quarantine',
];

/** Rank in SAFETY_ORDER (0 = safest). */
export function safetyRank(action: Action): number {
  return SAFETY_ORDER.indexOf(action);
}

/** The argmax of `values` over `actions`; ties go to the safest action. */
export function greedyAction(actions: readonly Action[], values: Partial<Record<Action, number>>): Action {
  let best: Action | undefined;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (const action of [...actions].sort((a, b) => safetyRank(a) - safetyRank(b))) {
    const value = values[action] ?? 0;
    if (value > bestValue) {
      best = action;
      bestValue = value;
    }
  }
  if (best === undefined) throw new RangeError('greedyAction: empty action set');
  return best;
}

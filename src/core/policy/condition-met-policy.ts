// A `defer` whose condition already holds becomes a run: when the late input arrived between the
// failure and the decision there is nothing to wait for (the guard's G20 would veto the wait), and
// what the policy meant by waiting (run once the input is there) is a retry now. The guard judges
// the retry like any proposal (its budgets, its families); nothing here widens what it allows.

import type { Proposal } from '../decision.js';
import type { State } from '../state.js';
import type { Policy } from './policy.js';

/**
 * The inner policy, except that a `defer` proposal becomes `retry` (source `condition_met`) when
 * `met` says what the wait was for already holds. Without `met` it is the inner policy itself.
 *
 * @example
 * const policy = withConditionMet(inner, capabilities.deferConditionMet); // 'input orders.csv arrived'
 */
export function withConditionMet(inner: Policy, met: string | undefined): Policy {
  if (met === undefined) return inner;
  return {
    kind: inner.kind,
    version: inner.version,
    hash: inner.hash,
    ...(inner.actions ? { actions: inner.actions } : {}),
    propose(state: State): Proposal {
      const own = inner.propose(state);
      if (own.action !== 'defer') return own;
      return { ...own, action: 'retry', propensity: 1, source: 'condition_met' };
    },
  };
}

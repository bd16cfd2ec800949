// A throttle that outlasts a retry is waited out, not hammered: when a transient failure comes back
// in a run chain that has already been retried, and `defer` is open for it (a condition to wait for,
// the authority allows it), the proposal is a bounded `defer` (backoff, G21's bound) instead of
// another immediate retry that would meet the same throttle. The guard judges it as any proposal.

import type { Proposal } from '../decision.js';
import type { State } from '../state.js';
import type { Policy } from './policy.js';

/** What the wrapper reads: the chain's retries so far and whether `defer` is open. */
export interface ThrottleFacts {
  retriesThisRun: number;
  deferOpen: boolean;
}

/** Retries of one run chain after which a throttle that persists is deferred instead. */
export const RETRIES_BEFORE_BACKOFF = 1;

/**
 * The inner policy, except that its `retry` for a transient failure becomes `defer` (source
 * `throttle_backoff`) once the run chain has had RETRIES_BEFORE_BACKOFF retries and `defer` is open.
 *
 * @example
 * const policy = withThrottleBackoff(inner, { retriesThisRun: usage.retriesThisRun, deferOpen: true });
 */
export function withThrottleBackoff(inner: Policy, facts: ThrottleFacts): Policy {
  if (!facts.deferOpen || facts.retriesThisRun < RETRIES_BEFORE_BACKOFF) return inner;
  return {
    kind: inner.kind,
    version: inner.version,
    hash: inner.hash,
    ...(inner.actions ? { actions: inner.actions } : {}),
    propose(state: State): Proposal {
      const own = inner.propose(state);
      if (state.family !== 'transient' || own.action !== 'retry') return own;
      return { ...own, action: 'defer', propensity: 1, source: 'throttle_backoff' };
    },
  };
}

import { adjustingPolicy, type Policy } from './policy.js';

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
  return adjustingPolicy(inner, (own, state) =>
    state.family !== 'transient' || own.action !== 'retry'
      ? own
      : { ...own, action: 'defer', propensity: 1, source: 'throttle_backoff' },
  );
}

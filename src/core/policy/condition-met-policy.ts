import { adjustingPolicy, type Policy } from './policy.js';

/**
 * The inner policy, except that a `defer` proposal becomes `retry` (source `condition_met`) when
 * `met` says what the wait was for already holds. Without `met` it is the inner policy itself.
 *
 * @example
 * const policy = withConditionMet(inner, capabilities.deferConditionMet); // 'input orders.csv arrived'
 */
export function withConditionMet(inner: Policy, met: string | undefined): Policy {
  if (met === undefined) return inner;
  return adjustingPolicy(inner, (own) =>
    own.action !== 'defer' ? own : { ...own, action: 'retry', propensity: 1, source: 'condition_met' },
  );
}

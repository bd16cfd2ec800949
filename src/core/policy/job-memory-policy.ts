// Per-job memory in front of any policy: what last resolved this job in this state (a validated
// action, kept by the state store per job and state key) is proposed first next time. The guard
// judges it like any proposal; nothing here widens what it allows.

import type { Action } from '../action.js';
import { adjustingPolicy, type Policy } from './policy.js';

/** Resource actions act on something of this incident (a step up, a condition to wait for). */
const RESOURCE_ACTIONS: readonly Action[] = ['scale_resources', 'defer'];

/**
 * The inner policy, except that a remembered fix is proposed instead, marked `source: job_memory`
 * (propensity 1: it is chosen deterministically). Without a memory it is the inner policy itself.
 * `open`, when given: the resource actions this incident has a step or a condition for. A remembered
 * resource action not among them has nothing to act on here (the same state can be an out-of-memory
 * failure one day and a concurrency limit the next; the input may already be there) and is not
 * proposed: the inner policy proposes instead.
 *
 * @example
 * const policy = withJobMemory(env.policy, await state.lastFix?.(job, stateKey(s)), ['defer']);
 */
export function withJobMemory(
  inner: Policy,
  remembered: Action | undefined,
  open?: readonly Action[],
): Policy {
  if (remembered === undefined) return inner;
  if (open && RESOURCE_ACTIONS.includes(remembered) && !open.includes(remembered)) return inner;
  return adjustingPolicy(inner, (own) =>
    // The policy agreeing keeps its propensity; either way the proposal is the remembered fix.
    own.action === remembered
      ? { ...own, source: 'job_memory' }
      : { ...own, action: remembered, propensity: 1, source: 'job_memory' },
  );
}

// Per-job memory in front of any policy: what last resolved this job in this state (a validated
// action, kept by the state store per job and state key) is proposed first next time. The guard
// judges it like any proposal; nothing here widens what it allows.

import type { Action } from '../action.js';
import type { Proposal } from '../decision.js';
import type { State } from '../state.js';
import type { Policy } from './policy.js';

/**
 * The inner policy, except that a remembered fix is proposed instead, marked `source: job_memory`
 * (propensity 1: it is chosen deterministically). Without a memory it is the inner policy itself.
 *
 * @example
 * const policy = withJobMemory(env.policy, await state.lastFix?.(job, stateKey(s)));
 */
export function withJobMemory(inner: Policy, remembered: Action | undefined): Policy {
  if (remembered === undefined) return inner;
  return {
    kind: inner.kind,
    version: inner.version,
    hash: inner.hash,
    propose(state: State): Proposal {
      const own = inner.propose(state);
      // The policy agreeing keeps its propensity; either way the proposal is the remembered fix.
      if (own.action === remembered) return { ...own, source: 'job_memory' };
      return { ...own, action: remembered, propensity: 1, source: 'job_memory' };
    },
  };
}

// The one interface every policy implements: state in, proposal out.

import type { Action } from '../action.js';
import type { Proposal } from '../decision.js';
import type { State } from '../state.js';

export type PolicyKind = 'q_learning' | 'rules' | 'random';

/**
 * A policy proposes one action for a state. It never sees capabilities or authority: whatever it
 * proposes, the guard decides what runs.
 *
 * @example
 * const proposal = policy.propose({ family: 'transient', risk: 'low', quality: 'ok' });
 */
export interface Policy {
  readonly kind: PolicyKind;
  /** `q_learning@<hash12>`, `rules@1`, `random@<seed>`. */
  readonly version: string;
  /** Hash of the policy's content (the artifact hash for Q-learning). Goes into every audit record. */
  readonly hash: string;
  /** The actions the policy chooses among, when it has a fixed set (rules, Q-learning, random). */
  readonly actions?: readonly Action[];
  propose(state: State): Proposal;
}

/**
 * A policy with `inner`'s identity (kind, version, hash, actions) that proposes through `adjust`:
 * the incident-fact wrappers (job memory, resource rules, throttle backoff, condition met) change
 * only the proposal, so the audit still names the configured policy.
 */
export function adjustingPolicy(inner: Policy, adjust: (own: Proposal, state: State) => Proposal): Policy {
  return {
    kind: inner.kind,
    version: inner.version,
    hash: inner.hash,
    ...(inner.actions ? { actions: inner.actions } : {}),
    propose: (state) => adjust(inner.propose(state), state),
  };
}

// Resource actions for a policy whose action set lacks them (the shipped Q-learning artifact and the
// rule policy know the six core actions): when the runtime can take `scale_resources` or `defer`
// for this incident, a resource failure proposes one step of scaling and a dependency failure
// (the input not there yet) proposes waiting for it. The same holds for a state the inner policy has
// no values for (a learned policy that never saw it: every Q-value still 0), where its own choice is
// only a tie-break. Everything else is the inner policy's.

import type { Action } from '../action.js';
import type { State } from '../state.js';
import { adjustingPolicy, type Policy } from './policy.js';

/** The resource action a state asks for, when `available` has it; undefined otherwise. */
export function resourceActionFor(state: State, available: readonly Action[]): Action | undefined {
  if (state.risk === 'critical' || state.risk === 'high') return undefined;
  if (state.family === 'resource' && available.includes('scale_resources')) return 'scale_resources';
  if ((state.family === 'resource' || state.family === 'dependency') && available.includes('defer'))
    return 'defer';
  return undefined;
}

/**
 * The inner policy with rules for the resource actions it cannot name. `available`: the resource
 * actions the runtime has a step or a condition for and the authority allows (the guard still
 * judges the proposal).
 *
 * @example
 * const policy = withResourceRules(env.policy, ['scale_resources']);
 */
export function withResourceRules(inner: Policy, available: readonly Action[]): Policy {
  // A policy that names an action chooses it (or not) itself: a learned policy's choice stands,
  // unless it has learned nothing for the state.
  const missing = available.filter((a) => !inner.actions?.includes(a));
  if (available.length === 0) return inner;
  return adjustingPolicy(inner, (own, state) => {
    const values = Object.values(own.qValues);
    const unlearned = values.length > 0 && values.every((v) => v === 0);
    const action = resourceActionFor(state, unlearned ? available : missing);
    if (action === undefined || own.action === action) return own;
    return { ...own, action, propensity: 1, source: 'resource_rules' };
  });
}

// The policy one incident is decided with: the configured policy with the incident's facts in front
// of it, innermost first: resource rules (resource actions the policy cannot name), job memory (what
// last fixed this job in this state), throttle backoff (a throttle that outlasted a retry is
// deferred), condition met (a wait for what is already there becomes a run). Each only changes the
// proposal; the guard judges the result with the same rules as any proposal.

import type { Action } from '../action.js';
import type { Authority } from '../authority.js';
import type { BudgetUsage, Capabilities } from '../decision.js';
import { resourceActionsAvailable } from '../resource-actions.js';
import { withConditionMet } from './condition-met-policy.js';
import { withJobMemory } from './job-memory-policy.js';
import type { Policy } from './policy.js';
import { withResourceRules } from './resource-rules-policy.js';
import { withThrottleBackoff } from './throttle-backoff-policy.js';

/** The facts of one incident the proposal may depend on. */
export interface IncidentPolicyFacts {
  capabilities: Capabilities;
  authority: Authority;
  usage: BudgetUsage;
  /** What last resolved this job in this state (the state store's job memory). */
  remembered?: Action | undefined;
}

/**
 * @example
 * const policy = incidentPolicy(env.policy, { capabilities, authority, usage, remembered });
 * const proposal = policy.propose(state);
 */
export function incidentPolicy(inner: Policy, facts: IncidentPolicyFacts): Policy {
  const open = resourceActionsAvailable(facts.capabilities, facts.authority);
  const met = facts.capabilities.deferConditionMet;
  // A remembered defer whose condition already holds stays: it meant "run once the input is there",
  // which condition-met turns into a run now.
  const remembered = met ? [...open, 'defer' as const] : open;
  const remembering = withJobMemory(withResourceRules(inner, open), facts.remembered, remembered);
  const backingOff = withThrottleBackoff(remembering, {
    retriesThisRun: facts.usage.retriesThisRun,
    deferOpen: open.includes('defer'),
  });
  return withConditionMet(backingOff, met);
}

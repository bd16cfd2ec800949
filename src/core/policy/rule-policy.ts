// The hand-written rule policy: the baseline a learned policy must match. One table, read top down;
// the first rule whose condition holds names the action.

import { type Action, CORE_ACTIONS } from '../action.js';
import { canonicalJson, sha256 } from '../audit-chain.js';
import type { Proposal } from '../decision.js';
import type { State } from '../state.js';
import type { Policy } from './policy.js';

interface PolicyRule {
  id: string;
  /** When the rule applies, in words (for docs and `hash`). */
  when: string;
  test(state: State): boolean;
  /** The action, given the action set (resource may scale when `scale_resources` is available). */
  action(actions: readonly Action[]): Action;
}

const fixed =
  (action: Action) =>
  (_actions: readonly Action[]): Action =>
    action;

/** The rule table, first match wins. The last rule always matches. */
export const RULE_POLICY_RULES: readonly PolicyRule[] = [
  { id: 'R1', when: 'risk is critical', test: (s) => s.risk === 'critical', action: fixed('escalate') },
  {
    id: 'R2',
    when: 'family is permission, config or unknown (no bounded action fixes these)',
    test: (s) => s.family === 'permission' || s.family === 'config' || s.family === 'unknown',
    action: fixed('escalate'),
  },
  { id: 'R3', when: 'risk is high', test: (s) => s.risk === 'high', action: fixed('escalate') },
  {
    id: 'R4',
    when: 'family is transient or dependency',
    test: (s) => s.family === 'transient' || s.family === 'dependency',
    action: fixed('retry'),
  },
  {
    id: 'R5',
    when: 'family is resource (scale_resources when the action set has it, else retry)',
    test: (s) => s.family === 'resource',
    action: (actions) => (actions.includes('scale_resources') ? 'scale_resources' : 'retry'),
  },
  {
    id: 'R6',
    when: 'family is schema and risk is low (repairable data drift: coerce to the contract)',
    test: (s) => s.family === 'schema' && s.risk === 'low',
    action: fixed('coerce_schema'),
  },
  {
    id: 'R7',
    when: 'family is schema and risk is medium (a bad catalog version: roll it back)',
    test: (s) => s.family === 'schema' && s.risk === 'medium',
    action: fixed('rollback_schema'),
  },
  {
    id: 'R8',
    when: 'family is data_quality and quality is severe',
    test: (s) => s.family === 'data_quality' && s.quality === 'severe',
    action: fixed('escalate'),
  },
  {
    id: 'R9',
    when: 'family is data_quality (quality ok or degraded: quarantine the bad rows)',
    test: (s) => s.family === 'data_quality',
    action: fixed('quarantine'),
  },
  { id: 'R10', when: 'anything else', test: () => true, action: fixed('escalate') },
];

/**
 * The hand-written baseline. Proposals carry no values (all zero) and propensity 1. A rule whose
 * action is not in the action set falls back to `escalate`.
 */
export class RulePolicy implements Policy {
  readonly kind = 'rules' as const;
  readonly version = 'rules@1';
  readonly hash: string;
  readonly actions: readonly Action[];

  constructor(options: { actions?: readonly Action[] } = {}) {
    this.actions = [...(options.actions ?? CORE_ACTIONS)];
    this.hash = sha256(
      canonicalJson({
        version: this.version,
        actions: this.actions,
        rules: RULE_POLICY_RULES.map((r) => ({ id: r.id, when: r.when })),
      }),
    );
  }

  /** The id of the rule that decides a state. */
  ruleFor(state: State): string {
    return RULE_POLICY_RULES.find((r) => r.test(state))!.id;
  }

  propose(state: State): Proposal {
    const rule = RULE_POLICY_RULES.find((r) => r.test(state))!;
    const wanted = rule.action(this.actions);
    const action = this.actions.includes(wanted) ? wanted : 'escalate';
    return {
      action,
      qValues: Object.fromEntries(this.actions.map((a) => [a, 0])),
      propensity: 1,
      policyVersion: this.version,
    };
  }
}

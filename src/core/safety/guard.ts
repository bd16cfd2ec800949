// The guard evaluator: runs every rule of the table against the proposal and moves the action only
// ever towards safety. Separate from any policy; its hash changes only with the code.

import { type Action, isActiveAction } from '../action.js';
import { canonicalJson, sha256 } from '../audit-chain.js';
import { HARD_LIMITS } from '../authority.js';
import type { FiredRule, Verdict } from '../decision.js';
import { RESOURCE_HARD_LIMITS } from '../resources.js';
import { contextFor, GUARD_RULES, type GuardInput, type GuardRule } from './rules.js';

export type { GuardInput, GuardRule } from './rules.js';
export { GUARD_RULES } from './rules.js';

/** Version of the evaluator semantics; part of the hash. */
const GUARD_VERSION = 1;

/**
 * sha256 of the rule table (ids, descriptions, effects, targets), the evaluator version and
 * HARD_LIMITS. A constant of the code: no input, config or policy artifact can change it.
 */
export const GUARD_HASH: string = sha256(
  canonicalJson({
    version: GUARD_VERSION,
    rules: GUARD_RULES.map((r) => ({ id: r.id, description: r.description, effect: r.effect, to: r.to })),
    hardLimits: HARD_LIMITS,
    resourceHardLimits: RESOURCE_HARD_LIMITS,
  }),
);

/** Lower is safer: where a rule may move an action. */
function safety(action: Action): number {
  if (action === 'escalate') return 0;
  if (!isActiveAction(action)) return 1;
  return 2;
}

/**
 * Judges a proposal. Every rule is evaluated against the proposed action and every rule that fires
 * is listed; the final action is the safest target among them. If that target itself trips a rule
 * (e.g. `log_only` on critical risk), the rules run again on it, so the result is always a fixpoint.
 */
export function guard(input: GuardInput): Verdict {
  const proposed = input.proposal.action;
  const fired: FiredRule[] = [];
  let action = proposed;
  const seen = new Set<Action>();
  while (!seen.has(action)) {
    seen.add(action);
    const ctx = contextFor(input, action);
    const hits: GuardRule[] = GUARD_RULES.filter((rule) => rule.applies(ctx));
    for (const rule of hits) {
      if (!fired.some((f) => f.id === rule.id))
        fired.push({ id: rule.id, effect: rule.effect, reason: rule.reason(ctx) });
    }
    if (hits.length === 0) break;
    const target = hits.map((r) => r.to).sort((a, b) => safety(a) - safety(b))[0]!;
    // Overrides only ever move to a safer action; anything else would be a bug in the table.
    action = safety(target) < safety(action) || target === 'escalate' ? target : 'escalate';
  }
  const overridden = action !== proposed;
  const reason = overridden
    ? `${proposed} → ${action}: ${fired.map((f) => `${f.id} (${f.reason})`).join('; ')}`
    : `${proposed} passed every guard rule`;
  return { proposed, final: action, fired, overridden, reason, guardHash: GUARD_HASH };
}

/** The verdict when the guard is switched off (benchmark ablation only): the proposal passes as is. */
export function guardOff(proposed: Action): Verdict {
  return {
    proposed,
    final: proposed,
    fired: [],
    overridden: false,
    reason: 'guard OFF (ablation): the proposal was not checked',
    guardHash: GUARD_HASH,
  };
}

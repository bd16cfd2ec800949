/**
 * The healer core: pure types and functions (no I/O). Detectors, risk, state, policies, the safety
 * guard, decide() and validate(), the audit chain and the shared vocabulary.
 *
 * @module etl-healer/core
 */

export * from './action.js';
export * from './audit-chain.js';
export * from './authority.js';
export * from './coercion.js';
export type * from './contract.js';
export * from './decide.js';
export type * from './decision.js';
export * from './detect/data-quality.js';
export * from './detect/error-classifier.js';
export * from './detect/quality-condition.js';
export * from './detect/read-faults.js';
export * from './detect/risk.js';
export * from './detect/schema-drift.js';
export * from './detect/type-compat.js';
export * from './diagnose.js';
export * from './errors.js';
export * from './escalation-headline.js';
export * from './event.js';
export type * from './evidence.js';
export * from './failure-family.js';
export * from './finding.js';
export * from './governance/approval-facts.js';
export * from './governance/autonomy.js';
export * from './governance/shadow-report.js';
export type * from './outcome.js';
export * from './percent.js';
export * from './policy/action-order.js';
export * from './policy/artifact.js';
export type * from './policy/policy.js';
export * from './policy/q-learning.js';
export * from './policy/random-policy.js';
export * from './policy/rng.js';
export * from './policy/rule-policy.js';
export type * from './profile.js';
export type * from './read-facts.js';
export * from './read-options.js';
export * from './risk.js';
export * from './safety/guard.js';
export {
  contextFor,
  NO_ACTIVE_ACTION_FAMILIES,
  NO_RETRY_FAMILIES,
  type RuleContext,
  type SafeTarget,
} from './safety/rules.js';
export type * from './schema.js';
export * from './schema-migration.js';
export * from './state.js';
export * from './validate.js';
export * from './words.js';

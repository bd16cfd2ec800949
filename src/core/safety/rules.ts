// The guard's rule table: declarative, one entry per rule, each with a stable id the audit records.
// Rules read facts (diagnosis, capabilities, authority, usage); no policy value reaches them.

import { type Action, isActiveAction } from '../action.js';
import { type Authority, type Budgets, effectiveBudgets } from '../authority.js';
import type { BudgetUsage, Capabilities, Diagnosis, Proposal } from '../decision.js';
import { formatPercent } from '../percent.js';
import { capViolation, effectiveCaps, effectiveDeferBounds } from '../resources.js';
import { withArticle } from '../words.js';

/** Everything the guard looks at. The policy's values are in `proposal` but no rule reads them. */
export interface GuardInput {
  proposal: Proposal;
  diagnosis: Diagnosis;
  capabilities: Capabilities;
  authority: Authority;
  usage: BudgetUsage;
}

/** What a rule sees: the input, the action under judgement and the budgets clamped to HARD_LIMITS. */
export interface RuleContext extends GuardInput {
  action: Action;
  budgets: Budgets;
}

/** The only actions a rule may move to: both are safer than anything active. */
export type SafeTarget = 'escalate' | 'log_only';

export interface GuardRule {
  /** Stable id (`G1_...`); changing it changes GUARD_HASH. */
  id: string;
  description: string;
  /** `override`: replaces a passive action with a safer one; `veto`: forbids an active action. */
  effect: 'override' | 'veto';
  to: SafeTarget;
  applies(ctx: RuleContext): boolean;
  /** One sentence for the verdict, with the facts that made the rule fire. */
  reason(ctx: RuleContext): string;
}

/** Families for which no active action is taken blindly: nothing bounded is known to fix them. */
export const NO_ACTIVE_ACTION_FAMILIES = ['permission', 'unknown'] as const;
/** Families never retried: a retry cannot change the outcome (and may lock accounts, burn quota). */
export const NO_RETRY_FAMILIES = ['permission', 'config', 'unknown'] as const;

/** Families `scale_resources` is for: only a resource failure is fixed by more resources. */
export const SCALE_FAMILIES = ['resource'] as const;
/** Families `defer` is for: a throttle, a full slot or an upstream not ready go away with time. */
export const DEFER_FAMILIES = ['transient', 'resource', 'dependency'] as const;

/** `escalate` and `log_only` are always allowed and always possible (DESIGN: authority). */
const ALWAYS_ALLOWED: readonly Action[] = ['escalate', 'log_only'];

const active = (ctx: RuleContext) => isActiveAction(ctx.action);

/**
 * Rolling back the catalog only helps when the latest publish broke compatibility: a previous
 * version existing is not evidence that the current one is wrong (drift may be in the data).
 */
const hasBadCatalogPublish = (d: Diagnosis) => d.findings.some((f) => f.scope === 'catalog' && !f.compatible);

export function contextFor(input: GuardInput, action: Action = input.proposal.action): RuleContext {
  return { ...input, action, budgets: effectiveBudgets(input.authority.budgets) };
}

/** Every guard rule, in evaluation order. */
export const GUARD_RULES: readonly GuardRule[] = [
  {
    id: 'G1_CRITICAL_PASSIVE_ESCALATES',
    description: 'critical risk and a passive proposal (log_only) escalate to a human',
    effect: 'override',
    to: 'escalate',
    applies: (c) => c.diagnosis.risk.level === 'critical' && c.action === 'log_only',
    reason: (c) =>
      `risk is critical (${c.diagnosis.risk.reasons.join('; ') || 'no reason given'}): ${c.action} is not enough`,
  },
  {
    id: 'G2_CRITICAL_BLOCKS_ACTIVE',
    description: 'any active action requires non-critical risk',
    effect: 'veto',
    to: 'escalate',
    applies: (c) => active(c) && c.diagnosis.risk.level === 'critical',
    reason: (c) => `${c.action} is active and risk is critical`,
  },
  {
    id: 'G3_PROTECTED_DATASET',
    description: 'no active action on a protected dataset',
    effect: 'veto',
    to: 'escalate',
    applies: (c) =>
      active(c) &&
      (c.diagnosis.protectedDataset ||
        (c.diagnosis.datasets ?? []).some((d) => c.authority.protectedDatasets.includes(d))),
    reason: (c) => `${c.action} would touch a protected dataset`,
  },
  {
    id: 'G4_NOT_ALLOWED_BY_AUTHORITY',
    description: 'the action must be in the pipeline allowed actions (escalate and log_only always are)',
    effect: 'veto',
    to: 'escalate',
    applies: (c) => !ALWAYS_ALLOWED.includes(c.action) && !c.authority.allowedActions.includes(c.action),
    reason: (c) =>
      `${c.action} is not in the pipeline's allowed actions [${c.authority.allowedActions.join(', ')}]`,
  },
  {
    id: 'G5_NOT_SUPPORTED_HERE',
    description: 'the action must be supported by this runtime (an executor exists)',
    effect: 'veto',
    to: 'escalate',
    applies: (c) => !ALWAYS_ALLOWED.includes(c.action) && !c.capabilities.supported.includes(c.action),
    reason: (c) => `this runtime has no executor for ${c.action}`,
  },
  {
    id: 'G6_ROLLBACK_NEEDS_PREVIOUS_VERSION',
    description:
      'rollback_schema needs a previous catalog schema version and an incompatible catalog-scope finding (the latest publish is the problem)',
    effect: 'veto',
    to: 'escalate',
    applies: (c) =>
      c.action === 'rollback_schema' &&
      (!c.capabilities.hasPreviousSchemaVersion || !hasBadCatalogPublish(c.diagnosis)),
    reason: (c) =>
      !c.capabilities.hasPreviousSchemaVersion
        ? 'no previous catalog schema version to roll back to'
        : 'no incompatible catalog-scope finding: nothing shows the latest catalog version is the problem',
  },
  {
    id: 'G7_COERCION_NEEDS_SAFE_CAST',
    description: 'coerce_schema needs a lossless or declared-safe cast for every affected column',
    effect: 'veto',
    to: 'escalate',
    applies: (c) => c.action === 'coerce_schema' && !c.capabilities.coercionSafe,
    reason: () => 'at least one affected column has no lossless or declared-safe cast to the contract',
  },
  {
    id: 'G8_QUARANTINE_NEEDS_STORE',
    description: 'quarantine needs a configured quarantine store',
    effect: 'veto',
    to: 'escalate',
    applies: (c) => c.action === 'quarantine' && !c.capabilities.hasQuarantineStore,
    reason: () => 'no quarantine store is configured',
  },
  {
    id: 'G9_QUARANTINE_BLAST_RADIUS',
    description: 'quarantine only when the bad-row fraction is known and under the limit',
    effect: 'veto',
    to: 'escalate',
    applies: (c) =>
      c.action === 'quarantine' &&
      !(
        c.capabilities.badRowFraction !== undefined &&
        Number.isFinite(c.capabilities.badRowFraction) &&
        c.capabilities.badRowFraction < c.budgets.quarantineMaxFraction
      ),
    reason: (c) =>
      c.capabilities.badRowFraction === undefined
        ? 'the bad-row fraction is unknown'
        : `${formatPercent(c.capabilities.badRowFraction)} of the rows break the contract, not under the ${formatPercent(c.budgets.quarantineMaxFraction)} quarantine limit`,
  },
  {
    id: 'G10_NO_RETRY_FOR_FAMILY',
    description: 'permission, config and unknown failures are never retried',
    effect: 'veto',
    to: 'escalate',
    applies: (c) =>
      c.action === 'retry' &&
      (NO_RETRY_FAMILIES as readonly string[]).includes(c.diagnosis.classification.family),
    reason: (c) => `${withArticle(c.diagnosis.classification.family)} failure does not go away by retrying`,
  },
  {
    id: 'G11_NO_BLIND_ACTION_FOR_FAMILY',
    description:
      'permission and unknown failures get no active action (nothing bounded is known to fix them)',
    effect: 'veto',
    to: 'escalate',
    applies: (c) =>
      active(c) &&
      (NO_ACTIVE_ACTION_FAMILIES as readonly string[]).includes(c.diagnosis.classification.family),
    reason: (c) => `${c.action} is blind for ${withArticle(c.diagnosis.classification.family)} failure`,
  },
  {
    id: 'G12_RETRY_BUDGET_PER_RUN',
    description: 'retries per run stay under the budget',
    effect: 'veto',
    to: 'escalate',
    applies: (c) => c.action === 'retry' && c.usage.retriesThisRun >= c.budgets.maxRetriesPerRun,
    reason: (c) => `${c.usage.retriesThisRun} retries this run (budget ${c.budgets.maxRetriesPerRun})`,
  },
  {
    id: 'G13_RETRY_BUDGET_PER_HOUR',
    description: 'retries per job per hour stay under the budget',
    effect: 'veto',
    to: 'escalate',
    applies: (c) =>
      c.action === 'retry' && c.usage.retriesThisJobLastHour >= c.budgets.maxRetriesPerJobPerHour,
    reason: (c) =>
      `${c.usage.retriesThisJobLastHour} retries of this job in the last hour (budget ${c.budgets.maxRetriesPerJobPerHour})`,
  },
  {
    id: 'G14_CIRCUIT_BREAKER',
    description: 'after N consecutive failed remediations on a job, only passive actions',
    effect: 'veto',
    to: 'escalate',
    applies: (c) => active(c) && c.usage.consecutiveFailedRemediations >= c.budgets.circuitBreakerFailures,
    reason: (c) =>
      `${c.usage.consecutiveFailedRemediations} consecutive failed remediations (breaker at ${c.budgets.circuitBreakerFailures})`,
  },
  {
    id: 'G15_COERCE_BLAST_RADIUS',
    description: 'coerce_schema only when the rows it would quarantine stay under the limit',
    effect: 'veto',
    to: 'escalate',
    // Unknown is allowed here, unlike G9: G7 already demands a safe cast for every column, and the
    // fraction only bounds how many values fail it. Known and at or over the limit is not allowed.
    applies: (c) =>
      c.action === 'coerce_schema' &&
      c.capabilities.coercionBadRowFraction !== undefined &&
      !(
        Number.isFinite(c.capabilities.coercionBadRowFraction) &&
        c.capabilities.coercionBadRowFraction < c.budgets.quarantineMaxFraction
      ),
    reason: (c) =>
      `coercion would quarantine ${formatPercent(c.capabilities.coercionBadRowFraction ?? Number.NaN)} of the rows, not under the ${formatPercent(c.budgets.quarantineMaxFraction)} limit`,
  },
  {
    id: 'G16_SCALE_ONLY_FOR_RESOURCE',
    description: 'scale_resources only for a resource failure',
    effect: 'veto',
    to: 'escalate',
    applies: (c) =>
      c.action === 'scale_resources' &&
      !(SCALE_FAMILIES as readonly string[]).includes(c.diagnosis.classification.family),
    reason: (c) => `more resources do not fix ${withArticle(c.diagnosis.classification.family)} failure`,
  },
  {
    id: 'G17_SCALE_WITHIN_CAPS',
    description: "scale_resources needs a step the runtime can take and the authority's resource caps allow",
    effect: 'veto',
    to: 'escalate',
    applies: (c) =>
      c.action === 'scale_resources' &&
      (c.capabilities.scaleStep === undefined ||
        c.authority.resources === undefined ||
        capViolation(c.capabilities.scaleStep, effectiveCaps(c.authority.resources)) !== undefined),
    reason: (c) =>
      c.authority.resources === undefined
        ? 'the pipeline sets no resource caps (authority.resources)'
        : c.capabilities.scaleStep === undefined
          ? 'every resource is already at its cap'
          : (capViolation(c.capabilities.scaleStep, effectiveCaps(c.authority.resources)) ?? ''),
  },
  {
    id: 'G18_SCALE_STEPS_PER_RUN',
    description: 'scale_resources steps per run stay under the cap',
    effect: 'veto',
    to: 'escalate',
    applies: (c) =>
      c.action === 'scale_resources' &&
      (c.usage.scaleStepsThisRun ?? 0) >=
        effectiveCaps(c.authority.resources ?? { maxStepsPerRun: 0 }).maxStepsPerRun,
    reason: (c) =>
      `${c.usage.scaleStepsThisRun ?? 0} scaling steps this run (cap ${effectiveCaps(c.authority.resources ?? { maxStepsPerRun: 0 }).maxStepsPerRun})`,
  },
  {
    id: 'G19_SCALE_COST_BUDGET',
    description: 'a scaled run stays within the cost budget per run (DPU-hours) when one is set',
    effect: 'veto',
    to: 'escalate',
    applies: (c) => {
      const budget = c.authority.resources?.maxDpuHoursPerRun;
      if (c.action !== 'scale_resources' || budget === undefined) return false;
      const cost = c.capabilities.scaleStep?.costDpuHours;
      return cost === undefined || !Number.isFinite(cost) || cost > budget;
    },
    reason: (c) =>
      c.capabilities.scaleStep?.costDpuHours === undefined
        ? 'the cost of the scaled run is unknown and a cost budget is set'
        : `the scaled run would cost ${c.capabilities.scaleStep.costDpuHours} DPU-hours (budget ${c.authority.resources?.maxDpuHoursPerRun})`,
  },
  {
    id: 'G20_DEFER_NEEDS_WAITABLE_CONDITION',
    description: 'defer only for transient, resource or dependency failures, with a condition to wait for',
    effect: 'veto',
    to: 'escalate',
    applies: (c) =>
      c.action === 'defer' &&
      (!(DEFER_FAMILIES as readonly string[]).includes(c.diagnosis.classification.family) ||
        c.capabilities.deferCondition === undefined),
    reason: (c) =>
      (DEFER_FAMILIES as readonly string[]).includes(c.diagnosis.classification.family)
        ? 'there is no condition to wait for'
        : `waiting does not fix ${withArticle(c.diagnosis.classification.family)} failure`,
  },
  {
    id: 'G21_DEFER_BOUND',
    description: 'deferrals per run stay under the bound',
    effect: 'veto',
    to: 'escalate',
    applies: (c) =>
      c.action === 'defer' &&
      (c.usage.deferralsThisRun ?? 0) >= effectiveDeferBounds(c.authority.defer).maxDeferralsPerRun,
    reason: (c) =>
      `${c.usage.deferralsThisRun ?? 0} deferrals this run (bound ${effectiveDeferBounds(c.authority.defer).maxDeferralsPerRun})`,
  },
];

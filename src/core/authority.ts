// Authority: what a pipeline allows healer to do (policy-as-code for the guard). Authority can only
// narrow the guard's hard limits; nothing here can widen them.

import { z } from 'zod';
import { ACTIONS, type Action } from './action.js';
import { FAILURE_FAMILIES, type FailureFamily } from './failure-family.js';
import { deferBoundsSchema, resourceCapsSchema } from './resources.js';

export const MODES = ['shadow', 'supervised', 'autonomous'] as const;
/** `shadow`: decide and record, never execute; `supervised`: execute after approval; `autonomous`: within authority. */
export type Mode = (typeof MODES)[number];

/** Hard ceilings built into the guard. Configuration may lower these, never raise them. */
export const HARD_LIMITS = {
  maxRetriesPerRun: 5,
  maxRetriesPerJobPerHour: 20,
  circuitBreakerFailures: 10,
  quarantineMaxFraction: 0.25,
} as const;

export const budgetsSchema = z
  .object({
    maxRetriesPerRun: z.number().int().min(0).default(3),
    maxRetriesPerJobPerHour: z.number().int().min(0).default(10),
    /** Consecutive failed remediations on one job after which only `escalate` is allowed. */
    circuitBreakerFailures: z.number().int().min(1).default(3),
    /** Quarantine is allowed only while the bad-row fraction is under this. */
    quarantineMaxFraction: z.number().min(0).max(1).default(0.1),
  })
  .strict();
export type Budgets = z.infer<typeof budgetsSchema>;

export const autonomyThresholdsSchema = z
  .object({
    minPrecision: z.number().min(0).max(1),
    minLowerBound: z.number().min(0).max(1),
    minLabelled: z.number().int().min(0),
    demoteAfterFailures: z.number().int().min(1),
    demoteWindow: z.number().int().min(1),
  })
  .partial()
  .strict();

export const authoritySchema = z
  .object({
    /** Actions this pipeline allows. `escalate` and `log_only` are always allowed. */
    allowedActions: z
      .array(z.enum(ACTIONS))
      .default(['retry', 'coerce_schema', 'rollback_schema', 'quarantine']),
    /** Datasets no automation may touch: any finding on them is critical risk. */
    protectedDatasets: z.array(z.string().min(1)).default([]),
    mode: z.enum(MODES).default('autonomous'),
    /** Per-family mode overrides, e.g. `{ schema: 'supervised' }`. */
    modeByFamily: z.partialRecord(z.enum(FAILURE_FAMILIES), z.enum(MODES)).default({}),
    /** Hours a supervised decision may wait for approval (default 24). */
    approvalExpiryHours: z
      .number()
      .positive()
      .max(24 * 30)
      .optional(),
    /** When a family may be promoted and when it is demoted (defaults in core/governance/autonomy). */
    autonomy: autonomyThresholdsSchema.optional(),
    /** Caps on `scale_resources`; without them no resource may be raised. */
    resources: resourceCapsSchema.optional(),
    /**
     * Exploration of the policy in autonomous families (off when absent): with probability epsilon a
     * guard-allowed action other than the greedy one, so the logged outcomes can improve the policy.
     */
    exploration: z
      .object({ epsilon: z.number().min(0).max(0.5) })
      .strict()
      .optional(),
    /** Bounds on `defer`: longest wait and deferrals per run (defaults 900 s and 3). */
    defer: deferBoundsSchema.default({ maxWaitSeconds: 900, maxDeferralsPerRun: 3 }),
    budgets: budgetsSchema.default({
      maxRetriesPerRun: 3,
      maxRetriesPerJobPerHour: 10,
      circuitBreakerFailures: 3,
      quarantineMaxFraction: 0.1,
    }),
  })
  .strict();
export type Authority = z.infer<typeof authoritySchema>;

/** The mode that applies to an incident of the given family. */
export function modeFor(authority: Authority, family: FailureFamily): Mode {
  return authority.modeByFamily[family] ?? authority.mode;
}

/** Budgets clamped to the guard's hard limits: the effective values the guard enforces. */
export function effectiveBudgets(budgets: Budgets): Budgets {
  return {
    maxRetriesPerRun: Math.min(budgets.maxRetriesPerRun, HARD_LIMITS.maxRetriesPerRun),
    maxRetriesPerJobPerHour: Math.min(budgets.maxRetriesPerJobPerHour, HARD_LIMITS.maxRetriesPerJobPerHour),
    circuitBreakerFailures: Math.min(budgets.circuitBreakerFailures, HARD_LIMITS.circuitBreakerFailures),
    quarantineMaxFraction: Math.min(budgets.quarantineMaxFraction, HARD_LIMITS.quarantineMaxFraction),
  };
}

export type { Action };

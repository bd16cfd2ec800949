// Small builders for decision tests: a diagnosis, capabilities, authority and usage that pass every
// guard rule by default, so each test changes exactly the fact it is about.

import { ACTIONS } from '../../src/core/action.js';
import { type Authority, authoritySchema } from '../../src/core/authority.js';
import type { BudgetUsage, Capabilities, Diagnosis, Proposal } from '../../src/core/decision.js';
import type { FailureFamily } from '../../src/core/failure-family.js';
import type { Finding } from '../../src/core/finding.js';
import type { QualityCondition, Risk } from '../../src/core/risk.js';

export function diagnosisOf(
  family: FailureFamily,
  risk: Risk = 'low',
  quality: QualityCondition = 'ok',
  extra: Partial<Diagnosis> = {},
): Diagnosis {
  return {
    classification: { family, rule: `test.${family}`, confidence: 0.9, line: `a ${family} failure` },
    findings: [],
    risk: { level: risk, reasons: [`${risk}: test`] },
    quality,
    protectedDataset: false,
    datasets: ['orders'],
    ...extra,
  };
}

/** Everything possible: every action supported, previous version, safe casts, store, few bad rows. */
export function fullCapabilities(extra: Partial<Capabilities> = {}): Capabilities {
  return {
    supported: [...ACTIONS],
    hasPreviousSchemaVersion: true,
    coercionSafe: true,
    hasQuarantineStore: true,
    badRowFraction: 0.02,
    scaleStep: { before: { memoryMb: 512, threads: 2 }, after: { memoryMb: 1024, threads: 2 } },
    deferCondition: 'input orders.csv to arrive',
    ...extra,
  };
}

/** Every action allowed, autonomous, default budgets. */
export function permissiveAuthority(extra: Record<string, unknown> = {}): Authority {
  return authoritySchema.parse({
    allowedActions: ['retry', 'coerce_schema', 'rollback_schema', 'quarantine', 'scale_resources', 'defer'],
    resources: { maxMemoryMb: 4096, maxThreads: 8, maxStepsPerRun: 2 },
    ...extra,
  });
}

export const NO_USAGE: BudgetUsage = {
  retriesThisRun: 0,
  retriesThisJobLastHour: 0,
  consecutiveFailedRemediations: 0,
};

export function proposalOf(action: Proposal['action']): Proposal {
  return { action, qValues: {}, propensity: 1, policyVersion: 'test@1' };
}

/** A field_removed finding on `column` (incompatible, error). */
export function removed(column: string, scope: 'data' | 'catalog' = 'data'): Finding {
  return {
    kind: 'field_removed',
    column,
    baseline: 'string',
    severity: 'error',
    compatible: false,
    message: `${column} was removed`,
    scope,
  };
}

/** A field_renamed finding (data scope, same type): the strong-evidence rename coercion maps back. */
export function renamedField(from: string, to: string, severity: Finding['severity'] = 'warning'): Finding {
  return {
    kind: 'field_renamed',
    column: to,
    from,
    to,
    type: 'int64',
    severity,
    compatible: false,
    message: `${from} renamed to ${to}`,
  };
}

export function nullSpike(
  column: string,
  baseline: number,
  current: number,
  severity: Finding['severity'],
): Finding {
  return {
    kind: 'null_rate_spike',
    column,
    baseline,
    current,
    statistic: 12,
    severity,
    compatible: true,
    message: `${column} null rate ${baseline} → ${current}`,
  };
}

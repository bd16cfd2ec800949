// Which resource failures are a capacity or concurrency limit rather than a job short of memory or
// disk: more workers do not fix them (they ask for more of what is exhausted), waiting does.

import type { Diagnosis } from '../../../core/decision.js';

/** Classifier rules (core/detect/signatures/resource.ts) that name an account or job limit. */
const CAPACITY_LIMIT_RULES = new Set([
  'glue.concurrent_runs_exceeded',
  'aws.resource_limit_exceeded',
  'scheduler.no_slots',
  'glue.insufficient_workers',
  'sql.too_many_connections',
  'cloud.quota_exceeded',
]);

/**
 * True when the diagnosis is a resource failure caused by a limit on runs or capacity.
 *
 * @example
 * isCapacityLimit(diagnosis) // true for ConcurrentRunsExceededException
 */
export function isCapacityLimit(diagnosis: Diagnosis): boolean {
  const { family, rule } = diagnosis.classification;
  return family === 'resource' && CAPACITY_LIMIT_RULES.has(rule);
}

// The fault catalogue: every scenario the generator can inject, its failure family, its weight in
// the incident mix, and the root error text an engine would raise for it.

import type { FailureFamily } from '../core/failure-family.js';

export const FAULTS = [
  'throttling',
  'timeout',
  'concurrency_limit',
  'disk_full',
  'oom',
  'memory_pressure',
  'permission_denied',
  'expired_token',
  'config_bad_argument',
  'upstream_not_ready',
  'late_upstream',
  'unknown_error',
  'rename',
  'drop_column',
  'add_column',
  'nested_change',
  'catalog_bad_publish',
  'type_drift_lossless',
  'type_drift_lossy',
  'type_drift_stray_text',
  'null_spike',
  'invalid_values',
  'duplicate_keys',
  'multi_quality',
  'multi_schema',
] as const;
export type Fault = (typeof FAULTS)[number];

/** The family the fault truly belongs to (what a perfect classifier would say). */
export const FAULT_FAMILY: Record<Fault, FailureFamily> = {
  throttling: 'transient',
  timeout: 'transient',
  concurrency_limit: 'resource',
  disk_full: 'resource',
  oom: 'resource',
  memory_pressure: 'resource',
  permission_denied: 'permission',
  expired_token: 'permission',
  config_bad_argument: 'config',
  upstream_not_ready: 'dependency',
  late_upstream: 'dependency',
  unknown_error: 'unknown',
  rename: 'schema',
  drop_column: 'schema',
  add_column: 'schema',
  nested_change: 'schema',
  catalog_bad_publish: 'schema',
  type_drift_lossless: 'schema',
  type_drift_lossy: 'schema',
  type_drift_stray_text: 'schema',
  null_spike: 'data_quality',
  invalid_values: 'data_quality',
  duplicate_keys: 'data_quality',
  multi_quality: 'data_quality',
  multi_schema: 'schema',
};

/** Relative frequency in the incident mix (transient and quality faults are the most common in practice). */
export const FAULT_WEIGHT: Record<Fault, number> = {
  throttling: 10,
  timeout: 6,
  concurrency_limit: 5,
  disk_full: 3,
  oom: 4,
  // The embedded runtime's own out-of-memory failure (DuckDB under its memory_limit, spilling off).
  memory_pressure: 4,
  permission_denied: 6,
  expired_token: 2,
  config_bad_argument: 4,
  upstream_not_ready: 7,
  // An upstream that lands minutes late (later than a retry's backoff rides out).
  late_upstream: 4,
  unknown_error: 4,
  rename: 6,
  drop_column: 3,
  add_column: 3,
  nested_change: 3,
  catalog_bad_publish: 5,
  type_drift_lossless: 4,
  type_drift_lossy: 3,
  type_drift_stray_text: 3,
  null_spike: 7,
  invalid_values: 5,
  duplicate_keys: 5,
  multi_quality: 3,
  multi_schema: 2,
};

// Findings: the facts detectors establish about drift and quality. A discriminated union on `kind`.

import type { LogicalType } from './schema.js';

export type Severity = 'info' | 'warning' | 'error';

export const DRIFT_KINDS = [
  'field_added',
  'field_removed',
  'field_renamed',
  'type_changed',
  'nullability_changed',
  'nested_changed',
] as const;
export const QUALITY_KINDS = [
  'null_rate_spike',
  'validity_drop',
  'duplicate_keys',
  'volume_change',
  'freshness_lag',
  'malformed_rows',
  'empty_input',
] as const;
/**
 * How the values are spread, not whether they are valid: a shifted numeric distribution or category
 * mix, and values outside the baseline's range or at another scale (a unit change).
 */
export const DISTRIBUTION_KINDS = ['distribution_shift', 'range_shift'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];
export type QualityKind = (typeof QUALITY_KINDS)[number];
export type DistributionKind = (typeof DISTRIBUTION_KINDS)[number];
export type FindingKind = DriftKind | QualityKind | DistributionKind;
export const FINDING_KINDS: readonly FindingKind[] = [
  ...DRIFT_KINDS,
  ...QUALITY_KINDS,
  ...DISTRIBUTION_KINDS,
];

interface FindingBase {
  /** Dotted path of the column concerned (for keys: the key columns joined with `,`). */
  column: string;
  severity: Severity;
  /** Backward compatible in the Avro sense: existing readers keep working. */
  compatible: boolean;
  /** One readable sentence. */
  message: string;
  /**
   * Where the drift is: `data` (the input against its contract or catalog; the default when
   * absent) or `catalog` (between the last two published catalog versions: a bad publish).
   */
  scope?: 'data' | 'catalog';
}

export interface FieldAdded extends FindingBase {
  kind: 'field_added';
  current: LogicalType;
  nullable: boolean;
}
export interface FieldRemoved extends FindingBase {
  kind: 'field_removed';
  baseline: LogicalType;
}
export interface FieldRenamed extends FindingBase {
  kind: 'field_renamed';
  /** The baseline name (`column` is the current name, the same as `to`). */
  from: string;
  to: string;
  type: LogicalType;
}
export interface TypeChanged extends FindingBase {
  kind: 'type_changed';
  baseline: LogicalType;
  current: LogicalType;
  baselineRaw: string;
  currentRaw: string;
}
export interface NullabilityChanged extends FindingBase {
  kind: 'nullability_changed';
  baseline: boolean;
  current: boolean;
}
export interface NestedChanged extends FindingBase {
  kind: 'nested_changed';
  baseline: string;
  current: string;
}
export interface NullRateSpike extends FindingBase {
  kind: 'null_rate_spike';
  baseline: number;
  current: number;
  /** Two-proportion z statistic (or the test's own statistic) behind the call. */
  statistic: number;
}
export interface ValidityDrop extends FindingBase {
  kind: 'validity_drop';
  baseline: number;
  current: number;
  /** Rows that do not parse as the expected type. */
  invalidRows: number;
}
export interface DuplicateKeys extends FindingBase {
  kind: 'duplicate_keys';
  baseline: number;
  current: number;
}
export interface VolumeChange extends FindingBase {
  kind: 'volume_change';
  baseline: number;
  current: number;
}
export interface FreshnessLag extends FindingBase {
  kind: 'freshness_lag';
  baseline: string;
  current: string;
  lagMinutes: number;
}

/** Lines of a text input that could not be read as rows (ragged, bad encoding, unparseable). */
export interface MalformedRows extends FindingBase {
  kind: 'malformed_rows';
  /** Malformed lines. */
  current: number;
  /** Rows read as rows, for the share. */
  rows: number;
  /** The first malformed line numbers (1-based, header is line 1), with their file when several. */
  lines: { file: string; line: number; reason: string }[];
}
/** An input with no rows at all: an empty file, or a header and nothing after it. */
export interface EmptyInput extends FindingBase {
  kind: 'empty_input';
  current: 'empty' | 'header_only';
  /** The rows of the last good input, when known. */
  baseline?: number;
}

export interface DistributionShift extends FindingBase {
  kind: 'distribution_shift';
  /** `numeric`: quantiles compared (KS); `categorical`: the share of one frequent value. */
  measure: 'numeric' | 'categorical';
  /** Numeric: the baseline median; categorical: the value's baseline share. */
  baseline: number;
  /** Numeric: the current median; categorical: the value's current share. */
  current: number;
  /** Numeric: a lower bound of the KS distance; categorical: the change of the value's share. */
  statistic: number;
  /** The sample-size-aware bar `statistic` had to clear. */
  threshold: number;
  /** Categorical: the value whose share moved. */
  value?: string;
}
export interface RangeShift extends FindingBase {
  kind: 'range_shift';
  /** The baseline's [min, max]. */
  baseline: [number, number];
  /** The current [min, max]. */
  current: [number, number];
  /** At least this share of current values lies outside the baseline range. */
  outside: number;
  /** The current spread (p95 − p5) over the baseline's: 60 for seconds that became minutes×60. */
  scale: number;
}

export type Finding =
  | FieldAdded
  | FieldRemoved
  | FieldRenamed
  | TypeChanged
  | NullabilityChanged
  | NestedChanged
  | NullRateSpike
  | ValidityDrop
  | DuplicateKeys
  | VolumeChange
  | FreshnessLag
  | MalformedRows
  | EmptyInput
  | DistributionShift
  | RangeShift;

/** A schema drift finding (a column added, removed, renamed, retyped or restructured). */
export type DriftFinding = Extract<Finding, { kind: DriftKind }>;

/** Whether a finding is schema drift, as opposed to a quality or distribution finding. */
export function isDriftFinding(f: Finding): f is DriftFinding {
  return (DRIFT_KINDS as readonly string[]).includes(f.kind);
}

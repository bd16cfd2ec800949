// The statistical profile of a dataset, computed by a data engine and compared purely in the core.

import type { BadRowMeasurement } from './bad-rows.js';
import type { LogicalType } from './schema.js';

export interface ColumnProfile {
  /** Dotted path, as in `SchemaField.path`. */
  path: string;
  type: LogicalType;
  rawType: string;
  /** Rows where the value is NULL (or missing). */
  nullCount: number;
  /** nullCount / rowCount; 0 for an empty dataset. */
  nullRate: number;
  /** Approximate distinct count of non-null values. */
  distinct: number;
  /** Min and max as strings (so every type fits); absent when all values are null. */
  min?: string;
  max?: string;
  /**
   * Share of non-null values that parse as the column's expected type (1 for a typed column read
   * natively; lower when text holds values that do not parse, e.g. `'12.5 USD'` in a number column).
   */
  validity: number;
  /** The type validity was measured against, when it differs from `type` (text inputs). */
  validityType?: LogicalType;
  /**
   * Numeric columns: the value at each of QUANTILE_PROBS (the distribution-shift detectors compare
   * them). Absent for other types, for all-null columns, and in profiles written before they existed.
   */
  quantiles?: number[];
  /**
   * Text and boolean columns: the TOP_VALUES most frequent non-null values with their counts, most
   * frequent first (ties by value). Fewer entries than TOP_VALUES means every distinct value is here.
   */
  topValues?: TopValue[];
}

/** One frequent value of a column and how many rows hold it. */
export interface TopValue {
  value: string;
  count: number;
}

/** The probabilities at which numeric quantiles are measured: tails and every 5 points between. */
export const QUANTILE_PROBS: readonly number[] = [
  0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9,
  0.95, 0.99,
];

/** How many frequent values a profile keeps per text column. */
export const TOP_VALUES = 10;

export interface DatasetProfile {
  /** File path, glob or table name the profile describes. */
  source: string;
  /** `csv`, `parquet`, `json`, `ndjson`, `table`. */
  format: string;
  rowCount: number;
  columns: ColumnProfile[];
  /** Duplicate counts for declared keys, keyed by the key's column list joined with `,`. */
  duplicateKeys?: Record<string, number>;
  /** Newest event time seen (ISO 8601), when a freshness column is declared. */
  newestAt?: string;
  /** Rows that break the contract (core/bad-rows.ts), when profiled against one. */
  badRows?: BadRowMeasurement;
}

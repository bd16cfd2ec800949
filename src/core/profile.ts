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
}

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

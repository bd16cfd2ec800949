// Type rules shared by the drift detector and the coercion planner: type families, Avro-style
// widening (what existing readers still accept) and whether a cast keeps every value exactly.

import type { LogicalType } from '../schema.js';

export type TypeFamily = 'numeric' | 'string' | 'temporal' | 'boolean' | 'binary' | 'nested' | 'unknown';

/** The family of a logical type: a change across families is never compatible. */
export function typeFamily(type: LogicalType): TypeFamily {
  switch (type) {
    case 'int32':
    case 'int64':
    case 'float':
    case 'double':
    case 'decimal':
      return 'numeric';
    case 'string':
      return 'string';
    case 'date':
    case 'timestamp':
      return 'temporal';
    case 'boolean':
      return 'boolean';
    case 'binary':
      return 'binary';
    case 'struct':
    case 'list':
    case 'map':
      return 'nested';
    case 'unknown':
      return 'unknown';
    default:
      return type satisfies never;
  }
}

/** Whether two types belong to the same family (int32 and double do; int32 and string do not). */
export function sameFamily(a: LogicalType, b: LogicalType): boolean {
  return typeFamily(a) === typeFamily(b);
}

/**
 * Avro-style promotions: a reader of `to` can read every value written as `from`.
 * int32→int64→double (and float, decimal), float→double, date→timestamp. Identity is not a widening.
 */
const WIDENINGS: Readonly<Record<LogicalType, readonly LogicalType[]>> = {
  int32: ['int64', 'float', 'double', 'decimal'],
  int64: ['float', 'double', 'decimal'],
  float: ['double'],
  double: [],
  decimal: [],
  string: [],
  date: ['timestamp'],
  timestamp: [],
  boolean: [],
  binary: [],
  struct: [],
  list: [],
  map: [],
  unknown: [],
};

/** True when `from` → `to` is a compatible promotion in the Avro sense (not the identity). */
export function isWidening(from: LogicalType, to: LogicalType): boolean {
  return WIDENINGS[from].includes(to);
}

/**
 * Exact casts: every value of `from` survives a round trip through `to`. Stricter than
 * `isWidening`: int64→double and int32→float lose precision above 2^53 / 2^24, so they are
 * widenings but not lossless. Any scalar → string is lossless (text keeps the exact spelling);
 * string → anything is not (values may fail to parse; the coercion plan treats that as
 * declared-safe because failures go to quarantine).
 */
export function castIsLossless(from: LogicalType, to: LogicalType): boolean {
  if (from === to) return true;
  if (to === 'string') return typeFamily(from) !== 'nested' && from !== 'unknown';
  switch (from) {
    case 'int32':
      return to === 'int64' || to === 'double' || to === 'decimal';
    case 'int64':
      // DuckDB and Spark decimals reach 38 digits; a 64-bit integer has at most 19.
      return to === 'decimal';
    case 'float':
      return to === 'double';
    case 'date':
      return to === 'timestamp';
    default:
      return false;
  }
}

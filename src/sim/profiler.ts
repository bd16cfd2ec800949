// A small pure profiler over in-memory rows: the same DatasetProfile the DuckDB engine computes,
// fast enough that the 30-seed benchmark profiles every generated batch in-process.

import { type BadRowMeasurement, badRowChecks, badRowShare, measureBadRows } from '../core/bad-rows.js';
import {
  type ColumnProfile,
  type DatasetProfile,
  QUANTILE_PROBS,
  TOP_VALUES,
  type TopValue,
} from '../core/profile.js';
import type { LogicalType, TableSchema } from '../core/schema.js';
import type { Row } from './tables.js';

/** The value at a dotted path (`address.city`), undefined when any step is missing. */
export function valueAt(row: Row, path: string): unknown {
  if (path in row) return row[path];
  let cur: unknown = row;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

// Shape checks only (month 01-12, day 01-31, hour 00-23): cheap enough for every cell.
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const TIMESTAMP = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[ T]([01]\d|2[0-3]):[0-5]\d:[0-5]\d/;

/** Whether a value is a valid instance of a logical type (text is parsed, as a reader with a declared schema would). */
export function parsesAs(value: unknown, type: LogicalType): boolean {
  switch (type) {
    case 'int32':
    case 'int64':
      return typeof value === 'number'
        ? Number.isInteger(value)
        : // By value, as the DuckDB engine judges it: the text 68.0 is an integer, 68.5 is not.
          typeof value === 'string' && /^[+-]?\d+(\.0*)?$/.test(value.trim());
    case 'float':
    case 'double':
    case 'decimal':
      return (
        typeof value === 'number' ||
        (typeof value === 'string' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value.trim()))
      );
    case 'date':
      return typeof value === 'string' && DATE.test(value);
    case 'timestamp':
      return typeof value === 'string' && TIMESTAMP.test(value);
    case 'boolean':
      // Text as DuckDB's BOOLEAN cast takes it (short words only, as the engine's check).
      return (
        typeof value === 'boolean' ||
        (typeof value === 'string' && value.trim().length <= 5 && BOOLEAN_WORDS.test(value.trim()))
      );
    case 'string':
      return typeof value === 'string';
    case 'struct':
      return typeof value === 'object' && value !== null;
    default:
      return true;
  }
}

const isScalar = (t: LogicalType) => t !== 'struct' && t !== 'list' && t !== 'map' && t !== 'unknown';

const BOOLEAN_WORDS = /^(true|false|t|f|yes|no|y|n|1|0|on|off)$/i;

const NUMERIC: ReadonlySet<LogicalType> = new Set(['int32', 'int64', 'float', 'double', 'decimal']);

/** Types a text column may really hold, tried in this order (as the DuckDB engine's TEXT_CANDIDATES). */
const TEXT_CANDIDATES: readonly LogicalType[] = ['int64', 'double', 'date', 'timestamp', 'boolean'];
/** A text column "mostly parses" as a type when at least this share of its values do (engine's MOSTLY). */
const MOSTLY = 0.5;

/**
 * A text column with no other contract type is measured against the candidate type most of its
 * values parse as, as the DuckDB engine does: the candidates its least and greatest values allow
 * (numbers and dates start below `:`, boolean words lie between `F` and `yes`), the first best one.
 */
function textCandidate(
  values: readonly unknown[],
  min: string | undefined,
  max: string | undefined,
): { type: LogicalType; validity: number } | undefined {
  if (min === undefined || values.length === 0) return undefined;
  const hi = max ?? min;
  const numbers = min < ':';
  const booleans = !(hi < 'F' || min > 'yes');
  let best: { type: LogicalType; validity: number } | undefined;
  for (const t of TEXT_CANDIDATES.filter((c) => (c === 'boolean' ? booleans : numbers))) {
    const share = values.filter((v) => parsesAs(v, t)).length / values.length;
    if (!best || share > best.validity) best = { type: t, validity: share };
  }
  return best && best.validity >= MOSTLY ? best : undefined;
}

/** A number as DuckDB's CAST(... AS VARCHAR) writes it: a whole DOUBLE keeps its `.0`. */
function numberText(v: number, type: LogicalType): string {
  return (type === 'double' || type === 'float') && Number.isInteger(v) && Math.abs(v) < 1e15
    ? `${v}.0`
    : String(v);
}

/** The lower quantile (the smallest value with F(value) ≥ p) at each of QUANTILE_PROBS. */
export function quantiles(values: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  return QUANTILE_PROBS.map((p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!);
}

/** The TOP_VALUES most frequent values, most frequent first, ties by value (as the DuckDB engine). */
export function topValues(counts: ReadonlyMap<string, number>): TopValue[] {
  return [...counts]
    .sort(([va, a], [vb, b]) => b - a || (va < vb ? -1 : va > vb ? 1 : 0))
    .slice(0, TOP_VALUES)
    .map(([value, count]) => ({ value, count }));
}

/**
 * Profiles rows against the schema they were read with (the sim engine reads with the declared
 * types, as Glue does with its catalog schema): per column the null count and rate, approximate
 * distinct, min/max, validity (share of non-null values that parse as the column type), quantiles
 * of numeric columns and the frequent values of text and boolean columns;
 * duplicate counts for the declared key (rows beyond the first per key value).
 */
export function profileRows(
  rows: readonly Row[],
  schema: TableSchema,
  options: { source: string; format?: string; keys?: string[]; expected?: TableSchema } = {
    source: schema.name,
  },
): DatasetProfile {
  const n = rows.length;
  const expected = new Map((options.expected?.fields ?? []).map((f) => [f.path, f.type]));
  const columns: ColumnProfile[] = schema.fields.map((f) => {
    // As the DuckDB engine does: a column whose contract says another scalar type is measured
    // against the contract type (how many of its values would cast), not against its own.
    const want = expected.get(f.path);
    const against =
      want !== undefined && want !== f.type && isScalar(want) && isScalar(f.type) ? want : f.type;
    let nulls = 0;
    let valid = 0;
    const distinct = new Set<unknown>();
    let min: string | undefined;
    let max: string | undefined;
    let minNum = Number.POSITIVE_INFINITY;
    let maxNum = Number.NEGATIVE_INFINITY;
    const numeric = NUMERIC.has(f.type) ? ([] as number[]) : undefined;
    const counts = f.type === 'string' || f.type === 'boolean' ? new Map<string, number>() : undefined;
    // Text with no other contract type may hold numbers or dates: kept to measure against them.
    const texts = f.type === 'string' && against === 'string' ? ([] as unknown[]) : undefined;
    for (const row of rows) {
      const v = valueAt(row, f.path);
      if (v === null || v === undefined) {
        nulls++;
        continue;
      }
      if (parsesAs(v, against)) valid++;
      texts?.push(v);
      if (counts && (typeof v === 'string' || typeof v === 'boolean')) {
        const key = String(v);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      if (typeof v === 'number') {
        if (numeric && Number.isFinite(v)) numeric.push(v);
        distinct.add(v);
        if (v < minNum) minNum = v;
        if (v > maxNum) maxNum = v;
      } else if (f.type !== 'struct') {
        // As the engine: a struct has no distinct count or min/max (only its members do).
        const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
        distinct.add(text);
        if (min === undefined || text < min) min = text;
        if (max === undefined || text > max) max = text;
      }
    }
    const values = n - nulls;
    const profile: ColumnProfile = {
      path: f.path,
      type: f.type,
      rawType: f.rawType,
      nullCount: nulls,
      nullRate: n === 0 ? 0 : nulls / n,
      distinct: distinct.size,
      validity: values === 0 ? 1 : valid / values,
    };
    if (against !== f.type) profile.validityType = against;
    const candidate = texts ? textCandidate(texts, min, max) : undefined;
    if (candidate) {
      profile.validityType = candidate.type;
      profile.validity = candidate.validity;
    }
    if (numeric && numeric.length > 0) profile.quantiles = quantiles(numeric);
    if (counts) profile.topValues = topValues(counts);
    if (minNum !== Number.POSITIVE_INFINITY) {
      profile.min = numberText(minNum, f.type);
      profile.max = numberText(maxNum, f.type);
    } else if (min !== undefined) {
      profile.min = min;
      profile.max = max;
    }
    return profile;
  });
  const result: DatasetProfile = {
    source: options.source,
    format: options.format ?? 'parquet',
    rowCount: n,
    columns,
  };
  if (options.keys && options.keys.length > 0) {
    const seen = new Set<string>();
    let dups = 0;
    for (const row of rows) {
      const k = options.keys.map((c) => JSON.stringify(valueAt(row, c) ?? null)).join('|');
      if (seen.has(k)) dups++;
      else seen.add(k);
    }
    result.duplicateKeys = { [options.keys.join(',')]: dups };
  }
  return result;
}

/**
 * Rows that break a contract, as the core defines a bad row (core/bad-rows.ts): the simulator's
 * measurement over its in-memory rows. Missing required columns make every row bad. `renames`
 * (current name → contract name) are read as the contract column they map back to, as
 * `coerce_schema` would.
 */
export function measureContractBadRows(
  rows: readonly Row[],
  contract: { schema: TableSchema; keys: string[] },
  current: TableSchema,
  renames: readonly { from: string; to: string }[] = [],
): BadRowMeasurement {
  const checks = badRowChecks(
    contract,
    current.fields.map((f) => f.path),
    renames,
  );
  return measureBadRows(rows, checks, valueAt);
}

/** The number of rows `measureContractBadRows` finds bad (every row when a required column is missing). */
export function contractBadRows(
  rows: readonly Row[],
  contract: { schema: TableSchema; keys: string[] },
  current: TableSchema,
  renames: readonly { from: string; to: string }[] = [],
): number {
  const m = measureContractBadRows(rows, contract, current, renames);
  return Math.round(badRowShare(m) * m.rowsMeasured);
}

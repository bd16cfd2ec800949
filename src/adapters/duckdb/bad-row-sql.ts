// The core's definition of a bad row (core/bad-rows.ts) compiled to DuckDB SQL: a verdict per value,
// the per-row flags, and the one grouped query that counts bad rows over a staged relation.

import {
  type BadRowChecks,
  type BadRowMeasurement,
  emptyBadRowMeasurement,
  VALUE_TEXT,
} from '../../core/bad-rows.js';
import type { LogicalType } from '../../core/schema.js';
import { logicalToDuckdb } from './duckdb-types.js';
import { quoteIdent, quoteLiteral } from './sql.js';

/** A verdict as SQL: 0 ok, 1 unparseable, 2 out of range (core `ValueVerdict`). */
const OK = '0';
const UNPARSEABLE = '1';
const OUT_OF_RANGE = '2';

const INTEGERS = new Set<LogicalType>(['int32', 'int64']);
const NUMBERS = new Set<LogicalType>(['int32', 'int64', 'float', 'double', 'decimal']);

function full(text: string, pattern: string): string {
  return `regexp_full_match(${text}, ${quoteLiteral(pattern)})`;
}

/**
 * SQL for the verdict (0, 1, 2) on the non-null value `expr`, read as `input`, against the contract
 * type `type`: the same rules as core `judgeValue`. NULL values are the caller's (required or not).
 */
export function verdictSql(expr: string, input: LogicalType, type: LogicalType): string {
  if (input === type && type !== 'double' && type !== 'float') return OK;
  const text = `trim(CAST(${expr} AS VARCHAR))`;
  const isText = input === 'string';
  switch (type) {
    case 'int32':
    case 'int64': {
      const duck = logicalToDuckdb(type)!;
      if (INTEGERS.has(input))
        return `CASE WHEN TRY_CAST(${expr} AS ${duck}) IS NULL THEN ${OUT_OF_RANGE} ELSE ${OK} END`;
      if (!isText && !NUMBERS.has(input)) return UNPARSEABLE;
      const d = isText ? `TRY_CAST(${text} AS DOUBLE)` : `CAST(${expr} AS DOUBLE)`;
      const integral = isText
        ? `WHEN ${full(text, VALUE_TEXT.integer)} THEN (CASE WHEN TRY_CAST(${text} AS ${duck}) IS NULL THEN ${OUT_OF_RANGE} ELSE ${OK} END)`
        : '';
      return `(CASE ${isText ? `WHEN NOT ${full(text, VALUE_TEXT.number)} THEN ${UNPARSEABLE}` : ''} ${integral}
        WHEN NOT isfinite(${d}) THEN ${OUT_OF_RANGE} WHEN ${d} <> trunc(${d}) THEN ${UNPARSEABLE}
        WHEN TRY_CAST(${d} AS ${duck}) IS NULL THEN ${OUT_OF_RANGE} ELSE ${OK} END)`;
    }
    case 'float':
    case 'double':
    case 'decimal': {
      if (input === 'float' || input === 'double')
        return `CASE WHEN isfinite(${expr}) THEN ${OK} ELSE ${OUT_OF_RANGE} END`;
      if (NUMBERS.has(input)) return OK;
      if (!isText) return UNPARSEABLE;
      return `(CASE WHEN NOT ${full(text, VALUE_TEXT.number)} THEN ${UNPARSEABLE}
        WHEN isfinite(TRY_CAST(${text} AS DOUBLE)) THEN ${OK} ELSE ${OUT_OF_RANGE} END)`;
    }
    case 'date':
      if (!isText) return UNPARSEABLE;
      return `CASE WHEN ${full(text, VALUE_TEXT.date)} AND TRY_CAST(${text} AS DATE) IS NOT NULL THEN ${OK} ELSE ${UNPARSEABLE} END`;
    case 'timestamp':
      if (input === 'date') return OK;
      if (!isText) return UNPARSEABLE;
      return `CASE WHEN (regexp_matches(${text}, ${quoteLiteral(`^(${VALUE_TEXT.timestampPrefix})`)}) OR ${full(text, VALUE_TEXT.date)}) AND TRY_CAST(${text} AS TIMESTAMP) IS NOT NULL THEN ${OK} ELSE ${UNPARSEABLE} END`;
    case 'boolean':
      if (!isText) return UNPARSEABLE;
      return `CASE WHEN ${full(`lower(${text})`, VALUE_TEXT.boolean)} THEN ${OK} ELSE ${UNPARSEABLE} END`;
    case 'string':
    case 'binary':
    case 'struct':
    case 'list':
    case 'map':
    case 'unknown':
      return OK;
    default:
      return type satisfies never;
  }
}

/** How to read one input column: its SQL expression and the type it was read as. */
export interface InputColumn {
  expr: string;
  type: LogicalType;
}

/** Per-row SQL flags (never NULL) for each reason a row can break its contract, key aside. */
export interface BadRowFlags {
  nullInRequired: string;
  unparseable: string;
  outOfRange: string;
}

export function badRowFlagsSql(checks: BadRowChecks, input: ReadonlyMap<string, InputColumn>): BadRowFlags {
  const nulls: string[] = [];
  const unparseable: string[] = [];
  const outOfRange: string[] = [];
  for (const c of checks.columns) {
    const col = input.get(c.column);
    if (!col) continue;
    if (c.required) nulls.push(`${col.expr} IS NULL`);
    const verdict = verdictSql(col.expr, col.type, c.type);
    if (verdict === OK) continue;
    if (verdict === UNPARSEABLE) {
      unparseable.push(`${col.expr} IS NOT NULL`);
      continue;
    }
    const v = `COALESCE(${verdict}, ${OK})`;
    unparseable.push(`(${col.expr} IS NOT NULL AND ${v} = ${UNPARSEABLE})`);
    outOfRange.push(`(${col.expr} IS NOT NULL AND ${v} = ${OUT_OF_RANGE})`);
  }
  const any = (parts: string[]) => (parts.length ? `(${parts.join(' OR ')})` : 'false');
  return { nullInRequired: any(nulls), unparseable: any(unparseable), outOfRange: any(outOfRange) };
}

/**
 * One query over `relation` counting bad rows (and, with a key, duplicates) in a single scan: the
 * flags per row, then per key value the rows and those bad otherwise (core `keyGroupBadRows`).
 * Columns: rows, bad, null_in_required, unparseable, out_of_range, duplicate_key.
 */
export function badRowMeasureSql(
  relation: string,
  checks: BadRowChecks,
  input: ReadonlyMap<string, InputColumn>,
): string {
  const f = badRowFlagsSql(checks, input);
  const keyExprs = checks.key.map((k) => input.get(k)?.expr ?? quoteIdent(k));
  const flags = `${f.nullInRequired} AS nr, ${f.unparseable} AS up, ${f.outOfRange} AS oor`;
  if (keyExprs.length === 0)
    return `SELECT count(*) AS rows, count(*) FILTER (WHERE nr OR up OR oor) AS bad,
      count(*) FILTER (WHERE nr) AS null_in_required, count(*) FILTER (WHERE up) AS unparseable,
      count(*) FILTER (WHERE oor) AS out_of_range, 0 AS duplicate_key
      FROM (SELECT ${flags} FROM ${relation})`;
  const keys = keyExprs.map((e, i) => `${e} AS k${i}`).join(', ');
  const groupBy = keyExprs.map((_, i) => `k${i}`).join(', ');
  return `SELECT COALESCE(sum(n), 0) AS rows, COALESCE(sum(greatest(b, n - 1)), 0) AS bad,
      COALESCE(sum(nr), 0) AS null_in_required, COALESCE(sum(up), 0) AS unparseable,
      COALESCE(sum(oor), 0) AS out_of_range, COALESCE(sum(n - 1), 0) AS duplicate_key
    FROM (SELECT count(*) AS n, count(*) FILTER (WHERE nr OR up OR oor) AS b,
        count(*) FILTER (WHERE nr) AS nr, count(*) FILTER (WHERE up) AS up, count(*) FILTER (WHERE oor) AS oor
      FROM (SELECT ${keys}, ${flags} FROM ${relation}) GROUP BY ${groupBy})`;
}

/** Reads the row of `badRowMeasureSql` into the core's measurement. */
export function readBadRowMeasurement(
  row: Record<string, unknown> | undefined,
  checks: BadRowChecks,
  sampled: boolean,
): BadRowMeasurement {
  const m = emptyBadRowMeasurement(sampled, checks.missingRequired);
  const n = (name: string) => Number(row?.[name] ?? 0);
  m.rowsMeasured = n('rows');
  m.badRows = n('bad');
  m.byReason = {
    null_in_required: n('null_in_required'),
    unparseable: n('unparseable'),
    out_of_range: n('out_of_range'),
    duplicate_key: n('duplicate_key'),
  };
  return m;
}

/**
 * The core's verdict where a cast to the contract type is already computed (`cast`, from `raw`
 * read as `input`): what the cast takes but the core rejects, as a condition on a non-null `raw`.
 * Cheaper than `verdictSql` (no pattern matching), for splitting millions of rows: an integer cast
 * that rounded a fraction away, a number that is not finite, a time cut off a date. Undefined when
 * a non-null cast is all the core asks.
 */
export function castMisfitSql(
  raw: string,
  cast: string,
  input: LogicalType,
  type: LogicalType,
): string | undefined {
  switch (type) {
    case 'int32':
    case 'int64':
      if (input === 'string') return `TRY_CAST(${raw} AS DOUBLE) <> CAST(${cast} AS DOUBLE)`;
      return input === 'float' || input === 'double' || input === 'decimal'
        ? `CAST(${raw} AS DOUBLE) <> CAST(${cast} AS DOUBLE)`
        : undefined;
    case 'float':
    case 'double':
      return `NOT isfinite(${cast})`;
    case 'date':
      return input === 'string' ? `length(trim(${raw})) <> 10` : undefined;
    default:
      return undefined;
  }
}

// A value judged by what it is, not by what DuckDB's cast makes of it: CAST('1.5' AS BIGINT) is 2
// and CAST('1e400' AS DOUBLE) is Infinity, both silently. `strictValue` yields the typed value, or
// NULL when the text is not a value of the type (a fraction in an integer column, a word in a
// number column, an out-of-range or non-finite number); `violation` says which rule it breaks.

import type { LogicalType } from '../../core/schema.js';
import { logicalToDuckdb } from './duckdb-types.js';
import { quoteLiteral } from './sql.js';

/** Declared formats of temporal text (the pipeline's `read:` options). */
export interface TemporalFormats {
  dateFormat?: string;
  timestampFormat?: string;
}

/** An integer written as digits, with at most a zero fraction (`68.0` is the integer 68). */
const INTEGER_TEXT = `'[+-]?[0-9]+([.]0*)?'`;

/**
 * SQL of the value of `expr` as `type`, NULL when it is not one. `exprType` is the DuckDB type of
 * `expr`: a column already of the type passes as it is (doubles must still be finite); anything
 * else is judged by its text.
 */
export function strictValue(
  expr: string,
  exprType: string,
  type: LogicalType,
  formats: TemporalFormats = {},
): string {
  const duck = logicalToDuckdb(type);
  if (duck === undefined) return expr;
  const native = exprType.toUpperCase() === duck;
  if (native)
    return type === 'double' || type === 'float' ? `CASE WHEN isfinite(${expr}) THEN ${expr} END` : expr;
  const t = `trim(CAST(${expr} AS VARCHAR))`;
  switch (type) {
    case 'int32':
    case 'int64':
      return `CASE WHEN regexp_full_match(${t}, ${INTEGER_TEXT}) THEN TRY_CAST(regexp_replace(${t}, '[.]0*$', '') AS ${duck}) END`;
    case 'float':
    case 'double':
    case 'decimal':
      // A number must start like one: DuckDB also casts the words 'inf' and 'nan'.
      return `CASE WHEN regexp_full_match(${t}, '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?') AND isfinite(TRY_CAST(${t} AS DOUBLE)) THEN TRY_CAST(${t} AS ${duck}) END`;
    case 'boolean':
      return `CASE WHEN length(${t}) <= 5 THEN TRY_CAST(${t} AS BOOLEAN) END`;
    case 'date':
      if (formats.dateFormat) return `CAST(try_strptime(${t}, ${quoteLiteral(formats.dateFormat)}) AS DATE)`;
      // DuckDB casts '2001/01/01 06:55' to a DATE by dropping the time: that value is a timestamp.
      return `CASE WHEN NOT regexp_matches(${t}, '[0-9]:[0-9]') THEN TRY_CAST(${t} AS DATE) END`;
    case 'timestamp':
      if (formats.timestampFormat) return `try_strptime(${t}, ${quoteLiteral(formats.timestampFormat)})`;
      return `TRY_CAST(${t} AS TIMESTAMP)`;
    case 'string':
      return `CAST(${expr} AS VARCHAR)`;
    case 'binary':
      return `TRY_CAST(${expr} AS BLOB)`;
    default:
      return `TRY_CAST(${expr} AS ${duck})`;
  }
}

/** The rules a value can break. */
export type ValueRule = 'type' | 'range';

/**
 * SQL of why a non-null `expr` is not a value of `type` (NULL when it is): `range` for a number out
 * of the type's range or not finite, else `type`.
 */
export function violationRule(
  expr: string,
  exprType: string,
  type: LogicalType,
  formats: TemporalFormats = {},
): string {
  const t = `trim(CAST(${expr} AS VARCHAR))`;
  const numeric =
    type === 'int32' || type === 'int64' || type === 'float' || type === 'double' || type === 'decimal';
  const d = `TRY_CAST(${t} AS DOUBLE)`;
  const integral = type === 'int32' || type === 'int64';
  // Out of range: integer digits the type cannot hold, a number beyond double (1e400 reads as
  // Infinity), or an integral number written otherwise (1e+19) beyond the integer type.
  const outOfRange = numeric
    ? `(regexp_full_match(${t}, ${INTEGER_TEXT}) OR NOT isfinite(${d})${integral ? ` OR (${d} = trunc(${d}) AND abs(${d}) >= ${type === 'int32' ? '2147483648' : '9223372036854775808'})` : ''})`
    : 'false';
  return `CASE WHEN ${expr} IS NULL OR (${strictValue(expr, exprType, type, formats)}) IS NOT NULL THEN NULL WHEN ${outOfRange} THEN 'range' ELSE 'type' END`;
}

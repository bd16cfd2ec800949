// The distribution measurements of a profile in DuckDB SQL: quantiles of numeric columns (extra
// aggregates for the profile's one aggregate query) and the frequent values of text columns (one
// more query, one scan for all of them), over any relation or table name.

import { QUANTILE_PROBS, TOP_VALUES, type TopValue } from '../../core/profile.js';
import type { LogicalType } from '../../core/schema.js';

const NUMERIC: ReadonlySet<LogicalType> = new Set(['int32', 'int64', 'float', 'double', 'decimal']);
const CATEGORICAL: ReadonlySet<LogicalType> = new Set(['string', 'boolean']);

/** A column to measure: the SQL expression of its value, its type and a stable index. */
export interface StatColumn {
  index: number;
  expr: string;
  type: LogicalType;
}

/**
 * Aggregate expressions (`... AS q<index>`) to add to a profile's SELECT over the relation:
 * approximate quantiles at QUANTILE_PROBS for numeric columns (t-digest, the cost class of
 * SUMMARIZE's own quartiles; infinities and NaN left out).
 */
export function quantileSelects(columns: readonly StatColumn[]): string[] {
  const probs = `[${QUANTILE_PROBS.join(', ')}]`;
  return columns
    .filter((c) => NUMERIC.has(c.type))
    .map((c) => {
      const v = `CAST(${c.expr} AS DOUBLE)`;
      return `approx_quantile(${v}, ${probs}) FILTER (WHERE isfinite(${v})) AS q${c.index}`;
    });
}

/** The quantiles read back from the aggregate row, or undefined when there were none. */
export function readQuantiles(row: Record<string, unknown>, index: number): number[] | undefined {
  const q = row[`q${index}`];
  if (!Array.isArray(q) || q.length !== QUANTILE_PROBS.length) return undefined;
  const values = q.map((v) => Number(v));
  return values.every((v) => Number.isFinite(v)) ? values : undefined;
}

/**
 * One query over `from` giving, per text or boolean column, its TOP_VALUES most frequent non-null
 * values with counts (rows `g`, `v`, `n`); undefined when no column qualifies. The columns are
 * unpivoted into (column, value) pairs so the relation is scanned once.
 */
export function topValuesQuery(columns: readonly StatColumn[], from: string): string | undefined {
  const picked = columns.filter((c) => CATEGORICAL.has(c.type));
  if (picked.length === 0) return undefined;
  const pairs = picked.map((c) => `{'g': ${c.index}, 'v': CAST(${c.expr} AS VARCHAR)}`).join(', ');
  return `SELECT g, v, n FROM (
    SELECT g, v, count(*) AS n, row_number() OVER (PARTITION BY g ORDER BY count(*) DESC, v) AS r
    FROM (SELECT unnest(p, recursive := true) FROM (SELECT unnest([${pairs}]) AS p FROM ${from}))
    WHERE v IS NOT NULL GROUP BY g, v
  ) WHERE r <= ${TOP_VALUES} ORDER BY g, r`;
}

/** The rows of topValuesQuery grouped by column index, most frequent first. */
export function readTopValues(rows: readonly Record<string, unknown>[]): Map<number, TopValue[]> {
  const out = new Map<number, TopValue[]>();
  for (const r of rows) {
    const g = Number(r.g);
    const list = out.get(g) ?? [];
    list.push({ value: String(r.v), count: Number(r.n) });
    out.set(g, list);
  }
  return out;
}

// The failing-rows query: evaluates the findings' row checks (core/failing-row.ts) on every row of
// a relation and returns the first rows that fail, with their position, key values and reasons.

import type { FailingRow, RowCheck } from '../../core/failing-row.js';
import type { LogicalType } from '../../core/schema.js';
import { quoteLiteral } from './sql.js';

/** How the engine reads one column: its SQL expression over the relation and its type. */
export interface ColumnRef {
  expr: string;
  type: LogicalType;
}

export interface FailingRowsQuery {
  /** A relation or table name holding the rows, in their reading order. */
  relation: string;
  checks: readonly RowCheck[];
  /** The declared key, reported with every row. */
  keys: readonly string[];
  limit: number;
  /** Resolves a column path; undefined when the data has no such column (its checks are skipped). */
  column(path: string): ColumnRef | undefined;
  /** SQL condition: the value parses as `type` (the engine's own validity rule). */
  parses(expr: string, type: LogicalType, from: LogicalType): string;
}

const SHOWN = 60;

function shown(expr: string): string {
  return `coalesce(left(CAST(${expr} AS VARCHAR), ${SHOWN}), 'null')`;
}

/** The SQL, or undefined when no check applies to a column of the data. */
export function failingRowsSql(q: FailingRowsQuery): string | undefined {
  const conditions: { when: string; reason: string }[] = [];
  let dupKey: string[] | undefined;
  for (const check of q.checks) {
    if (check.rule === 'unique_key') {
      const refs = check.columns.map((c) => q.column(c));
      if (refs.some((r) => r === undefined)) continue;
      dupKey = refs.map((r) => r!.expr);
      conditions.push({
        when: '__occurrence > 1',
        reason: `${quoteLiteral(`duplicate key (${check.columns.join(', ')}), occurrence `)} || __occurrence`,
      });
      continue;
    }
    const ref = q.column(check.column);
    if (!ref) continue;
    const name = quoteLiteral(`${check.column}: `);
    switch (check.rule) {
      case 'parse':
        conditions.push({
          when: `(${ref.expr} IS NOT NULL AND NOT ${q.parses(ref.expr, check.type, ref.type)})`,
          reason: `${name} || ${shown(ref.expr)} || ${quoteLiteral(` does not parse as ${check.type}`)}`,
        });
        break;
      case 'not_null':
        conditions.push({ when: `${ref.expr} IS NULL`, reason: `${quoteLiteral(`${check.column}: null`)}` });
        break;
      case 'range': {
        if (!Number.isFinite(check.min) || !Number.isFinite(check.max)) break;
        const v = `TRY_CAST(${ref.expr} AS DOUBLE)`;
        conditions.push({
          when: `(${v} < ${check.min} OR ${v} > ${check.max})`,
          reason: `${name} || ${shown(ref.expr)} || ${quoteLiteral(` outside the baseline range [${check.min}, ${check.max}]`)}`,
        });
        break;
      }
      default:
        check satisfies never;
    }
  }
  if (conditions.length === 0) return undefined;
  const keys = q.keys.map((k) => q.column(k));
  const keySelect = keys.map((k, i) => `${k ? `CAST(${k.expr} AS VARCHAR)` : 'NULL'} AS __k${i}`);
  const numbered = `(SELECT *, row_number() OVER () AS __row FROM ${q.relation})`;
  const withDup = dupKey
    ? `(SELECT *, row_number() OVER (PARTITION BY ${dupKey.join(', ')} ORDER BY __row) AS __occurrence FROM ${numbered})`
    : numbered;
  const reasons = conditions.map((c) => `CASE WHEN ${c.when} THEN ${c.reason} END`).join(', ');
  return `SELECT __row, ${[...keySelect, `list_filter([${reasons}], x -> x IS NOT NULL) AS __reasons`].join(', ')}
    FROM ${withDup} WHERE ${conditions.map((c) => c.when).join(' OR ')} ORDER BY __row LIMIT ${Math.max(0, Math.floor(q.limit))}`;
}

/** The query's rows as FailingRows. */
export function readFailingRows(
  rows: readonly Record<string, unknown>[],
  keys: readonly string[],
): FailingRow[] {
  return rows.map((r) => {
    const out: FailingRow = {
      row: Number(r.__row),
      reasons: Array.isArray(r.__reasons) ? r.__reasons.map(String) : [],
    };
    if (keys.length > 0) {
      const key: Record<string, string | null> = {};
      keys.forEach((k, i) => {
        const v = r[`__k${i}`];
        key[k] = v === null || v === undefined ? null : String(v);
      });
      out.key = key;
    }
    return out;
  });
}

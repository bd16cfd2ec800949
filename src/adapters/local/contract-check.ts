// The contract held on every run: before the transform, the staged input's values are judged by
// what they are (strict-value.ts) against the catalog's types, the contract's NOT NULL columns and
// its keys. A violation names the column, the rule, the count and the first offending lines or keys.

import type { DuckDBConnection } from '@duckdb/node-api';
import { ContractViolationError } from '../../core/errors.js';
import type { LogicalType, SchemaField } from '../../core/schema.js';
import { quoteIdent, quoteLiteral } from '../duckdb/sql.js';
import { strictValue, type TemporalFormats, violationRule } from '../duckdb/strict-value.js';
import { queryRows } from './duckdb-sql.js';

/** The rules of a contract a row can break. */
export type ContractRule = 'type' | 'range' | 'not_null' | 'unique';

/** One offending row: its 0-based position in the staged table, and what it holds. */
export interface ViolationSample {
  row: number;
  /** 1-based line in the file, when the reader can tell. */
  line?: number;
  value?: string;
  key?: string;
}

export interface ContractViolation {
  dataset: string;
  column: string;
  rule: ContractRule;
  /** Offending values (type, range, not_null) or rows beyond the first of each key (unique). */
  count: number;
  rows: number;
  expected?: LogicalType;
  samples: ViolationSample[];
}

export interface ContractCheckInput {
  conn: DuckDBConnection;
  /** Staged table name (unquoted). */
  table: string;
  dataset: string;
  /** The staged table's columns and their DuckDB types. */
  columns: { name: string; type: string }[];
  /** Catalog fields whose values must be of their type. */
  fields: SchemaField[];
  /** Columns that must hold a value. */
  required: string[];
  keys: string[];
  formats?: TemporalFormats;
  /** Turns staged row positions into file lines (single-file text inputs). */
  lines?: (rows: number[]) => Promise<Map<number, number>>;
}

const SAMPLES = 3;

/** Every violation of the contract in the staged table, in rule order: type, range, not_null, unique. */
export async function checkContract(input: ContractCheckInput): Promise<ContractViolation[]> {
  const { conn, columns } = input;
  // Row positions: a table's rowid is its insertion (file) order; a view (a staged table projected
  // through the catalog) has none, and its scan order is its table's.
  const [view] = await queryRows(
    conn,
    `SELECT count(*) AS n FROM duckdb_views() WHERE view_name = ${quoteLiteral(input.table)} AND temporary`,
  );
  const position = Number(view?.n ?? 0) > 0 ? 'row_number() OVER () - 1' : 'rowid';
  const t = `(SELECT *, ${position} AS __healer_pos FROM ${quoteIdent(input.table)})`;
  const typeOf = new Map(columns.map((c) => [c.name, c.type]));
  const typed = input.fields.filter((f) => typeOf.has(f.path) && f.type !== 'string');
  const required = input.required.filter((c) => typeOf.has(c));
  const select = ['count(*) AS n'];
  typed.forEach((f, i) => {
    const rule = violationRule(quoteIdent(f.path), typeOf.get(f.path)!, f.type, input.formats);
    select.push(
      `count(*) FILTER (WHERE ${rule} = 'type') AS t${i}`,
      `count(*) FILTER (WHERE ${rule} = 'range') AS r${i}`,
    );
  });
  for (const [i, c] of required.entries()) select.push(`count(*) - count(${quoteIdent(c)}) AS z${i}`);
  const [agg] = await queryRows(conn, `SELECT ${select.join(', ')} FROM ${t}`);
  const rows = Number(agg?.n ?? 0);
  const found: ContractViolation[] = [];
  const sample = async (where: string, value: string): Promise<ViolationSample[]> =>
    (
      await queryRows(
        conn,
        `SELECT __healer_pos AS r, CAST(${value} AS VARCHAR) AS v FROM ${t} WHERE ${where} ORDER BY __healer_pos LIMIT ${SAMPLES}`,
      )
    ).map((r) => ({ row: Number(r.r), ...(r.v === null ? {} : { value: String(r.v) }) }));
  for (const rule of ['type', 'range'] as const)
    for (const [i, f] of typed.entries()) {
      const count = Number(agg?.[`${rule[0]}${i}`] ?? 0);
      if (count === 0) continue;
      const v = quoteIdent(f.path);
      const where = `${violationRule(v, typeOf.get(f.path)!, f.type, input.formats)} = '${rule}'`;
      found.push({
        dataset: input.dataset,
        column: f.path,
        rule,
        count,
        rows,
        expected: f.type,
        samples: await sample(where, v),
      });
    }
  for (const [i, c] of required.entries()) {
    const count = Number(agg?.[`z${i}`] ?? 0);
    if (count > 0)
      found.push({
        dataset: input.dataset,
        column: c,
        rule: 'not_null',
        count,
        rows,
        samples: await sample(`${quoteIdent(c)} IS NULL`, 'NULL'),
      });
  }
  if (input.keys.length > 0 && input.keys.every((k) => typeOf.has(k))) {
    // Keys compare by value (`07` and `7` are one integer key), text as it is.
    const fieldOf = new Map(input.fields.map((f) => [f.path, f]));
    const keyExprs = input.keys.map((k) => {
      const f = fieldOf.get(k);
      return f ? strictValue(quoteIdent(k), typeOf.get(k)!, f.type, input.formats) : quoteIdent(k);
    });
    const groups = `SELECT ${keyExprs.map((e, i) => `${e} AS k${i}`).join(', ')}, count(*) AS c, min(__healer_pos) AS first, max(__healer_pos) AS r FROM ${t} GROUP BY ALL HAVING count(*) > 1`;
    const [dup] = await queryRows(conn, `SELECT COALESCE(sum(c - 1), 0) AS n FROM (${groups})`);
    const count = Number(dup?.n ?? 0);
    if (count > 0) {
      const first = await queryRows(
        conn,
        `SELECT concat_ws(', ', ${keyExprs.map((_, i) => `CAST(k${i} AS VARCHAR)`).join(', ')}) AS key, r FROM (${groups}) ORDER BY first LIMIT ${SAMPLES}`,
      );
      found.push({
        dataset: input.dataset,
        column: input.keys.join(','),
        rule: 'unique',
        count,
        rows,
        samples: first.map((r) => ({ row: Number(r.r), key: String(r.key) })),
      });
    }
  }
  if (input.lines && found.length > 0) {
    const where = await input.lines(found.flatMap((v) => v.samples.map((s) => s.row)));
    for (const v of found)
      for (const s of v.samples) {
        const line = where.get(s.row);
        if (line !== undefined) s.line = line;
      }
  }
  return found;
}

/** One line per violation: `Contract violation: <dataset>.<column> (<rule>): ...`. */
export function describeViolation(v: ContractViolation): string {
  const at = (s: ViolationSample) => (s.line !== undefined ? `line ${s.line}` : `row ${s.row + 1}`);
  const shown = (s: ViolationSample) => JSON.stringify((s.value ?? '').slice(0, 80));
  const where = `${v.dataset}.${v.column}`;
  switch (v.rule) {
    case 'type':
      return `Contract violation: ${where} (type): ${v.count} of ${v.rows} values are not valid ${v.expected} (${v.samples.map((s) => `${at(s)}: ${shown(s)}`).join('; ')})`;
    case 'range':
      return `Contract violation: ${where} (range): ${v.count} of ${v.rows} values are out of range or not finite for ${v.expected} (${v.samples.map((s) => `${at(s)}: ${shown(s)}`).join('; ')})`;
    case 'not_null':
      return `Contract violation: ${where} (not_null): ${v.count} of ${v.rows} rows hold a null in a required column (${v.samples.map(at).join(', ')}); NOT NULL constraint failed: ${where}`;
    case 'unique':
      return `Contract violation: ${where} (unique): ${v.count} of ${v.rows} rows repeat a key (${v.column}) (keys: ${v.samples.map((s) => `${s.key} at ${at(s)}`).join('; ')})`;
    default:
      return v.rule satisfies never;
  }
}

/** The typed error failing the run: every violation, one per line; context names the first. */
export function contractError(location: string, violations: ContractViolation[]): ContractViolationError {
  const first = violations[0]!;
  return new ContractViolationError(`${violations.map(describeViolation).join('\n')}\n  in ${location}`, {
    context: {
      dataset: first.dataset,
      column: first.column,
      rule: first.rule,
      count: first.count,
      file: location,
    },
  });
}

// Brings one source's input to its contract on the re-run's own DuckDB connection: renamed columns
// mapped back, values cast to the contract types, and every row that breaks the contract (a value
// that does not cast, a null in a required column, a duplicate key) routed to quarantine with its
// original values, a reason and the incident id; the conformed rows become the table the re-run
// reads. Nothing is dropped: rows in = delivered + quarantined.

import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { badRowChecks } from '../../../core/bad-rows.js';
import type { DatasetContract } from '../../../core/contract.js';
import type { DeliveredQuality, RowAccounting } from '../../../core/outcome.js';
import type { ReadOptions } from '../../../core/read-options.js';
import type { TableSchema } from '../../../core/schema.js';
import { crashPoint } from '../../../crash-point.js';
import {
  badRowMeasureSql,
  castMisfitSql,
  readBadRowMeasurement,
  verdictSql,
} from '../../duckdb/bad-row-sql.js';
import { csvReadSql, groupRejects } from '../../duckdb/csv-read.js';
import { type DataSource, type DuckdbDataEngine, withDialect } from '../../duckdb/duckdb-data-engine.js';
import { duckdbTypeToLogical, flattenColumn, logicalToDuckdb } from '../../duckdb/duckdb-types.js';
import { quoteIdent, quoteLiteral } from '../../duckdb/sql.js';
import { strictValue } from '../../duckdb/strict-value.js';
import { fsyncFile } from '../atomic-file.js';
import { describeQuery, queryRows, readRelation } from '../duckdb-sql.js';
import type { KeptSource } from '../kept-input.js';
import { safeName } from '../local-catalog.js';

export interface ConformPlan {
  /** Current name → contract name. */
  renames: { from: string; to: string }[];
}

/** One column of the conformed rows, and where its values come from. */
export type ConformedColumn = { name: string } & (
  | { from: 'cast'; column: string }
  | { from: 'input'; column: string }
  | { from: 'missing'; type: string }
);

/** The SQL of one conformance, over a `SELECT *` of the input plus `computed`. */
export interface ConformSql {
  /** Named columns to compute once: each TRY_CAST, and the duplicate-key mark when keys are declared. */
  computed: string[];
  /** Their names, in order (internal columns no output keeps unless a cast becomes one). */
  computedNames: string[];
  /** True when the row breaks the contract; never NULL. Cheap: no text is built. */
  broken: string;
  /** Why the row breaks the contract (NULL when it does not); evaluate it only for broken rows. */
  reason: string;
  /** The conformed columns as a SELECT list, and the same as data. */
  projection: string;
  outputs: ConformedColumn[];
}

/** SQL that conforms one input to its contract, reading each named cast instead of casting again. */
export function conformSql(
  contract: DatasetContract,
  columns: { name: string; type: string }[],
  plan: ConformPlan,
): ConformSql {
  const present = new Map(columns.map((c) => [c.name, c.type]));
  const sourceOf = new Map(plan.renames.map((r) => [r.to, r.from]));
  const parts: string[] = [];
  const breaks: string[] = [];
  // The same conditions on the input's own columns, for the window that marks duplicates.
  const rawBreaks: string[] = [];
  const select: string[] = [];
  const computed: string[] = [];
  const computedNames: string[] = [];
  const taken = new Set(present.keys());
  const outputs: ConformedColumn[] = [];
  const used = new Set<string>();
  for (const f of contract.schema.fields) {
    if (f.path.includes('.') && !present.has(f.path)) continue; // struct members travel with their struct
    const src = sourceOf.get(f.path) ?? f.path;
    const duck = logicalToDuckdb(f.type) ?? 'VARCHAR';
    const rawType = present.get(src);
    if (rawType === undefined) {
      if (!f.nullable) {
        parts.push(quoteLiteral(`${f.path}: column missing from the input`));
        breaks.push('true');
        rawBreaks.push('true');
      }
      select.push(`CAST(NULL AS ${duck}) AS ${quoteIdent(f.path)}`);
      outputs.push({ name: f.path, from: 'missing', type: duck });
      continue;
    }
    used.add(src);
    const v = quoteIdent(src);
    let value = v;
    let output: ConformedColumn = { name: f.path, from: 'input', column: src };
    const read = duckdbTypeToLogical(rawType);
    let invalid: { cached: string; raw: string } | undefined;
    if (read !== f.type) {
      // Judged by value: DuckDB's TRY_CAST makes 2 of '1.5' and Infinity of '1e400'.
      const cast = freeName(`__healer_cast_${computed.length}`, taken);
      output = { name: f.path, from: 'cast', column: cast };
      value = quoteIdent(cast);
      const rawCast = strictValue(v, rawType, f.type);
      computed.push(`${rawCast} AS ${value}`);
      computedNames.push(cast);
      // The core's verdict on what the cast took (a fraction rounded into an integer, an infinite
      // number): such a value breaks the contract too.
      const misfit = (c: string) => {
        const m = castMisfitSql(v, c, read, f.type);
        return m ? ` OR COALESCE(${m}, false)` : '';
      };
      invalid = {
        cached: `(${value} IS NULL${misfit(value)})`,
        raw: `(${rawCast} IS NULL${misfit(rawCast)})`,
      };
    } else {
      const verdict = verdictSql(v, read, f.type);
      if (verdict !== '0') {
        const misfit = `COALESCE(${verdict}, 0) <> 0`;
        invalid = { cached: misfit, raw: misfit };
      }
    }
    if (invalid) {
      breaks.push(`(${v} IS NOT NULL AND ${invalid.cached})`);
      rawBreaks.push(`(${v} IS NOT NULL AND ${invalid.raw})`);
      parts.push(
        `CASE WHEN ${v} IS NOT NULL AND ${invalid.cached} THEN ${quoteLiteral(`${f.path}: `)} || CAST(${v} AS VARCHAR) || ${quoteLiteral(` is not a valid ${f.type}`)} END`,
      );
    }
    if (!f.nullable) {
      breaks.push(`${v} IS NULL`);
      rawBreaks.push(`${v} IS NULL`);
      parts.push(`CASE WHEN ${v} IS NULL THEN ${quoteLiteral(`${f.path}: null in a required column`)} END`);
    }
    select.push(`${value} AS ${quoteIdent(f.path)}`);
    outputs.push(output);
  }
  const keySources = contract.keys.map((k) => sourceOf.get(k) ?? k).filter((k) => present.has(k));
  if (keySources.length === contract.keys.length && keySources.length > 0) {
    // The row of a key kept is a good one when there is one (core/bad-rows.ts keyGroupBadRows);
    // computed once and kept, so that quarantine and delivery agree on it.
    const dup = freeName('__healer_duplicate', taken);
    const goodFirst = rawBreaks.length ? ` ORDER BY (${rawBreaks.join(' OR ')})` : '';
    computed.push(
      `row_number() OVER (PARTITION BY ${keySources.map(quoteIdent).join(', ')}${goodFirst}) > 1 AS ${quoteIdent(dup)}`,
    );
    computedNames.push(dup);
    breaks.push(quoteIdent(dup));
    parts.push(
      `CASE WHEN ${quoteIdent(dup)} THEN ${quoteLiteral(`duplicate key (${contract.keys.join(', ')})`)} END`,
    );
  }
  for (const c of columns)
    if (!used.has(c.name) && !contract.schema.fields.some((f) => f.path === c.name)) {
      select.push(quoteIdent(c.name));
      outputs.push({ name: c.name, from: 'input', column: c.name });
    }
  return {
    computed,
    computedNames,
    broken: breaks.length ? breaks.join(' OR ') : 'false',
    reason: parts.length ? `NULLIF(concat_ws('; ', ${parts.join(', ')}), '')` : 'CAST(NULL AS VARCHAR)',
    projection: select.join(', '),
    outputs,
  };
}

/** `SELECT *` over `relation` plus the computed columns. */
function withComputed(relation: string, computed: string[]): string {
  return computed.length ? `(SELECT *, ${computed.join(', ')} FROM ${relation})` : relation;
}

/** `base`, or `base` with underscores before it, that is not in `taken`; then taken. */
function freeName(base: string, taken: Set<string>): string {
  let name = base;
  while (taken.has(name)) name = `_${name}`;
  taken.add(name);
  return name;
}

/** Runs a COPY or CREATE TABLE AS and returns the number of rows DuckDB reports having written. */
async function copyCount(conn: DuckDBConnection, sql: string): Promise<number> {
  const reader = await conn.runAndReadAll(sql);
  const first = reader.getRows()[0]?.[0];
  if (first === undefined) throw new Error(`DuckDB reported no row count for: ${sql.slice(0, 80)}`);
  return Number(first);
}

export interface StagedConform {
  rows: RowAccounting;
  quarantine: string;
  /**
   * How the input was read: `typed` (a CSV read with the contract types, every value parsed, the
   * bad rows being nulls in required columns) or `text` (values read as text and TRY_CAST, or a
   * typed format read as it is).
   */
  read: 'typed' | 'text';
  /** The staged table's schema and the quality of its rows, for validation. */
  schema: TableSchema;
  quality: DeliveredQuality;
  /** A few quarantined reasons, for the step detail. */
  sampleReasons: string[];
  /** Wall time of each phase, in order. */
  phases: { name: string; ms: number }[];
}

export interface StageConformedInput {
  /** The re-run's connection: the conformed rows stay in it as the temp table `table`. */
  conn: DuckDBConnection;
  table: string;
  engine: DuckdbDataEngine;
  stateDir: string;
  incidentId: string;
  location: string;
  contract: DatasetContract;
  plan: ConformPlan;
  at: Date;
  /** Try the typed CSV read first (quarantine: the bad rows are usually nulls, not bad text). */
  typedFirst: boolean;
  /**
   * Where to write the quarantined rows: a staged path that the action's commit renames to
   * `quarantinePath` (default: that path itself).
   */
  quarantineAt?: string;
  /** The source's declared reading options. */
  read?: ReadOptions;
  /** The failed run's parsed rows of this input on `conn` (kept-input.ts), when offered. */
  kept?: KeptSource;
}

const INTEGER: ReadonlySet<string> = new Set(['int32', 'int64']);

/** Integers a double holds exactly: beyond this a typed read cannot tell 2^53 + 1 from 2^53. */
const EXACT_DOUBLE = '9007199254740992';

/**
 * After the typed read: integer columns (read as doubles) must hold whole numbers a double holds
 * exactly and the type can hold, and become integers in place; float columns must be finite. False
 * (nothing changed) when a value breaks that: the text path then judges it by its text and
 * quarantines it verbatim.
 */
async function judgedInPlace(
  conn: DuckDBConnection,
  table: string,
  fields: DatasetContract['schema']['fields'],
): Promise<boolean> {
  const t = quoteIdent(table);
  const ints = fields.filter((f) => INTEGER.has(f.type));
  const floats = fields.filter((f) => f.type === 'double' || f.type === 'float');
  if (ints.length + floats.length === 0) return true;
  const checks = [
    ...ints.map((f) => {
      const v = quoteIdent(f.path);
      const limit = f.type === 'int32' ? '2147483648' : EXACT_DOUBLE;
      return `count(*) FILTER (WHERE NOT (isfinite(${v}) AND ${v} = trunc(${v}) AND abs(${v}) < ${limit}))`;
    }),
    ...floats.map((f) => `count(*) FILTER (WHERE NOT isfinite(${quoteIdent(f.path)}))`),
  ];
  const [r] = await queryRows(conn, `SELECT ${checks.map((c, i) => `${c} AS b${i}`).join(', ')} FROM ${t}`);
  if (checks.some((_, i) => Number(r?.[`b${i}`] ?? 0) > 0)) return false;
  for (const f of ints) {
    const v = quoteIdent(f.path);
    await conn.run(
      `ALTER TABLE ${t} ALTER COLUMN ${v} SET DATA TYPE ${logicalToDuckdb(f.type)} USING CAST(${v} AS ${logicalToDuckdb(f.type)})`,
    );
  }
  return true;
}

/** Where the quarantined rows of an incident go: `.healer/quarantine/<source>/<incident>.parquet`. */
export function quarantinePath(stateDir: string, source: string, incidentId: string): string {
  return join(stateDir, 'quarantine', safeName(source), `${safeName(incidentId)}.parquet`);
}

/** Where the conformed rows are kept after a successful re-run (the source's new baseline). */
export function remediatedPath(stateDir: string, source: string, incidentId: string): string {
  return join(stateDir, 'remediated', safeName(incidentId), `${safeName(source)}.parquet`);
}

/**
 * Creates the temp table `table` on `conn` holding the input's rows that meet the contract, cast to
 * its types, and writes the rest to a new quarantine file; counts both. A CSV is first read with
 * the contract types (one parse, as fast as a plain read) when `typedFirst`, there are no renames
 * and every contract column is present; the first value that does not parse, or a duplicate key,
 * sends it to the text path, which reads every value as text so that a value that does not cast
 * is quarantined verbatim.
 */
export async function stageConformed(input: StageConformedInput): Promise<StagedConform> {
  const { conn, contract } = input;
  const src = await input.engine.resolve(input.location);
  const quarantine = input.quarantineAt ?? quarantinePath(input.stateDir, contract.dataset, input.incidentId);
  await mkdir(dirname(quarantine), { recursive: true });
  const phases: { name: string; ms: number }[] = [];
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    phases.push({ name, ms: now - t });
    t = now;
  };
  const split: Split = { ...input, src, quarantine, lap };
  let read: StagedConform['read'] = 'typed';
  const typedFirst = input.typedFirst && input.plan.renames.length === 0 && input.read === undefined;
  let counted = typedFirst && input.kept ? await stageKept(split, input.kept) : undefined;
  // The kept rows' keys were checked by the failed run's contract check (no key repeated), and
  // rows were only removed since: no key can repeat among the delivered ones. (The re-run's own
  // contract check counts them once more before its transform.)
  const keysUnique = counted !== undefined;
  if (!counted && typedFirst && src.format === 'csv') counted = await stageTyped(split);
  if (!counted) {
    read = 'text';
    counted = await stageText(split);
  }
  crashPoint('quarantine-torn', quarantine);
  await fsyncFile(quarantine);
  crashPoint('quarantine-written');
  const reasons = await queryRows(
    conn,
    `SELECT DISTINCT _healer_reason AS r FROM read_parquet(${quoteLiteral(quarantine)}) LIMIT 3`,
  );
  const measured = await measureStaged(conn, input.table, contract, keysUnique);
  lap('count and measure delivered rows');
  return {
    rows: {
      rowsIn: counted.rowsIn,
      rowsDelivered: measured.quality.rowCount,
      rowsQuarantined: counted.quarantined,
    },
    quarantine,
    read,
    schema: measured.schema,
    quality: measured.quality,
    sampleReasons: reasons.map((r) => String(r.r)),
    phases,
  };
}

interface Split extends StageConformedInput {
  src: DataSource;
  quarantine: string;
  lap: (name: string) => void;
}

/** The audit columns every quarantined row carries after its original ones. */
function quarantineColumns(split: Split, reason: string): string {
  return `${reason} AS _healer_reason, ${quoteLiteral(split.incidentId)} AS _healer_incident_id, ${quoteLiteral(split.contract.dataset)} AS _healer_source, CAST(${quoteLiteral(split.at.toISOString())} AS TIMESTAMP) AS _healer_quarantined_at`;
}

let rejectsSeq = 0;

/**
 * A CSV read as text: no inference pass, every original value kept verbatim, the dialect declared
 * or taken from the header (never sniffed from the data), and the lines that cannot be read as rows
 * kept in a rejects table with their file, line number, reason and raw text.
 */
async function csvText(
  src: DataSource,
  contract: DatasetContract,
  read: ReadOptions | undefined,
): Promise<{ relation: string; rejects: { table: string; scan: string }[] }> {
  const csv = await withDialect(src, { read: read ?? {}, expected: contract.schema });
  const n = ++rejectsSeq;
  const rejects = { table: `__healer_conform_rejects_${n}`, scan: `__healer_conform_scan_${n}` };
  const groups = csv.csv!.dialect.groups.length;
  return {
    relation: csvReadSql(csv.csv!.dialect, read ?? {}, { allVarchar: true, rejects }),
    rejects: Array.from({ length: groups }, (_, i) => groupRejects(rejects, i, groups)),
  };
}

/** Distinct (file, line) pairs in a rejects table; 0 when nothing was rejected (no table). */
async function malformedCount(
  conn: DuckDBConnection,
  rejects: { table: string; scan: string }[],
): Promise<number> {
  let n = 0;
  for (const r of rejects) {
    const [row] = await queryRows(
      conn,
      `SELECT count(*) AS n FROM (SELECT DISTINCT scan_id, file_id, line FROM ${quoteIdent(r.table)})`,
    );
    n += Number(row?.n ?? 0);
  }
  return n;
}

/**
 * The fast path: the CSV read once with the contract types into `table`; the rows with a null in a
 * required column are copied to quarantine (values as parsed) and deleted. Undefined, with nothing
 * created, when a value does not parse, a key repeats or the typed read fails.
 */
async function stageTyped(split: Split): Promise<{ rowsIn: number; quarantined: number } | undefined> {
  const { conn, contract } = split;
  const table = quoteIdent(split.table);
  const fields = contract.schema.fields;
  const types: string[] = [];
  for (const f of fields) {
    const duck = logicalToDuckdb(f.type);
    // Struct members and types a CSV cannot hold are the text path's business.
    if (f.path.includes('.') || duck === undefined) return undefined;
    // DuckDB's CSV reader rounds '1.5' into a BIGINT, silently: integers are read as doubles and
    // judged by value below (exact up to 2^53; beyond, the text path); '1e400' reads as Infinity.
    types.push(`${quoteLiteral(f.path)}: ${quoteLiteral(INTEGER.has(f.type) ? 'DOUBLE' : duck)}`);
  }
  const files = split.src.files;
  // The contract's columns first, as the catalog lists them, so that the run needs no re-projection.
  const named = fields.map((f) => quoteIdent(f.path)).join(', ');
  const contractFirst = `${named}, * EXCLUDE (${named})`;
  let rowsIn: number;
  let typed: { name: string; type: string }[];
  try {
    // No ignore_errors: the first value that does not parse as its contract type fails the read.
    rowsIn = await copyCount(
      conn,
      `CREATE OR REPLACE TEMP TABLE ${table} AS SELECT ${contractFirst} FROM read_csv([${files.map(quoteLiteral).join(', ')}], header = true${files.length > 1 ? ', union_by_name = true' : ''}, types = {${types.join(', ')}})`,
    );
    if (!(await judgedInPlace(conn, split.table, fields))) {
      await conn.run(`DROP TABLE ${table}`);
      return undefined;
    }
    typed = await describeQuery(conn, `SELECT * FROM ${table}`);
    const staged = new Map(typed.map((c) => [c.name, c.type]));
    const complete = fields.every((f) => duckdbTypeToLogical(staged.get(f.path) ?? '') === f.type);
    const duplicated =
      complete &&
      contract.keys.length > 0 &&
      Number(
        (
          await queryRows(
            conn,
            `SELECT count(*) AS n FROM (SELECT 1 FROM ${table} GROUP BY ${contract.keys.map(quoteIdent).join(', ')} HAVING count(*) > 1 LIMIT 1)`,
          )
        )[0]?.n ?? 0,
      ) > 0;
    if (!complete || duplicated) {
      await conn.run(`DROP TABLE ${table}`);
      return undefined;
    }
  } catch {
    // A value that does not parse, a ragged line, a file without a contract column: the text path
    // reads what it can and quarantines the rest verbatim.
    await conn.run(`DROP TABLE IF EXISTS ${table}`);
    return undefined;
  }
  split.lap('read and parse with the contract types');
  // Every value parsed as its contract type: what breaks the contract now is a null where the
  // contract requires a value. A plain predicate selects those rows; the reason text is built
  // only for them.
  const { broken, reason } = conformSql({ ...contract, keys: [] }, typed, { renames: [] });
  const quarantined = await copyCount(
    conn,
    `COPY (SELECT *, ${quarantineColumns(split, reason)} FROM ${table} WHERE ${broken}) TO ${quoteLiteral(split.quarantine)} (FORMAT parquet)`,
  );
  if (quarantined > 0) await conn.run(`DELETE FROM ${table} WHERE ${broken}`);
  split.lap('write quarantine and remove its rows');
  return { rowsIn, quarantined };
}

/**
 * The fast path without a read: the failed run's rows of this input (every value parsed and typed
 * to the contract, no duplicate key; kept-input.ts), whose broken rows (nulls in required columns)
 * go to quarantine and are deleted; the table is then renamed into place. What stageTyped would
 * stage from the same file, without parsing it again.
 */
async function stageKept(
  split: Split,
  kept: KeptSource,
): Promise<{ rowsIn: number; quarantined: number } | undefined> {
  const { conn, contract } = split;
  const table = quoteIdent(kept.table);
  const typed = await describeQuery(conn, `SELECT * FROM ${table}`);
  const staged = new Map(typed.map((c) => [c.name, c.type]));
  if (!contract.schema.fields.every((f) => duckdbTypeToLogical(staged.get(f.path) ?? '') === f.type))
    return undefined;
  const { broken, reason } = conformSql({ ...contract, keys: [] }, typed, { renames: [] });
  const quarantined = await copyCount(
    conn,
    `COPY (SELECT *, ${quarantineColumns(split, reason)} FROM ${table} WHERE ${broken}) TO ${quoteLiteral(split.quarantine)} (FORMAT parquet)`,
  );
  if (quarantined > 0) await conn.run(`DELETE FROM ${table} WHERE ${broken}`);
  await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(split.table)}`);
  await conn.run(`ALTER TABLE ${table} RENAME TO ${quoteIdent(split.table)}`);
  split.lap("write quarantine from the failed run's parsed rows (input unchanged) and remove them");
  return { rowsIn: kept.rows, quarantined };
}

/**
 * The general path: values read as text (CSV) or as stored (typed formats), each TRY_CAST computed
 * once into a work table; the broken rows (a cheap predicate) go to quarantine with their reason
 * and the work table becomes the staged table in place.
 */
async function stageText(split: Split): Promise<{ rowsIn: number; quarantined: number }> {
  const { conn, contract } = split;
  const text = split.src.format === 'csv' ? await csvText(split.src, contract, split.read) : undefined;
  const rel = text?.relation ?? readRelation(split.src.files, split.src.format);
  const columns = await describeQuery(conn, `SELECT * FROM ${rel}`);
  const conformed = conformSql(contract, columns, split.plan);
  const work = freeName(
    '__healer_in',
    new Set([...columns.map((c) => c.name), ...conformed.computedNames, split.table]),
  );
  const rowsRead = await copyCount(
    conn,
    `CREATE OR REPLACE TEMP TABLE ${quoteIdent(work)} AS SELECT * FROM ${withComputed(rel, conformed.computed)}`,
  );
  split.lap('read, parse and classify');
  const malformed = text ? await malformedCount(conn, text.rejects) : 0;
  const rowsIn = rowsRead + malformed;
  // A line that could not be read as a row is quarantined verbatim: its file, line number and raw
  // text, the reason DuckDB gave; its columns stay NULL (its fields could not be told apart).
  const lines =
    malformed > 0 && text
      ? text.rejects
          .map(
            (r) =>
              ` UNION ALL BY NAME SELECT ${quarantineColumns(split, `'malformed line ' || e.line || ': ' || lower(min(e.error_type))`)}, s.file_path AS _healer_file, e.line AS _healer_line, min(e.csv_line) AS _healer_raw_line FROM ${quoteIdent(r.table)} e JOIN ${quoteIdent(r.scan)} s USING (scan_id, file_id) GROUP BY s.file_path, e.line`,
          )
          .join('')
      : '';
  const quarantined = await copyCount(
    conn,
    `COPY (SELECT ${columns.map((c) => quoteIdent(c.name)).join(', ')}, ${quarantineColumns(split, conformed.reason)} FROM ${quoteIdent(work)} WHERE ${conformed.broken}${lines}) TO ${quoteLiteral(split.quarantine)} (FORMAT parquet)`,
  );
  split.lap('write quarantine');
  const reshaped = await reshapeInPlace(conn, {
    work,
    table: split.table,
    broken: conformed.broken,
    columns: [...columns.map((c) => c.name), ...conformed.computedNames],
    outputs: conformed.outputs,
  });
  if (!reshaped) {
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${quoteIdent(split.table)} AS SELECT ${conformed.projection} FROM ${quoteIdent(work)} WHERE NOT (${conformed.broken})`,
    );
    await conn.run(`DROP TABLE ${quoteIdent(work)}`);
  }
  split.lap('stage conformed rows');
  return { rowsIn, quarantined };
}

/**
 * Turns the work table into the staged table without copying its rows: the broken rows deleted,
 * internal, replaced and shadowed columns dropped, casts and renamed columns renamed to their
 * contract names, missing columns added as NULL, the table renamed. Column order is left to the run
 * (it projects through the catalog). False, with nothing changed, when an input column feeds two
 * outputs or no column would be left.
 */
async function reshapeInPlace(
  conn: DuckDBConnection,
  shape: { work: string; table: string; broken: string; columns: string[]; outputs: ConformedColumn[] },
): Promise<boolean> {
  const kept = shape.outputs.flatMap((o) => (o.from === 'missing' ? [] : [[o.column, o.name] as const]));
  const keep = new Map(kept);
  if (keep.size !== kept.length || keep.size === 0) return false;
  const w = quoteIdent(shape.work);
  const alter: string[] = [`DELETE FROM ${w} WHERE ${shape.broken}`];
  for (const c of shape.columns)
    if (!keep.has(c)) alter.push(`ALTER TABLE ${w} DROP COLUMN ${quoteIdent(c)}`);
  // Renamed in two steps through free names, so that swapped names never collide.
  const taken = new Set([...shape.columns, ...shape.outputs.map((o) => o.name)]);
  const moves = kept
    .filter(([from, to]) => from !== to)
    .map(([from, to]) => ({
      from: quoteIdent(from),
      via: quoteIdent(freeName('__healer_mv', taken)),
      to: quoteIdent(to),
    }));
  for (const m of moves) alter.push(`ALTER TABLE ${w} RENAME COLUMN ${m.from} TO ${m.via}`);
  for (const m of moves) alter.push(`ALTER TABLE ${w} RENAME COLUMN ${m.via} TO ${m.to}`);
  for (const o of shape.outputs)
    if (o.from === 'missing') alter.push(`ALTER TABLE ${w} ADD COLUMN ${quoteIdent(o.name)} ${o.type}`);
  alter.push(`ALTER TABLE ${w} RENAME TO ${quoteIdent(shape.table)}`);
  for (const statement of alter) await conn.run(statement);
  return true;
}

/**
 * The staged table's schema, and per contract column its nulls and validity: 1 when the column has
 * the contract type (every value was cast to it), else the share of values that TRY_CAST to it.
 */
async function measureStaged(
  conn: DuckDBConnection,
  table: string,
  contract: DatasetContract,
  keysUnique = false,
): Promise<{ schema: TableSchema; quality: DeliveredQuality }> {
  const staged = await describeQuery(conn, `SELECT * FROM ${quoteIdent(table)}`);
  const schema: TableSchema = {
    name: contract.dataset,
    fields: staged.flatMap((c) => flattenColumn([c.name], c.type)).map(({ segments: _, ...f }) => f),
  };
  const measured = contract.schema.fields.flatMap((f) => {
    const column = staged.find((c) => c.name === f.path);
    return column ? [{ field: f, typed: duckdbTypeToLogical(column.type) === f.type }] : [];
  });
  const select = ['count(*) AS n'];
  measured.forEach(({ field, typed }, i) => {
    const v = quoteIdent(field.path);
    select.push(`count(${v}) AS v${i}`);
    const duck = logicalToDuckdb(field.type);
    if (!typed && duck) select.push(`count(TRY_CAST(${v} AS ${duck})) AS ok${i}`);
  });
  const [row] = await queryRows(conn, `SELECT ${select.join(', ')} FROM ${quoteIdent(table)}`);
  const n = Number(row?.n ?? 0);
  // The delivered rows against the contract, as the guard's share was measured on the input.
  // Keys known unique are not grouped again (a million groups for a key column): 0 duplicates.
  const checks = badRowChecks(
    keysUnique ? { ...contract, keys: [] } : contract,
    staged.map((c) => c.name),
  );
  const input = new Map(
    staged.map((c) => [c.name, { expr: quoteIdent(c.name), type: duckdbTypeToLogical(c.type) }]),
  );
  const [counted] = await queryRows(conn, badRowMeasureSql(quoteIdent(table), checks, input));
  return {
    schema,
    quality: {
      badRows: readBadRowMeasurement(counted, checks, false),
      rowCount: n,
      columns: measured.map(({ field, typed }, i) => {
        const values = Number(row?.[`v${i}`] ?? 0);
        const ok = typed ? values : Number(row?.[`ok${i}`] ?? values);
        return {
          path: field.path,
          nullCount: n - values,
          nullRate: n === 0 ? 0 : (n - values) / n,
          validity: values === 0 ? 1 : ok / values,
        };
      }),
    },
  };
}

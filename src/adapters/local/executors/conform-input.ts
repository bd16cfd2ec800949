// Brings one source's input to its contract in one DuckDB pass: renamed columns mapped back,
// values TRY_CAST to the contract types, and every row that breaks the contract (a value that does
// not cast, a null in a required column, a duplicate key) routed to quarantine with its ORIGINAL
// values, a reason and the incident id. Nothing is dropped: rows in = delivered + quarantined.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetContract } from '../../../core/contract.js';
import type { RowAccounting } from '../../../core/outcome.js';
import type { DuckdbDataEngine } from '../../duckdb/duckdb-data-engine.js';
import { duckdbTypeToLogical, logicalToDuckdb } from '../../duckdb/duckdb-types.js';
import { quoteIdent, quoteLiteral } from '../../duckdb/sql.js';
import { fsyncFile } from '../atomic-file.js';
import { describeQuery, queryRows, readRelation } from '../duckdb-sql.js';
import { safeName } from '../local-catalog.js';

export interface ConformPlan {
  /** Current name → contract name. */
  renames: { from: string; to: string }[];
}

/**
 * SQL that conforms one input: `casts` are the TRY_CASTs, each computed once and named, to add to a
 * `SELECT *` over the input; `reason` (the per-row reason a row breaks the contract, NULL when it
 * does not) and `projection` (the conformed columns) read those named casts.
 */
export function conformSql(
  contract: DatasetContract,
  columns: { name: string; type: string }[],
  plan: ConformPlan,
): { casts: string[]; reason: string; projection: string } {
  const present = new Map(columns.map((c) => [c.name, c.type]));
  const sourceOf = new Map(plan.renames.map((r) => [r.to, r.from]));
  const parts: string[] = [];
  const select: string[] = [];
  const casts: string[] = [];
  const used = new Set<string>();
  for (const f of contract.schema.fields) {
    if (f.path.includes('.') && !present.has(f.path)) continue; // struct members travel with their struct
    const src = sourceOf.get(f.path) ?? f.path;
    const duck = logicalToDuckdb(f.type) ?? 'VARCHAR';
    const rawType = present.get(src);
    if (rawType === undefined) {
      if (!f.nullable) parts.push(quoteLiteral(`${f.path}: column missing from the input`));
      select.push(`CAST(NULL AS ${duck}) AS ${quoteIdent(f.path)}`);
      continue;
    }
    used.add(src);
    const v = quoteIdent(src);
    let value = v;
    if (duckdbTypeToLogical(rawType) !== f.type) {
      // DuckDB's casts to numbers and temporals skip surrounding whitespace; to BOOLEAN they do not.
      const text = duckdbTypeToLogical(rawType) === 'string' && f.type === 'boolean' ? `trim(${v})` : v;
      value = quoteIdent(castColumnName(casts.length, present));
      casts.push(`TRY_CAST(${text} AS ${duck}) AS ${value}`);
      parts.push(
        `CASE WHEN ${v} IS NOT NULL AND ${value} IS NULL THEN ${quoteLiteral(`${f.path}: `)} || CAST(${v} AS VARCHAR) || ${quoteLiteral(` is not a valid ${f.type}`)} END`,
      );
    }
    if (!f.nullable)
      parts.push(`CASE WHEN ${v} IS NULL THEN ${quoteLiteral(`${f.path}: null in a required column`)} END`);
    select.push(`${value} AS ${quoteIdent(f.path)}`);
  }
  const keySources = contract.keys.map((k) => sourceOf.get(k) ?? k).filter((k) => present.has(k));
  if (keySources.length === contract.keys.length && keySources.length > 0)
    parts.push(
      `CASE WHEN row_number() OVER (PARTITION BY ${keySources.map(quoteIdent).join(', ')}) > 1 THEN ${quoteLiteral(`duplicate key (${contract.keys.join(', ')})`)} END`,
    );
  for (const c of columns)
    if (!used.has(c.name) && !contract.schema.fields.some((f) => f.path === c.name))
      select.push(quoteIdent(c.name));
  const reason = parts.length ? `NULLIF(concat_ws('; ', ${parts.join(', ')}), '')` : 'CAST(NULL AS VARCHAR)';
  return { casts, reason, projection: select.join(', ') };
}

/** `SELECT *` over `relation` plus the named casts. */
function withCasts(relation: string, casts: string[]): string {
  return casts.length ? `(SELECT *, ${casts.join(', ')} FROM ${relation})` : relation;
}

/** A name for the i-th cast that no input column already has. */
function castColumnName(i: number, present: Map<string, string>): string {
  let name = `__healer_cast_${i}`;
  while (present.has(name)) name = `_${name}`;
  return name;
}

export interface ConformResult {
  rows: RowAccounting;
  remediated: string;
  quarantine: string;
  /** A few quarantined reasons, for the step detail. */
  sampleReasons: string[];
  /** Wall time of each phase, in order. */
  phases: { name: string; ms: number }[];
}

/** Runs a COPY and returns the number of rows DuckDB reports having written. */
async function copyCount(conn: DuckDBConnection, sql: string): Promise<number> {
  const reader = await conn.runAndReadAll(sql);
  const first = reader.getRows()[0]?.[0];
  if (first === undefined) throw new Error('COPY reported no row count');
  return Number(first);
}

/** Share of input rows that break the contract, measured with DuckDB; undefined when unreadable. */
export async function badRowFraction(
  conn: DuckDBConnection,
  engine: DuckdbDataEngine,
  location: string,
  contract: DatasetContract,
  plan: ConformPlan,
): Promise<number | undefined> {
  try {
    const src = await engine.resolve(location);
    const rel = readRelation(src.files, src.format);
    const columns = await describeQuery(conn, `SELECT * FROM ${rel}`);
    const { casts, reason } = conformSql(contract, columns, plan);
    const [r] = await queryRows(
      conn,
      `SELECT count(*) AS n, count(*) FILTER (WHERE r IS NOT NULL) AS bad FROM (SELECT ${reason} AS r FROM ${withCasts(rel, casts)})`,
    );
    const n = Number(r?.n ?? 0);
    return n === 0 ? 0 : Number(r?.bad ?? 0) / n;
  } catch {
    return undefined;
  }
}

/**
 * Writes the conformed rows to `.healer/remediated/<incident>/<source>.parquet` and the rest to
 * `.healer/quarantine/<source>/<incident>.parquet` (both new files), then counts both from disk.
 */
export async function conformInput(input: {
  conn: DuckDBConnection;
  engine: DuckdbDataEngine;
  stateDir: string;
  incidentId: string;
  location: string;
  contract: DatasetContract;
  plan: ConformPlan;
  at: Date;
}): Promise<ConformResult> {
  const { conn, contract } = input;
  const source = contract.dataset;
  const src = await input.engine.resolve(input.location);
  // CSV is read as text: no inference pass, every original value kept verbatim for the quarantine,
  // and TRY_CAST decides what parses as the contract type.
  const rel =
    src.format === 'csv'
      ? `read_csv([${src.files.map(quoteLiteral).join(', ')}], header = true, all_varchar = true, union_by_name = true)`
      : readRelation(src.files, src.format);
  // Text CSV needs no inference pass, so DESCRIBE is cheap; the data itself is read once below.
  const columns = await describeQuery(conn, `SELECT * FROM ${rel}`);
  const { casts, reason, projection } = conformSql(contract, columns, input.plan);
  const remediatedDir = join(input.stateDir, 'remediated', safeName(input.incidentId));
  const quarantineDir = join(input.stateDir, 'quarantine', safeName(source));
  await mkdir(remediatedDir, { recursive: true });
  await mkdir(quarantineDir, { recursive: true });
  const remediated = join(remediatedDir, `${safeName(source)}.parquet`);
  const quarantine = join(quarantineDir, `${safeName(input.incidentId)}.parquet`);
  // One pass over the input: parse, TRY_CAST and the per-row reason, materialized once; both
  // outputs are written from it, and their row counts are what COPY reports having written.
  const phases: { name: string; ms: number }[] = [];
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    phases.push({ name, ms: now - t });
    t = now;
  };
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE __healer_in AS SELECT *, ${reason} AS __healer_reason FROM ${withCasts(rel, casts)}`,
  );
  lap('read, parse and classify');
  const original = columns.map((c) => quoteIdent(c.name)).join(', ');
  const quarantined = await copyCount(
    conn,
    `COPY (SELECT ${original}, __healer_reason AS _healer_reason, ${quoteLiteral(input.incidentId)} AS _healer_incident_id, ${quoteLiteral(source)} AS _healer_source, CAST(${quoteLiteral(input.at.toISOString())} AS TIMESTAMP) AS _healer_quarantined_at FROM __healer_in WHERE __healer_reason IS NOT NULL) TO ${quoteLiteral(quarantine)} (FORMAT parquet)`,
  );
  await fsyncFile(quarantine);
  lap('write quarantine');
  // The conformed rows are already parsed: written uncompressed (a transient file the re-run reads
  // back at once), which is cheaper to write and to read than compressed Parquet.
  const delivered = await copyCount(
    conn,
    `COPY (SELECT ${projection} FROM __healer_in WHERE __healer_reason IS NULL) TO ${quoteLiteral(remediated)} (FORMAT parquet, COMPRESSION uncompressed)`,
  );
  await fsyncFile(remediated);
  lap('write conformed input');
  const [counts] = await queryRows(conn, 'SELECT count(*) AS rows_in FROM __healer_in');
  const reasons = await queryRows(
    conn,
    'SELECT DISTINCT __healer_reason AS r FROM __healer_in WHERE __healer_reason IS NOT NULL LIMIT 3',
  );
  await conn.run('DROP TABLE __healer_in');
  lap('count and sample reasons');
  return {
    rows: {
      rowsIn: Number(counts?.rows_in ?? 0),
      rowsDelivered: delivered,
      rowsQuarantined: quarantined,
    },
    remediated,
    quarantine,
    phases,
    sampleReasons: reasons.map((r) => String(r.r)),
  };
}

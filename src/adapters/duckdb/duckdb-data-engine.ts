// The in-process data engine: reads CSV, Parquet, JSON arrays and NDJSON (paths, directories and
// globs on local disk) with DuckDB, infers schemas (struct members as dotted paths) and profiles.

import { open, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { HealerError, InvalidInputError } from '../../core/errors.js';
import type { FailingRow, RowCheck } from '../../core/failing-row.js';
import type { ColumnProfile, DatasetProfile } from '../../core/profile.js';
import type { ReadFacts } from '../../core/read-facts.js';
import type { ReadOptions } from '../../core/read-options.js';
import type { LogicalType, TableSchema } from '../../core/schema.js';
import type { DataEngine } from '../../ports.js';
import { type CsvDialect, csvDialect, csvReadSql, isBlank, malformedLines, readError } from './csv-read.js';
import { quantileSelects, readQuantiles, readTopValues, topValuesQuery } from './distribution-stats.js';
import { flattenColumn, logicalToDuckdb, type NestedField } from './duckdb-types.js';
import { failingRowsSql, readFailingRows } from './failing-rows.js';
import { fileFingerprint } from './file-fingerprint.js';
import { quoteIdent, quoteLiteral, quoteLiteralList } from './sql.js';

/** The file formats the engine reads. */
export type DataFormat = 'csv' | 'parquet' | 'json' | 'ndjson';

/** A resolved location: the files it names and their one format. */
export interface DataSource {
  location: string;
  files: string[];
  format: DataFormat;
  /** A CSV's declared reading options and decided dialect (absent: DuckDB's defaults). */
  csv?: { dialect: CsvDialect; read: ReadOptions };
}

export interface ProfileOptions {
  /** One declared key (its columns); duplicate rows are counted under `keys.join(',')`. */
  keys?: string[];
  /** Column holding event time: `newestAt` is its maximum. */
  freshnessColumn?: string;
  /** Profile a seeded reservoir sample of this many rows instead of everything. */
  sampleRows?: number;
  /** Contract schema: validity is measured against its types instead of the inferred ones. */
  expected?: TableSchema;
  /** How a text source is read (the pipeline's `read:` options). */
  read?: ReadOptions;
}

/** How a source is read: its declared options and the columns expected (for the header). */
export interface ReadSpec {
  read?: ReadOptions;
  expected?: TableSchema;
}

const EXTENSIONS: Record<string, DataFormat | 'json?'> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.json': 'json?',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

/** Candidate types for text columns, most specific first: ties go to the earlier one. */
const TEXT_CANDIDATES: readonly LogicalType[] = ['int64', 'double', 'date', 'timestamp', 'boolean'];
/** A text column "mostly parses" as a type when at least this share of its values do. */
const MOSTLY = 0.5;

/**
 * DataEngine over DuckDB in-process. One in-memory database per engine, one connection per call.
 *
 * @example
 * const engine = new DuckdbDataEngine();
 * const schema = await engine.inferSchema('data/orders/*.parquet', 'orders');
 * const profile = await engine.profile('data/orders.csv', { keys: ['order_id'] });
 */
export class DuckdbDataEngine implements DataEngine {
  private instance: Promise<DuckDBInstance> | undefined;

  /** Resolves a path, directory or glob to its files and their format (read-only sniffing). */
  async resolve(location: string): Promise<DataSource> {
    return this.withConnection((conn) => resolveSource(conn, location));
  }

  fingerprint(location: string): Promise<string | undefined> {
    return fileFingerprint(location);
  }

  async inferSchema(location: string, name: string, spec: ReadSpec = {}): Promise<TableSchema> {
    return this.withConnection(async (conn) => {
      const source = await withDialect(await resolveSource(conn, location), spec);
      const fields = await describe(conn, source);
      await applyNullability(conn, source, fields);
      return { name, fields: fields.map(({ segments: _, ...f }) => f) };
    });
  }

  async profile(location: string, options: ProfileOptions = {}): Promise<DatasetProfile> {
    return this.withConnection(async (conn) => {
      const source = await withDialect(await resolveSource(conn, location), options);
      return profileSource(conn, source, options);
    });
  }

  /**
   * Reads the source once as text with its declared options and counts its rows, the lines that
   * cannot be read as rows (the first `limit` kept with line number, reason and raw text) and
   * whether it is empty or header-only.
   */
  async readFacts(location: string, spec: ReadSpec = {}, limit = 20): Promise<ReadFacts> {
    return this.withConnection(async (conn) => {
      const resolved = await resolveSource(conn, location);
      let source: DataSource;
      try {
        source = await withDialect(resolved, spec);
      } catch (error) {
        if (error instanceof HealerError && error.context.empty === 'empty')
          return { location, rows: 0, malformedCount: 0, malformed: [], empty: 'empty' };
        throw error;
      }
      return sourceFacts(conn, source, limit);
    });
  }

  /** The first `limit` rows failing the checks (the findings' row-level reasons), in reading order. */
  async failingRows(
    location: string,
    checks: readonly RowCheck[],
    options: { keys?: string[]; limit: number },
  ): Promise<FailingRow[]> {
    return this.withConnection(async (conn) => {
      const source = await resolveSource(conn, location);
      const byPath = new Map((await describe(conn, source)).map((f) => [f.path, f]));
      const keys = options.keys ?? [];
      const sql = failingRowsSql({
        relation: relation(source),
        checks,
        keys,
        limit: options.limit,
        column: (path) => {
          const f = byPath.get(path);
          return f && { expr: fieldExpr(f), type: f.type };
        },
        parses,
      });
      return sql === undefined ? [] : readFailingRows(await query(conn, source, sql), keys);
    });
  }

  /** Closes the in-memory database; the engine opens a new one on next use. */
  async close(): Promise<void> {
    const instance = this.instance;
    this.instance = undefined;
    if (instance) (await instance).closeSync();
  }

  private async withConnection<T>(use: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    this.instance ??= DuckDBInstance.create(':memory:');
    const conn = await (await this.instance).connect();
    try {
      return await use(conn);
    } finally {
      conn.closeSync();
    }
  }
}

async function rows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

function isGlob(location: string): boolean {
  return /[*?[]/.test(location);
}

async function resolveSource(conn: DuckDBConnection, location: string): Promise<DataSource> {
  if (location.trim() === '') throw new InvalidInputError('empty dataset location');
  let files: string[];
  if (isGlob(location)) {
    files = await globFiles(conn, location);
    if (files.length === 0)
      throw new InvalidInputError(`no file matches ${location}`, { context: { file: location } });
  } else {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(location);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new InvalidInputError(
        `cannot read ${location}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`,
        {
          cause: error,
          context: { file: location },
        },
      );
    }
    if (info.isDirectory()) {
      files = (await globFiles(conn, join(location, '*'))).filter((f) => !/(^|[/\\])[._][^/\\]*$/.test(f));
      if (files.length === 0)
        throw new InvalidInputError(`directory ${location} holds no data files`, {
          context: { file: location },
        });
    } else files = [location];
  }
  const formats = new Set<DataFormat>();
  for (const file of files) formats.add(await detectFormat(file));
  if (formats.size > 1)
    throw new InvalidInputError(
      `${location} mixes formats (${[...formats].sort().join(', ')}): one format per dataset`,
      {
        context: { file: location },
      },
    );
  return { location, files, format: [...formats][0]! };
}

async function globFiles(conn: DuckDBConnection, pattern: string): Promise<string[]> {
  const found = await rows(conn, `SELECT file FROM glob(${quoteLiteral(pattern)}) ORDER BY file`);
  return found.map((r) => String(r.file));
}

/** Extension first; `.json` and unknown extensions are sniffed from the first bytes. */
async function detectFormat(file: string): Promise<DataFormat> {
  const head = await readHead(file);
  const byExt = EXTENSIONS[extname(file).toLowerCase()];
  if (byExt !== undefined && byExt !== 'json?' && byExt !== 'csv') return byExt;
  // An empty CSV is a CSV with no rows: the read reports it (finding `empty_input`).
  if (head.length === 0 && byExt === 'csv') return 'csv';
  if (head.length === 0) throw new InvalidInputError(`${file} is empty`, { context: { file } });
  if (head.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (byExt === 'csv') return 'csv';
  if (text.startsWith('[')) return 'json';
  if (text.startsWith('{')) return 'ndjson';
  if (byExt === 'json?')
    throw new InvalidInputError(`${file} does not start with [ or {: not JSON`, { context: { file } });
  if (head.includes(0))
    throw new InvalidInputError(`${file}: unrecognised binary format (not Parquet, CSV or JSON)`, {
      context: { file },
    });
  return 'csv';
}

async function readHead(file: string): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, 'r');
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInputError(
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`,
      {
        cause: error,
        context: { file },
      },
    );
  } finally {
    await handle?.close();
  }
}

/** The table function reading these files; every type is inferred from all rows, not a sample. */
export function readRelation(files: readonly string[], format: DataFormat): string {
  const list = quoteLiteralList(files);
  switch (format) {
    case 'csv':
      return `read_csv(${list}, header = true, sample_size = -1, union_by_name = true)`;
    case 'parquet':
      return `read_parquet(${list}, union_by_name = true)`;
    case 'json':
      return `read_json(${list}, format = 'array', sample_size = -1, union_by_name = true)`;
    case 'ndjson':
      return `read_json(${list}, format = 'auto', sample_size = -1, union_by_name = true)`;
    default:
      return format satisfies never;
  }
}

function relation(source: DataSource): string {
  if (source.csv) return csvReadSql(source.csv.dialect, source.csv.read);
  return readRelation(source.files, source.format);
}

/** A CSV source with its dialect decided (declared, or from the header line; never the data). */
export async function withDialect(source: DataSource, spec: ReadSpec): Promise<DataSource> {
  if (source.format !== 'csv') return source;
  const read = spec.read ?? {};
  const dialect = await csvDialect(
    source.files,
    read,
    (spec.expected?.fields ?? []).map((f) => f.path),
  );
  const blank: string[] = [];
  for (const f of dialect.files) if (await isBlank(f)) blank.push(f);
  dialect.files = dialect.files.filter((f) => !blank.includes(f));
  dialect.emptyFiles.push(...blank);
  if (dialect.files.length === 0)
    throw new InvalidInputError(`Empty input: ${source.location} is empty`, {
      context: { file: source.location, empty: 'empty' },
    });
  return { ...source, csv: { dialect, read } };
}

let rejectsSeq = 0;

async function sourceFacts(conn: DuckDBConnection, source: DataSource, limit: number): Promise<ReadFacts> {
  const facts: ReadFacts = { location: source.location, rows: 0, malformedCount: 0, malformed: [] };
  if (!source.csv) {
    const [r] = await query(conn, source, `SELECT count(*) AS n FROM ${relation(source)}`);
    facts.rows = Number(r?.n ?? 0);
    if (facts.rows === 0) facts.empty = 'header_only';
    return facts;
  }
  const n = ++rejectsSeq;
  const rejects = { table: `__healer_rejects_${n}`, scan: `__healer_rejects_scan_${n}` };
  // Materialized, not counted: a bare count(*) would skip decoding the values (bad bytes unseen).
  const table = quoteIdent(`__healer_facts_${n}`);
  const sql = (lenient: boolean) =>
    `CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * FROM ${csvReadSql(source.csv!.dialect, source.csv!.read, { allVarchar: true, rejects, lenient })}`;
  try {
    await conn.run(sql(false));
  } catch {
    try {
      await conn.run(sql(true));
    } catch (error) {
      throw readError(error, source.location, source.format);
    }
  }
  const counted = await rows(conn, `SELECT count(*) AS n FROM ${table}`);
  await conn.run(`DROP TABLE ${table}`);
  facts.rows = Number(counted[0]?.n ?? 0);
  const malformed = await malformedLines(conn, rejects, limit, source.csv.dialect.groups.length);
  facts.malformedCount = malformed.count;
  facts.malformed = malformed.first;
  if (facts.rows === 0 && facts.malformedCount === 0)
    facts.empty = source.csv.dialect.header ? 'header_only' : 'empty';
  return facts;
}

/** Runs a query over a source, turning DuckDB's reading errors into one-line input errors. */
async function query(
  conn: DuckDBConnection,
  source: DataSource,
  sql: string,
): Promise<Record<string, unknown>[]> {
  try {
    return await rows(conn, sql);
  } catch (error) {
    if (error instanceof HealerError) throw error;
    throw readError(error, source.location, source.format);
  }
}

async function describe(conn: DuckDBConnection, source: DataSource): Promise<NestedField[]> {
  const described = await query(conn, source, `DESCRIBE SELECT * FROM ${relation(source)}`);
  return described.flatMap((r) => flattenColumn([String(r.column_name)], String(r.column_type)));
}

/** SQL for the value at a field: `"s"` then `struct_extract("s", 'member')` (names may hold dots). */
function fieldExpr(f: NestedField): string {
  return f.segments
    .slice(1)
    .reduce((e, s) => `struct_extract(${e}, ${quoteLiteral(s)})`, quoteIdent(f.segments[0]!));
}

/**
 * Parquet declares nullability (REQUIRED vs OPTIONAL); text formats declare nothing, so a field is
 * nullable when the data holds a null.
 */
async function applyNullability(
  conn: DuckDBConnection,
  source: DataSource,
  fields: NestedField[],
): Promise<void> {
  if (source.format === 'parquet') {
    const optional = new Set<string>();
    for (const file of source.files) {
      for (const path of await parquetOptionalPaths(conn, source, file)) optional.add(path);
    }
    for (const f of fields)
      f.nullable = f.segments.some((_, i) => optional.has(pathKey(f.segments.slice(0, i + 1))));
    return;
  }
  if (fields.length === 0) return;
  const select = fields.map((f, i) => `count(*) - count(${fieldExpr(f)}) AS n${i}`).join(', ');
  const [counts] = await query(conn, source, `SELECT ${select} FROM ${relation(source)}`);
  fields.forEach((f, i) => {
    f.nullable = Number(counts?.[`n${i}`] ?? 0) > 0;
  });
}

function pathKey(segments: string[]): string {
  return JSON.stringify(segments);
}

/** Walks parquet_schema (depth-first with child counts) and returns the OPTIONAL paths. */
async function parquetOptionalPaths(
  conn: DuckDBConnection,
  source: DataSource,
  file: string,
): Promise<string[]> {
  const schema = await query(
    conn,
    source,
    `SELECT name, repetition_type, num_children FROM parquet_schema(${quoteLiteral(file)})`,
  );
  const optional: string[] = [];
  const stack: { segments: string[]; left: number }[] = [];
  schema.forEach((r, i) => {
    const children = Number(r.num_children ?? 0);
    if (i === 0) {
      stack.push({ segments: [], left: children });
      return;
    }
    while (stack.length > 0 && stack.at(-1)!.left === 0) stack.pop();
    const parent = stack.at(-1);
    if (!parent) return;
    parent.left -= 1;
    const segments = [...parent.segments, String(r.name)];
    if (r.repetition_type === 'OPTIONAL') optional.push(pathKey(segments));
    if (children > 0) stack.push({ segments, left: children });
  });
  return optional;
}

/** Integer bounds by logical type, for judging numbers by value (68.0 is an int64, 2^63 is not). */
const INT_BOUNDS: Partial<Record<LogicalType, string>> = {
  int32: 'BETWEEN -2147483648 AND 2147483647',
  int64: 'BETWEEN -9223372036854775808 AND 9223372036854775807',
};

/**
 * SQL condition: the value of `expr` (read as `from`) is a valid `type`. Validity is judged by the
 * value, not by the text form of the inferred type: a number read as DOUBLE or DECIMAL is a valid
 * integer when it has no fraction and fits (68.0 is an int64; 97.5 and 1e400 are not), and text
 * `68.0` is too. Integers must not carry a fraction. A failed
 * TRY_CAST to a temporal type costs far more than a successful one, so text that cannot start a
 * number or a date (a first character other than a digit, sign or point) is rejected before the
 * cast; CASE evaluates the cast only for the rows that pass. That also keeps the words DuckDB
 * accepts as special values ('epoch', 'infinity', 'NaN') from counting as numbers or dates.
 */
function parses(expr: string, type: LogicalType, from: LogicalType = 'string'): string {
  const bounds = INT_BOUNDS[type];
  if (bounds !== undefined && (from === 'float' || from === 'double' || from === 'decimal'))
    return `(isfinite(CAST(${expr} AS DOUBLE)) AND ${expr} = trunc(${expr}) AND ${expr} ${bounds})`;
  const text = `CAST(${expr} AS VARCHAR)`;
  const numeric = `ascii(ltrim(${text})) BETWEEN 43 AND 57`; // + , - . / 0-9
  const guarded = (condition: string) => `(CASE WHEN ${numeric} THEN ${condition} ELSE false END)`;
  switch (type) {
    case 'int32':
    case 'int64':
      return guarded(
        `regexp_full_match(trim(${text}), '[+-]?[0-9]+(\\.0*)?') AND TRY_CAST(TRY_CAST(trim(${text}) AS DECIMAL(38,1)) AS ${logicalToDuckdb(type)}) IS NOT NULL`,
      );
    case 'date':
      // DuckDB casts '2001/01/01 06:55' to a DATE by dropping the time: that value is a timestamp.
      return guarded(
        `TRY_CAST(trim(${text}) AS DATE) IS NOT NULL AND NOT regexp_matches(${text}, '[0-9]:[0-9]')`,
      );
    case 'boolean':
      return `(CASE WHEN length(trim(${text})) <= 5 THEN TRY_CAST(trim(${text}) AS BOOLEAN) IS NOT NULL ELSE false END)`;
    case 'string':
    case 'binary':
      return 'true';
    default: {
      const target = logicalToDuckdb(type);
      return target === undefined ? 'true' : guarded(`TRY_CAST(trim(${text}) AS ${target}) IS NOT NULL`);
    }
  }
}

function isScalar(t: LogicalType): boolean {
  return t !== 'struct' && t !== 'list' && t !== 'map' && t !== 'unknown';
}

async function profileSource(
  conn: DuckDBConnection,
  source: DataSource,
  options: ProfileOptions,
): Promise<DatasetProfile> {
  const fields = await describe(conn, source);
  const base = relation(source);
  const from =
    options.sampleRows !== undefined
      ? `(SELECT * FROM ${base} USING SAMPLE reservoir(${Math.max(0, Math.floor(options.sampleRows))} ROWS) REPEATABLE (42))`
      : base;
  const expected = new Map((options.expected?.fields ?? []).map((f) => [f.path, f.type]));

  // What each column's validity is measured against: the contract type when it differs from the
  // inferred one, else (text columns) every candidate type, else nothing (a typed column is valid).
  const plans = fields.map((f) => {
    const want = expected.get(f.path);
    if (want !== undefined && want !== f.type && isScalar(want) && isScalar(f.type))
      return { candidates: [want], forced: true };
    if (f.type === 'string' && (want === undefined || want === 'string'))
      return { candidates: [...TEXT_CANDIDATES], forced: false };
    return { candidates: [] as LogicalType[], forced: false };
  });

  const select = ['count(*) AS row_count'];
  fields.forEach((f, i) => {
    const e = fieldExpr(f);
    select.push(`count(${e}) AS c${i}`);
    if (isScalar(f.type)) {
      select.push(`approx_count_distinct(${e}) AS d${i}`);
      select.push(`CAST(min(${e}) AS VARCHAR) AS lo${i}`, `CAST(max(${e}) AS VARCHAR) AS hi${i}`);
    }
    plans[i]!.candidates.forEach((t, j) => {
      select.push(`count(*) FILTER (WHERE ${e} IS NOT NULL AND ${parses(e, t, f.type)}) AS v${i}_${j}`);
    });
  });
  const stats = fields.map((f, i) => ({ index: i, expr: fieldExpr(f), type: f.type }));
  select.push(...quantileSelects(stats));
  const [agg] = await query(conn, source, `SELECT ${select.join(', ')} FROM ${from}`);
  const row = agg ?? {};
  const topSql = topValuesQuery(stats, from);
  const top = readTopValues(topSql === undefined ? [] : await query(conn, source, topSql));
  const rowCount = Number(row.row_count ?? 0);

  const columns: ColumnProfile[] = fields.map((f, i) => {
    const nonNull = Number(row[`c${i}`] ?? 0);
    const nullCount = rowCount - nonNull;
    const col: ColumnProfile = {
      path: f.path,
      type: f.type,
      rawType: f.rawType,
      nullCount,
      nullRate: rowCount === 0 ? 0 : nullCount / rowCount,
      // HyperLogLog can overshoot on small columns: never more distinct values than values.
      distinct: Math.min(Number(row[`d${i}`] ?? 0), nonNull),
      validity: 1,
    };
    const lo = row[`lo${i}`];
    const hi = row[`hi${i}`];
    if (lo !== null && lo !== undefined) col.min = String(lo);
    if (hi !== null && hi !== undefined) col.max = String(hi);
    const quantiles = readQuantiles(row, i);
    if (quantiles) col.quantiles = quantiles;
    if (isScalar(f.type) && top.has(i)) col.topValues = top.get(i)!;
    else if (nonNull === 0 && topSql !== undefined && (f.type === 'string' || f.type === 'boolean'))
      col.topValues = [];
    const plan = plans[i]!;
    if (plan.candidates.length > 0 && nonNull > 0) {
      let best = -1;
      let bestShare = -1;
      plan.candidates.forEach((_, j) => {
        const share = Number(row[`v${i}_${j}`] ?? 0) / nonNull;
        if (share > bestShare) {
          best = j;
          bestShare = share;
        }
      });
      if (plan.forced || bestShare >= MOSTLY) {
        col.validityType = plan.candidates[best]!;
        col.validity = bestShare;
      }
    }
    return col;
  });

  const profile: DatasetProfile = { source: source.location, format: source.format, rowCount, columns };
  const byPath = new Map(fields.map((f) => [f.path, f]));
  const need = (column: string, what: string): NestedField => {
    const f = byPath.get(column);
    if (!f)
      throw new InvalidInputError(`${what} column ${column} not found in ${source.location}`, {
        context: { file: source.location, column },
      });
    return f;
  };
  if (options.keys && options.keys.length > 0) {
    const exprs = options.keys.map((k) => fieldExpr(need(k, 'key')));
    const [dup] = await query(
      conn,
      source,
      `SELECT COALESCE(sum(n - 1), 0) AS dups FROM (SELECT count(*) AS n FROM ${from} GROUP BY ${exprs.join(', ')} HAVING count(*) > 1)`,
    );
    profile.duplicateKeys = { [options.keys.join(',')]: Number(dup?.dups ?? 0) };
  }
  if (options.freshnessColumn !== undefined) {
    const e = fieldExpr(need(options.freshnessColumn, 'freshness'));
    const [fresh] = await query(
      conn,
      source,
      `SELECT CAST(max(TRY_CAST(${e} AS TIMESTAMP)) AS VARCHAR) AS newest FROM ${from}`,
    );
    const newest = fresh?.newest;
    if (typeof newest === 'string') profile.newestAt = new Date(`${newest.replace(' ', 'T')}Z`).toISOString();
  }
  return profile;
}

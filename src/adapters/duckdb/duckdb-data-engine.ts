// The in-process data engine: reads CSV, Parquet, JSON arrays and NDJSON (paths, directories and
// globs on local disk) with DuckDB, infers schemas (struct members as dotted paths) and profiles.

import { open, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { canonicalJson } from '../../core/audit-chain.js';
import { type BadRowMeasurement, badRowChecks } from '../../core/bad-rows.js';
import { HealerError, InvalidInputError } from '../../core/errors.js';
import type { FailingRow, RowCheck } from '../../core/failing-row.js';
import type { ColumnProfile, DatasetProfile } from '../../core/profile.js';
import type { ReadFacts } from '../../core/read-facts.js';
import type { ReadOptions } from '../../core/read-options.js';
import type { LogicalType, TableSchema } from '../../core/schema.js';
import type { DataEngine } from '../../ports.js';
import { badRowMeasureSql, readBadRowMeasurement } from './bad-row-sql.js';
import { type CsvDialect, csvDialect, csvReadSql, isBlank, malformedLines, readError } from './csv-read.js';
import { quantileSelects, readQuantiles, readTopValues, topValuesQuery } from './distribution-stats.js';
import { flattenColumn, logicalToDuckdb, type NestedField } from './duckdb-types.js';
import { failingRowsSql, readFailingRows } from './failing-rows.js';
import { fileFingerprint } from './file-fingerprint.js';
import { quoteIdent, quoteLiteral, quoteLiteralList } from './sql.js';

/** The file formats the engine reads. */
export type DataFormat = 'csv' | 'parquet' | 'json' | 'ndjson';

/**
 * A CSV version a run read whole as text (strict, no malformed line) and still holds on its own
 * connection (kept-input.ts). `use` runs queries over that text table while the run holds it, one
 * caller at a time, and gives undefined once it is released.
 */
export interface HeldText {
  location: string;
  /** The location's fingerprint taken before the run read it. */
  fingerprint: string;
  dialect: CsvDialect;
  read: ReadOptions;
  /**
   * The contract keys the run found no value of repeated in this text, with the DuckDB type it
   * compared each key column by: a profile staging them as the same types needs not group them again.
   */
  uniqueKeys?: { keys: string[]; types: Record<string, string> };
  /** `typed`: the run's table of the same rows typed to the contract (the text table when none was). */
  use<T>(query: (conn: DuckDBConnection, text: string, typed: string) => Promise<T>): Promise<T | undefined>;
}

/** What a profile measures from held text instead of the file (HeldText). */
interface FromHeld {
  table: string;
  typed: string;
  uniqueKeys?: HeldText['uniqueKeys'];
}

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
/** Text columns with at most this many distinct values are judged value by value, not row by row. */
const FEW_DISTINCT = 10_000;

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
  /** Reads a runner already made in this process (`rememberRead`), by file version and dialect. */
  private readonly reads = new Map<string, number>();
  /** The text of the last failed run's input, while the runner holds it (`holdText`). */
  private held: HeldText | undefined;

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
      return schemaOf(conn, source, await confirmedStage(conn, source, undefined), name);
    });
  }

  async profile(location: string, options: ProfileOptions = {}): Promise<DatasetProfile> {
    return this.withConnection(async (conn) => {
      const source = await withDialect(await resolveSource(conn, location), options);
      const held = await this.fromHeldText(source, options, async (c, text) =>
        profileSource(c, source, options, false, text),
      );
      return (held ?? (await profileSource(conn, source, options))).profile;
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
      if (source.csv) {
        // The runner read these very bytes with this very dialect: what it established stands.
        const print = await fileFingerprint(source.location);
        const rows =
          print && this.reads.get(readKey(source.location, print, source.csv.dialect, source.csv.read));
        if (rows) return { location: source.location, rows, malformedCount: 0, malformed: [] };
      }
      return sourceFacts(conn, source, limit);
    });
  }

  /**
   * Remembers a whole, strict, all-text read of a CSV version (`print`, taken before the read) with
   * this dialect: `rows` rows and no malformed line. `readFacts` of the same version and dialect
   * then answers from it instead of reading the file again (the incident after a failed run).
   */
  rememberRead(location: string, print: string, dialect: CsvDialect, read: ReadOptions, rows: number): void {
    if (rows <= 0) return;
    this.reads.set(readKey(location, print, dialect, read), rows);
    // A few recent versions are plenty: the last run's inputs.
    while (this.reads.size > REMEMBERED_READS) {
      const oldest = this.reads.keys().next().value;
      if (oldest === undefined) break;
      this.reads.delete(oldest);
    }
  }

  /** The first `limit` rows failing the checks (the findings' row-level reasons), in reading order. */
  async failingRows(
    location: string,
    checks: readonly RowCheck[],
    options: { keys?: string[]; limit: number },
  ): Promise<FailingRow[]> {
    return this.withConnection(async (conn) => {
      const source = await resolveSource(conn, location);
      const byPath = new Map((await describe(conn, source, relation(source))).map((f) => [f.path, f]));
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

  /**
   * The schema and the profile from one read of the input (what `inferSchema` and `profile` would
   * return, without reading it twice). With `sampleRows`, both describe the sample.
   */
  async inspect(
    location: string,
    name: string,
    options: ProfileOptions = {},
  ): Promise<{ schema: TableSchema; profile: DatasetProfile }> {
    return this.withConnection(async (conn) => {
      const source = await withDialect(await resolveSource(conn, location), options);
      const measure = async (c: DuckDBConnection, text?: FromHeld) => {
        const { profile, staged } = await profileSource(c, source, options, false, text);
        const nulls = new Map(profile.columns.map((col) => [col.path, col.nullCount]));
        return { schema: await schemaOf(c, source, staged, name, nulls), profile };
      };
      return (await this.fromHeldText(source, options, measure)) ?? (await measure(conn));
    });
  }

  /**
   * Offers the text of a CSV version a run read whole and still holds (the failed run before its
   * incident): profiling the same version with the same dialect parses that text instead of the
   * file. `holdText(undefined, text)` withdraws `text` (and nothing offered since).
   */
  holdText(text: HeldText | undefined, release?: HeldText): void {
    if (release !== undefined && this.held !== release) return;
    this.held = text;
  }

  /**
   * `measure` over the held text of this very version (the file's fingerprint now is the one taken
   * before the run read it; same dialect and read options; the whole input, not a sample), or
   * undefined: the caller then reads the file. A file rewritten since is read again.
   */
  private async fromHeldText<T>(
    source: DataSource,
    options: ProfileOptions,
    measure: (conn: DuckDBConnection, text: FromHeld) => Promise<T>,
  ): Promise<T | undefined> {
    const held = this.held;
    if (!held || !source.csv || options.sampleRows !== undefined) return undefined;
    const print = await fileFingerprint(source.location);
    if (
      print === undefined ||
      readKey(source.location, print, source.csv.dialect, source.csv.read) !==
        readKey(held.location, held.fingerprint, held.dialect, held.read)
    )
      return undefined;
    try {
      return await held.use(async (conn, table, typed) => {
        try {
          return await measure(conn, {
            table,
            typed,
            ...(held.uniqueKeys ? { uniqueKeys: held.uniqueKeys } : {}),
          });
        } finally {
          // The run's connection is left as it was found.
          await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(STAGED_TABLE)}`);
        }
      });
    } catch {
      // Reuse is an optimization: anything unexpected and the file is read.
      return undefined;
    }
  }

  /**
   * Bad rows of an input against a contract (core/bad-rows.ts), `renames` mapped back first: one
   * read, one grouped query.
   *
   * @example
   * const m = await engine.measureBadRows('data/orders.csv', contract, [{ from: 'qty', to: 'quantity' }]);
   */
  async measureBadRows(
    location: string,
    contract: { schema: TableSchema; keys: readonly string[] },
    renames: readonly { from: string; to: string }[] = [],
    sampleRows?: number,
    read?: ReadOptions,
  ): Promise<BadRowMeasurement> {
    return this.withConnection(async (conn) => {
      const source = await withDialect(await resolveSource(conn, location), {
        ...(read ? { read } : {}),
        expected: contract.schema,
      });
      const staged = await confirmedStage(conn, source, sampleRows);
      const checks = badRowChecks(
        contract,
        staged.fields.map((f) => f.path),
        renames,
      );
      const input = new Map(staged.fields.map((f) => [f.path, { expr: fieldExpr(f), type: f.type }]));
      const [counted] = await query(conn, source, badRowMeasureSql(staged.relation, checks, input));
      const m = readBadRowMeasurement(counted, checks, false);
      return { ...m, sampled: staged.sampled && m.rowsMeasured >= (sampleRows ?? 0) };
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

const REMEMBERED_READS = 32;

function readKey(location: string, print: string, dialect: CsvDialect, read: ReadOptions): string {
  return `${location}\0${print}\0${canonicalJson({ dialect, read })}`;
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

/**
 * How a CSV's types are read: inferred from every row (the default), guessed from DuckDB's sample
 * (`sniff: 'sample'`), or not at all, every value as text (`sniff: 'none'`, for a one-pass stage).
 */
export interface ReadRelationOptions {
  sniff?: 'all' | 'sample' | 'none';
}

/** The table function reading these files; every type is inferred from all rows unless told. */
export function readRelation(
  files: readonly string[],
  format: DataFormat,
  options: ReadRelationOptions = {},
): string {
  const list = quoteLiteralList(files);
  switch (format) {
    case 'csv': {
      const types =
        options.sniff === 'none'
          ? ', all_varchar = true'
          : options.sniff === 'sample'
            ? ''
            : ', sample_size = -1';
      return `read_csv(${list}, header = true${types}, union_by_name = true)`;
    }
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

/**
 * The relation reading a source: a CSV with its decided dialect (`withDialect`) is read with it,
 * never with a sniffed one; `sniff` as in readRelation (`none`: every value as text).
 */
function relation(source: DataSource, sniff: ReadRelationOptions['sniff'] = 'all'): string {
  if (source.csv)
    return csvReadSql(source.csv.dialect, source.csv.read, {
      ...(sniff === 'none' ? { allVarchar: true } : {}),
      ...(sniff === 'sample' ? { sampleTypes: true } : {}),
    });
  return readRelation(source.files, source.format, { sniff });
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
  // Every column counted, not a bare count(*): that would skip decoding the values (bad bytes
  // unseen). Counting them decodes each value without keeping the rows.
  const sql = (lenient: boolean) =>
    `SELECT count(*) AS n, count(COLUMNS(*)) FROM ${csvReadSql(source.csv!.dialect, source.csv!.read, { allVarchar: true, rejects, lenient })}`;
  let counted: Record<string, unknown>[];
  try {
    counted = await rows(conn, sql(false));
  } catch {
    try {
      counted = await rows(conn, sql(true));
    } catch (error) {
      throw readError(error, source.location, source.format);
    }
  }
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

async function describe(
  conn: DuckDBConnection,
  source: DataSource,
  relation: string,
): Promise<NestedField[]> {
  const described = await query(conn, source, `DESCRIBE SELECT * FROM ${relation}`);
  return described.flatMap((r) => flattenColumn([String(r.column_name)], String(r.column_type)));
}

/** SQL for the value at a field: `"s"` then `struct_extract("s", 'member')` (names may hold dots). */
function fieldExpr(f: NestedField): string {
  return f.segments
    .slice(1)
    .reduce((e, s) => `struct_extract(${e}, ${quoteLiteral(s)})`, quoteIdent(f.segments[0]!));
}

/** Parquet declares nullability (REQUIRED vs OPTIONAL) in its metadata. */
async function applyParquetNullability(
  conn: DuckDBConnection,
  source: DataSource,
  fields: NestedField[],
): Promise<void> {
  const optional = new Set<string>();
  for (const file of source.files) {
    for (const path of await parquetOptionalPaths(conn, source, file)) optional.add(path);
  }
  for (const f of fields)
    f.nullable = f.segments.some((_, i) => optional.has(pathKey(f.segments.slice(0, i + 1))));
}

/** Text formats declare nothing: a field is nullable when the data holds a null. */
async function applyNullability(
  conn: DuckDBConnection,
  source: DataSource,
  relation: string,
  fields: NestedField[],
): Promise<void> {
  if (fields.length === 0) return;
  const select = fields.map((f, i) => `count(*) - count(${fieldExpr(f)}) AS n${i}`).join(', ');
  const [counts] = await query(conn, source, `SELECT ${select} FROM ${relation}`);
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

/**
 * The input read once. Text formats are parsed into a temp table on this connection (every later
 * measurement scans memory, not the file); Parquet is columnar and typed, so its relation is read in
 * place (each query reads only the columns it needs). `sampled`: a reservoir sample was staged.
 * `sniffedSample`: the CSV's types are DuckDB's sampled guess, every value checked against them.
 */
interface Staged {
  relation: string;
  fields: NestedField[];
  sampled: boolean;
  /**
   * The CSV's types are DuckDB's sampled guess, every value checked against them; its text columns
   * are confirmed by `typedLooking` (a column null throughout the sniffed sample may hold numbers).
   */
  sniffedSample: boolean;
}

/**
 * Text columns whose least and greatest values say every value could be of a typed kind: each
 * starts with a sign, a point or a digit, or each could be `true`/`false`. Only a sniff of every row
 * types such a column as DuckDB would. Conservative: a false alarm costs a second read, not a fact.
 */
function typedLooking(lo: string | undefined, hi: string | undefined): boolean {
  if (lo === undefined || hi === undefined) return false;
  const numeric = lo >= '+' && hi < ':';
  const boolean =
    ['false', 'true'].includes(lo.trim().toLowerCase()) &&
    ['false', 'true'].includes(hi.trim().toLowerCase());
  return numeric || boolean;
}

/** Least and greatest value of each text column of a sampled-sniff stage, for `typedLooking`. */
async function textRanges(
  conn: DuckDBConnection,
  source: DataSource,
  staged: Staged,
): Promise<{ lo?: string; hi?: string }[]> {
  const text = staged.fields.filter((f) => f.type === 'string' && f.segments.length === 1);
  if (!staged.sniffedSample || text.length === 0) return [];
  const select = text.map((f, i) => `min(${fieldExpr(f)}) AS lo${i}, max(${fieldExpr(f)}) AS hi${i}`);
  const [row] = await query(conn, source, `SELECT ${select.join(', ')} FROM ${staged.relation}`);
  return text.map((_, i) => {
    const lo = row?.[`lo${i}`];
    const hi = row?.[`hi${i}`];
    return { ...(typeof lo === 'string' ? { lo } : {}), ...(typeof hi === 'string' ? { hi } : {}) };
  });
}

/** A stage whose text columns are confirmed: the sampled guess, or a read sniffing every row. */
async function confirmedStage(
  conn: DuckDBConnection,
  source: DataSource,
  sampleRows: number | undefined,
): Promise<Staged> {
  const staged = await stage(conn, source, sampleRows);
  const ranges = await textRanges(conn, source, staged);
  return ranges.some((r) => typedLooking(r.lo, r.hi)) ? stage(conn, source, sampleRows, true) : staged;
}

const STAGED_TABLE = '__healer_staged';

/**
 * Stages a source. A CSV is parsed once as text and cast in the same pass to the types DuckDB's
 * sampled sniff guessed (`stageCsvOnce`); when a value does not fit its guessed type, the file is
 * read again with every row sniffed (`sample_size = -1`), as it is when `sniffAll`.
 */
async function stage(
  conn: DuckDBConnection,
  source: DataSource,
  sampleRows: number | undefined,
  sniffAll = false,
  held?: FromHeld,
): Promise<Staged> {
  const sample =
    sampleRows === undefined
      ? ''
      : ` USING SAMPLE reservoir(${Math.max(0, Math.floor(sampleRows))} ROWS) REPEATABLE (42)`;
  const sampled = sampleRows !== undefined;
  if (source.format === 'parquet' && !sampled) {
    const parquet = relation(source);
    return {
      relation: parquet,
      fields: await describe(conn, source, parquet),
      sampled,
      sniffedSample: false,
    };
  }
  if (held && source.format === 'csv' && !sniffAll && !sampled) {
    const typed = await stageHeldTyped(conn, source, held);
    if (typed) return typed;
  }
  const table = quoteIdent(STAGED_TABLE);
  const sniffedSample =
    source.format === 'csv' && !sniffAll && (await stageCsvOnce(conn, source, table, sample, held?.table));
  if (!sniffedSample)
    await query(
      conn,
      source,
      `CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * FROM ${relation(source)}${sample}`,
    );
  return { relation: table, fields: await describe(conn, source, table), sampled, sniffedSample };
}

/** A type name as DuckDB's DESCRIBE spells the types its CSV sniffer picks. */
const SNIFFED_TYPE = /^[A-Z][A-Z ]*(\(\d+(, ?\d+)?\))?$/;
const MISFIT = '__healer_misfit';

/**
 * One parse of a CSV: every value read as text and cast, in the same pass, to the type DuckDB's
 * sampled sniff guessed for its column, with a flag on every row holding a value that does not fit
 * that type. DuckDB's typed CSV read would not fail on those: it rounds `1.5` into a BIGINT and cuts
 * the time off a timestamp in a DATE column. False (nothing kept) when a value misfits or the
 * reading fails: the caller reads the file again with every row sniffed. `heldText` is a table
 * holding the file's text as this read would give it (HeldText): cast from there, not the file.
 */
async function stageCsvOnce(
  conn: DuckDBConnection,
  source: DataSource,
  table: string,
  sample: string,
  heldText?: string,
): Promise<boolean> {
  // Declared date or timestamp formats are applied by DuckDB's typed read only, not by a cast.
  if (source.csv?.read.dateFormat || source.csv?.read.timestampFormat) return false;
  const text = heldText === undefined ? relation(source, 'none') : quoteIdent(heldText);
  try {
    const guessed = await rows(conn, `DESCRIBE SELECT * FROM ${relation(source, 'sample')}`);
    // Both reads use the same dialect and header (declared, or sniffed alike): a column the text
    // read names otherwise fails the statement below, and the caller reads the file again.
    const select: string[] = [];
    const misfits: string[] = [];
    for (const g of guessed) {
      const v = quoteIdent(String(g.column_name));
      const type = String(g.column_type);
      if (type === 'VARCHAR') {
        select.push(v);
        continue;
      }
      if (!SNIFFED_TYPE.test(type)) return false;
      const cast = `TRY_CAST(${v} AS ${type})`;
      select.push(`${cast} AS ${v}`);
      // A cast that fails; what DuckDB's sniffer rejects but its integer cast takes (a fraction or
      // exponent rounded away, a sign, a separator, a leading zero); a time the date cast drops.
      const lossy = /INT/.test(type)
        ? ` OR regexp_matches(${v}, '[^0-9 -]|^ *-?0[0-9]')`
        : type === 'DATE'
          ? ` OR length(trim(${v})) <> 10`
          : '';
      misfits.push(`(${v} IS NOT NULL AND (${cast} IS NULL${lossy}))`);
    }
    const flag = misfits.length ? misfits.join(' OR ') : 'false';
    await rows(
      conn,
      `CREATE OR REPLACE TEMP TABLE ${table} AS SELECT ${select.join(', ')}, ${flag} AS ${quoteIdent(MISFIT)} FROM ${text}${sample}`,
    );
    const [check] = await rows(conn, `SELECT bool_or(${quoteIdent(MISFIT)}) AS misfit FROM ${table}`);
    if (check?.misfit === true) return false;
    await conn.run(`ALTER TABLE ${table} DROP COLUMN ${quoteIdent(MISFIT)}`);
    return true;
  } catch {
    // A ragged line, an encoding the text read refuses: the typed read reports it (or copes).
    return false;
  }
}

/** The sniffed types a run's strict typing to the same type gives the same values for (below). */
const HELD_TYPED = new Set(['VARCHAR', 'BIGINT', 'DOUBLE', 'TIMESTAMP', 'DATE']);

/**
 * What `stageCsvOnce` would stage from the held text, without casting it again: the run's typed
 * table, when DuckDB's sampled sniff guesses for every column of the file the very type the run
 * typed it to, and no value is one `stageCsvOnce` would flag as misfit. The run typed every trimmed
 * value strictly (strict-value.ts), and what it took DuckDB's cast takes to the same value (the cast
 * skips the blanks trim removes; a test holds DuckDB to that). Left to check are the forms the run
 * takes and a read flags: an integer written `+5`, `07`, `5.0` (anything but plain digits is
 * flagged here, blanks too, which only sends a value to the exact path) and a date not 10 long.
 * Undefined otherwise: the caller casts the held text as a read of the file would.
 */
async function stageHeldTyped(
  conn: DuckDBConnection,
  source: DataSource,
  held: FromHeld,
): Promise<Staged | undefined> {
  if (source.csv?.read.dateFormat || source.csv?.read.timestampFormat) return undefined;
  const guessed = await rows(conn, `DESCRIBE SELECT * FROM ${relation(source, 'sample')}`);
  const typed = new Map(
    (await rows(conn, `DESCRIBE SELECT * FROM ${quoteIdent(held.typed)}`)).map((c) => [
      String(c.column_name),
      String(c.column_type),
    ]),
  );
  if (guessed.length !== typed.size) return undefined;
  const misfits: string[] = [];
  for (const g of guessed) {
    const type = String(g.column_type);
    if (!HELD_TYPED.has(type) || typed.get(String(g.column_name)) !== type) return undefined;
    const v = quoteIdent(String(g.column_name));
    if (type === 'BIGINT') misfits.push(`NOT regexp_full_match(${v}, '-?(0|[1-9][0-9]*)')`);
    else if (type === 'DATE') misfits.push(`length(${v}) <> 10`);
  }
  if (misfits.length > 0) {
    // NULL (a null value) is no misfit: bool_or skips it.
    const [check] = await rows(
      conn,
      `SELECT bool_or(${misfits.join(' OR ')}) AS misfit FROM ${quoteIdent(held.table)}`,
    );
    if (check?.misfit === true) return undefined;
  }
  // The file's column order, as a read of it gives.
  const relationSql = `(SELECT ${guessed.map((g) => quoteIdent(String(g.column_name))).join(', ')} FROM ${quoteIdent(held.typed)})`;
  return {
    relation: relationSql,
    fields: await describe(conn, source, relationSql),
    sampled: false,
    sniffedSample: true,
  };
}

/**
 * One part of the single aggregate query over the staged input: its SELECT items (aliases unique to
 * the part) and what it reads back from the result row. Further measurements join the query as
 * further parts.
 */
interface AggregatePart {
  select: string[];
  read(row: Record<string, unknown>, profile: DatasetProfile): void;
}

/** Per column: nulls, approximate distinct values, least and greatest value. */
function columnsPart(fields: NestedField[]): AggregatePart {
  const select = ['count(*) AS row_count'];
  fields.forEach((f, i) => {
    const e = fieldExpr(f);
    select.push(`count(${e}) AS c${i}`);
    if (isScalar(f.type)) {
      select.push(`approx_count_distinct(${e}) AS d${i}`);
      select.push(`CAST(min(${e}) AS VARCHAR) AS lo${i}`, `CAST(max(${e}) AS VARCHAR) AS hi${i}`);
    }
  });
  return {
    select,
    read(row, profile) {
      const rowCount = Number(row.row_count ?? 0);
      profile.rowCount = rowCount;
      profile.columns = fields.map((f, i) => {
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
        return col;
      });
    },
  };
}

/**
 * What each column's validity is measured against: the contract type when it differs from the
 * inferred one, else (text columns) every candidate type whose values could be there, else nothing
 * (a typed column is valid). A text column whose least value starts after `9` holds no number or
 * date, and one wholly below `F` or above `yes` no boolean word: those are not parsed at all.
 */
function validityPlans(
  fields: NestedField[],
  columns: readonly ColumnProfile[],
  expected: ReadonlyMap<string, LogicalType>,
): { candidates: LogicalType[]; forced: boolean }[] {
  return fields.map((f, i) => {
    const want = expected.get(f.path);
    const col = columns[i];
    if (want !== undefined && want !== f.type && isScalar(want) && isScalar(f.type))
      return { candidates: [want], forced: true };
    if (f.type !== 'string' || (want !== undefined && want !== 'string') || !col || col.min === undefined)
      return { candidates: [], forced: false };
    const lo = col.min;
    const hi = col.max ?? lo;
    const numbers = lo < ':';
    // The words a boolean cast takes run from `F` to `yes`; `0` and `1` are numbers first.
    const booleans = !(hi < 'F' || lo > 'yes');
    return {
      candidates: TEXT_CANDIDATES.filter((t) => (t === 'boolean' ? booleans : numbers)),
      forced: false,
    };
  });
}

/** Validity per column, from one more aggregate over the staged input when any column needs it. */
async function measureValidity(
  conn: DuckDBConnection,
  source: DataSource,
  relation: string,
  fields: NestedField[],
  profile: DatasetProfile,
  expected: ReadonlyMap<string, LogicalType>,
): Promise<void> {
  const plans = validityPlans(fields, profile.columns, expected);
  const select: string[] = [];
  const row: Record<string, unknown> = {};
  for (const [i, f] of fields.entries()) {
    const e = fieldExpr(f);
    const candidates = plans[i]!.candidates;
    if (candidates.length === 0) continue;
    const distinct = profile.columns[i]?.distinct ?? Number.POSITIVE_INFINITY;
    if (distinct <= FEW_DISTINCT && distinct * 10 <= profile.rowCount) {
      // Few distinct values (codes, categories): each is parsed once, weighted by its rows. The
      // same counts as parsing every row; the distinct count only picks the cheaper way.
      const v = quoteIdent('__healer_value');
      const counts = candidates.map(
        (t, j) =>
          `COALESCE(sum(n) FILTER (WHERE ${v} IS NOT NULL AND ${parses(v, t, f.type)}), 0) AS v${i}_${j}`,
      );
      const [grouped] = await query(
        conn,
        source,
        `SELECT ${counts.join(', ')} FROM (SELECT ${e} AS ${v}, count(*) AS n FROM ${relation} GROUP BY ALL)`,
      );
      Object.assign(row, grouped);
      continue;
    }
    candidates.forEach((t, j) => {
      select.push(`count(*) FILTER (WHERE ${e} IS NOT NULL AND ${parses(e, t, f.type)}) AS v${i}_${j}`);
    });
  }
  if (select.length > 0)
    Object.assign(row, (await query(conn, source, `SELECT ${select.join(', ')} FROM ${relation}`))[0]);
  profile.columns.forEach((col, i) => {
    const plan = plans[i]!;
    const nonNull = profile.rowCount - col.nullCount;
    if (plan.candidates.length === 0 || nonNull === 0) return;
    let best = -1;
    let bestShare = -1;
    plan.candidates.forEach((_, j) => {
      const share = Number(row?.[`v${i}_${j}`] ?? 0) / nonNull;
      if (share > bestShare) {
        best = j;
        bestShare = share;
      }
    });
    if (plan.forced || bestShare >= MOSTLY) {
      col.validityType = plan.candidates[best]!;
      col.validity = bestShare;
    }
  });
}

/** Approximate quantiles of the numeric columns (distribution-stats.ts), in the one aggregate. */
function quantilesPart(fields: NestedField[]): AggregatePart {
  return {
    select: quantileSelects(statColumns(fields)),
    read(row, profile) {
      profile.columns.forEach((col, i) => {
        const quantiles = readQuantiles(row, i);
        if (quantiles) col.quantiles = quantiles;
      });
    },
  };
}

function statColumns(fields: NestedField[]): { index: number; expr: string; type: LogicalType }[] {
  return fields.map((f, i) => ({ index: i, expr: fieldExpr(f), type: f.type }));
}

/** The most frequent values of text and boolean columns: one grouped query over the staged input. */
async function measureTopValues(
  conn: DuckDBConnection,
  source: DataSource,
  relation: string,
  fields: NestedField[],
  profile: DatasetProfile,
): Promise<void> {
  const topSql = topValuesQuery(statColumns(fields), relation);
  if (topSql === undefined) return;
  const top = readTopValues(await query(conn, source, topSql));
  profile.columns.forEach((col, i) => {
    const f = fields[i]!;
    if (isScalar(f.type) && top.has(i)) col.topValues = top.get(i)!;
    else if (profile.rowCount - col.nullCount === 0 && (f.type === 'string' || f.type === 'boolean'))
      col.topValues = [];
  });
}

/** The newest event time of the freshness column. */
function freshnessPart(field: NestedField): AggregatePart {
  return {
    select: [`CAST(max(TRY_CAST(${fieldExpr(field)} AS TIMESTAMP)) AS VARCHAR) AS newest`],
    read(row, profile) {
      const newest = row.newest;
      if (typeof newest === 'string')
        profile.newestAt = new Date(`${newest.replace(' ', 'T')}Z`).toISOString();
    },
  };
}

/**
 * The profile from one read: the source staged once, one aggregate over it (columns, quantiles,
 * freshness), one grouped query for the frequent text values, and, with a key or a contract, one grouped query over it (duplicates and bad rows, as the core
 * defines them).
 */
async function profileSource(
  conn: DuckDBConnection,
  source: DataSource,
  options: ProfileOptions,
  sniffAll = false,
  held?: FromHeld,
): Promise<{ profile: DatasetProfile; staged: Staged }> {
  const staged = await stage(conn, source, options.sampleRows, sniffAll, held);
  const { fields, relation } = staged;
  const byPath = new Map(fields.map((f) => [f.path, f]));
  const need = (column: string, what: string): NestedField => {
    const f = byPath.get(column);
    if (!f)
      throw new InvalidInputError(`${what} column ${column} not found in ${source.location}`, {
        context: { file: source.location, column },
      });
    return f;
  };
  const keys = options.keys ?? [];
  for (const k of keys) need(k, 'key');
  const expected = new Map((options.expected?.fields ?? []).map((f) => [f.path, f.type]));
  // Every measurement that is one aggregate over the rows joins this one query as a part.
  const parts: AggregatePart[] = [columnsPart(fields), quantilesPart(fields)];
  if (options.freshnessColumn !== undefined)
    parts.push(freshnessPart(need(options.freshnessColumn, 'freshness')));

  const profile: DatasetProfile = {
    source: source.location,
    format: source.format,
    rowCount: 0,
    columns: [],
  };
  const [row] = await query(
    conn,
    source,
    `SELECT ${parts.flatMap((p) => p.select).join(', ')} FROM ${relation}`,
  );
  for (const part of parts) part.read(row ?? {}, profile);
  // The sampled sniff's text columns, confirmed by the least and greatest values just measured.
  if (
    staged.sniffedSample &&
    fields.some(
      (f, i) =>
        f.type === 'string' &&
        f.segments.length === 1 &&
        typedLooking(profile.columns[i]?.min, profile.columns[i]?.max),
    )
  )
    return profileSource(conn, source, options, true);
  await measureValidity(conn, source, relation, fields, profile, expected);
  await measureTopValues(conn, source, relation, fields, profile);
  // Measurements needing a query of their own read `relation` (the staged input), never the files.

  if (keys.length > 0 || options.expected) {
    const checks = badRowChecks(
      { schema: options.expected ?? { name: source.location, fields: [] }, keys },
      fields.map((f) => f.path),
    );
    const input = new Map(fields.map((f) => [f.path, { expr: fieldExpr(f), type: f.type }]));
    // Keys the failed run found unique, staged here as the very types it compared them by: no
    // group repeats, so the count without grouping is the same (duplicates 0).
    const unique = held?.uniqueKeys;
    const knownUnique =
      keys.length > 0 &&
      unique !== undefined &&
      canonicalJson(unique.keys) === canonicalJson(keys) &&
      keys.every((k) => byPath.get(k)?.rawType === unique.types[k]);
    const [counted] = await query(
      conn,
      source,
      badRowMeasureSql(relation, knownUnique ? { ...checks, key: [] } : checks, input),
    );
    // A reservoir holding fewer rows than asked for holds every row.
    const sampled = staged.sampled && profile.rowCount >= (options.sampleRows ?? 0);
    const measured = readBadRowMeasurement(counted, checks, sampled);
    if (keys.length > 0) profile.duplicateKeys = { [keys.join(',')]: measured.byReason.duplicate_key };
    if (options.expected) profile.badRows = measured;
  }
  return { profile, staged };
}

/** The schema of a staged source: Parquet declares nullability, text formats show it in the data. */
async function schemaOf(
  conn: DuckDBConnection,
  source: DataSource,
  staged: Staged,
  name: string,
  nullCounts?: ReadonlyMap<string, number>,
): Promise<TableSchema> {
  const fields = staged.fields.map((f) => ({ ...f, segments: [...f.segments] }));
  if (source.format === 'parquet') await applyParquetNullability(conn, source, fields);
  else if (nullCounts) for (const f of fields) f.nullable = (nullCounts.get(f.path) ?? 0) > 0;
  else await applyNullability(conn, source, staged.relation, fields);
  return { name, fields: fields.map(({ segments: _, ...f }) => f) };
}

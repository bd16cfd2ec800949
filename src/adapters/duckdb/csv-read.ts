// Reading CSV truly: the dialect is declared (pipeline `read:` options) or taken from the header
// line alone, never sniffed from the data, so one ragged line cannot turn the file into one column;
// lines that cannot be read as rows are kept with their line number and reason (DuckDB's rejects
// tables); every engine error names the file.

import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { InvalidInputError } from '../../core/errors.js';
import type { MalformedLine } from '../../core/read-facts.js';
import type { ReadOptions } from '../../core/read-options.js';
import { quoteIdent, quoteLiteral, quoteLiteralList } from './sql.js';

/** The dialect a CSV is read with, every part decided before DuckDB sees a row. */
export interface CsvDialect {
  delimiter: string;
  quote: string;
  escape: string;
  header: boolean;
  /** Column names in file order (from the header, or the caller's when there is none). */
  names: string[];
  /** Files with at least one byte (DuckDB cannot read a zero-byte CSV). */
  files: string[];
  /** Files with no bytes. */
  emptyFiles: string[];
  /**
   * Both CRLF and bare LF line ends in the first bytes: DuckDB's strict parser cannot read such a
   * file at all, so it is read leniently (an extra field is then dropped, not rejected: logged).
   */
  mixedLineEnds: boolean;
  /** Every file has the first file's header: columns can be named once, by position. */
  sameHeader: boolean;
  /** Files grouped by header (one group when every header is the same), in file order. */
  groups: { files: string[]; names: string[] }[];
}

const DELIMITERS = [',', '\t', ';', '|'] as const;
const HEAD_BYTES = 64 * 1024;
/** Raw lines are kept up to this many characters in findings and logs. */
export const RAW_LINE_CHARS = 500;

/**
 * Decides the dialect of CSV files. The delimiter is the declared one; else tab for `.tsv`; else the
 * candidate that splits the header into the most of the `expected` column names, then the most
 * fields. Column names come from the first non-empty file's header.
 */
export async function csvDialect(
  files: readonly string[],
  read: ReadOptions = {},
  expected: readonly string[] = [],
): Promise<CsvDialect> {
  const quote = read.quote ?? '"';
  const esc = read.escape ?? quote;
  const header = read.header ?? true;
  const nonEmpty: string[] = [];
  const emptyFiles: string[] = [];
  let firstLine: string | undefined;
  let mixedLineEnds = false;
  let sameHeader = true;
  const headers = new Map<string, string[]>();
  for (const file of files) {
    const head = await readHead(file);
    if (head.length === 0) {
      emptyFiles.push(file);
      continue;
    }
    nonEmpty.push(file);
    const record = firstRecord(decode(head, read.encoding), quote);
    if (firstLine !== undefined && record !== firstLine) sameHeader = false;
    headers.set(record, [...(headers.get(record) ?? []), file]);
    const text = head.toString('latin1');
    const crlf = text.split('\r\n').length - 1;
    const lf = text.split('\n').length - 1;
    if (crlf > 0 && lf > crlf) mixedLineEnds = true;
    firstLine ??= record;
  }
  let delimiter = read.delimiter;
  if (delimiter === undefined && files.some((f) => extname(f).toLowerCase() === '.tsv')) delimiter = '\t';
  if (delimiter === undefined) {
    const wanted = new Set(expected);
    let best: { d: string; hits: number; fields: number } | undefined;
    for (const d of DELIMITERS) {
      const fields = splitRecord(firstLine ?? '', d, quote, esc);
      const hits = fields.filter((f) => wanted.has(f)).length;
      if (!best || hits > best.hits || (hits === best.hits && fields.length > best.fields))
        best = { d, hits, fields: fields.length };
    }
    delimiter = best?.d ?? ',';
  }
  const names =
    header && firstLine !== undefined
      ? splitRecord(firstLine, delimiter, quote, esc).map((n, i) => (n === '' ? `column${i}` : n))
      : [...expected];
  const groups = header
    ? [...headers.entries()].map(([record, groupFiles]) => ({
        files: groupFiles,
        names: splitRecord(record, delimiter, quote, esc).map((n, i) => (n === '' ? `column${i}` : n)),
      }))
    : [{ files: nonEmpty, names }];
  return {
    groups,
    delimiter,
    quote,
    escape: esc,
    header,
    names,
    files: nonEmpty,
    emptyFiles,
    mixedLineEnds,
    sameHeader: sameHeader || !header,
  };
}

/** Options of one `read_csv` call. */
export interface CsvReadSql {
  /** Read every value as text (the runner judges values itself); else DuckDB infers types. */
  allVarchar?: boolean;
  /** Keep malformed lines in these temp tables; else skip them (`ignore_errors`). */
  rejects?: { table: string; scan: string };
  /** Lenient parsing (mixed line endings); an extra field is then dropped, not rejected. */
  lenient?: boolean;
  /** Types guessed from DuckDB's sample of rows, not from every row (the dialect stays declared). */
  sampleTypes?: boolean;
}

/** The rejects tables of group `i` (DuckDB keeps no rejects when files are matched by name). */
export function groupRejects(rejects: { table: string; scan: string }, i: number, n: number) {
  return n === 1 ? rejects : { table: `${rejects.table}_g${i}`, scan: `${rejects.scan}_g${i}` };
}

/**
 * The relation reading the files with the dialect, the declared options and `how`: one `read_csv`,
 * or, when files have different headers and malformed lines are kept, one per header matched by
 * name (`UNION ALL BY NAME`).
 */
export function csvReadSql(dialect: CsvDialect, read: ReadOptions, how: CsvReadSql = {}): string {
  if (how.rejects && how.allVarchar && dialect.groups.length > 1) {
    const n = dialect.groups.length;
    const parts = dialect.groups.map(
      (g, i) =>
        `SELECT * FROM ${oneRead({ ...dialect, files: g.files, names: g.names, sameHeader: true, groups: [g] }, read, { ...how, rejects: groupRejects(how.rejects!, i, n) })}`,
    );
    return `(${parts.join(' UNION ALL BY NAME ')})`;
  }
  return oneRead(dialect, read, how);
}

function oneRead(dialect: CsvDialect, read: ReadOptions, how: CsvReadSql): string {
  const args = [
    quoteLiteralList(dialect.files),
    `header = ${dialect.header}`,
    `delim = ${quoteLiteral(dialect.delimiter)}`,
    `quote = ${quoteLiteral(dialect.quote)}`,
    `escape = ${quoteLiteral(dialect.escape)}`,
  ];
  if (how.allVarchar && dialect.names.length > 0 && dialect.sameHeader) {
    // Explicit columns: no sniffing at all; every value kept as the text it was.
    args.push(`auto_detect = false`);
    args.push(`columns = {${dialect.names.map((n) => `${quoteLiteral(n)}: 'VARCHAR'`).join(', ')}}`);
  } else {
    // Files with different headers are matched by name; the dialect stays declared.
    if (how.allVarchar) args.push('all_varchar = true');
    if (!how.sampleTypes) args.push('sample_size = -1');
    if (!dialect.header && dialect.names.length > 0) args.push(`names = ${quoteLiteralList(dialect.names)}`);
    if (dialect.files.length > 1) args.push('union_by_name = true');
  }
  if (read.encoding) args.push(`encoding = ${quoteLiteral(read.encoding)}`);
  if (read.nullStrings) args.push(`nullstr = ${quoteLiteralList(read.nullStrings)}`);
  if (read.dateFormat) args.push(`dateformat = ${quoteLiteral(read.dateFormat)}`);
  if (read.timestampFormat) args.push(`timestampformat = ${quoteLiteral(read.timestampFormat)}`);
  if (how.lenient || dialect.mixedLineEnds) args.push('strict_mode = false');
  if (how.rejects)
    args.push(
      'store_rejects = true',
      `rejects_table = ${quoteLiteral(how.rejects.table)}`,
      `rejects_scan = ${quoteLiteral(how.rejects.scan)}`,
    );
  else args.push('ignore_errors = true');
  return `read_csv(${args.join(', ')})`;
}

/** True when DuckDB failed on the line structure as a whole (mixed line endings), not on a line. */
export function needsLenient(error: unknown): boolean {
  const m = error instanceof Error ? error.message : String(error);
  return /state machine reached an invalid state|Error when sniffing file/i.test(m);
}

/** Malformed lines from a rejects table: each (file, line) once, file and line order. */
export async function malformedLines(
  conn: DuckDBConnection,
  rejects: { table: string; scan: string },
  limit: number,
  groups = 1,
): Promise<{ count: number; first: MalformedLine[] }> {
  const distinct = Array.from({ length: groups }, (_, i) => {
    const r = groupRejects(rejects, i, groups);
    return `SELECT s.file_path AS file, e.line AS line, min(e.error_type) AS reason, min(e.csv_line) AS raw
    FROM ${quoteIdent(r.table)} e JOIN ${quoteIdent(r.scan)} s USING (scan_id, file_id) GROUP BY ALL`;
  }).join(' UNION ALL ');
  const reader = await conn.runAndReadAll(`SELECT count(*) AS n FROM (${distinct})`);
  const count = Number(reader.getRowObjectsJson()[0]?.n ?? 0);
  if (count === 0) return { count, first: [] };
  const first = (
    await conn.runAndReadAll(`SELECT * FROM (${distinct}) ORDER BY file, line LIMIT ${Math.max(0, limit)}`)
  ).getRowObjectsJson();
  return {
    count,
    first: first.map((r) => ({
      file: String(r.file),
      line: Number(r.line),
      reason: String(r.reason),
      raw: String(r.raw ?? '').slice(0, RAW_LINE_CHARS),
    })),
  };
}

/**
 * An engine error as a one-line input error naming the file(s): DuckDB's own message sometimes
 * names none (`Error when sniffing file ""`) or only the first of a glob.
 */
export function readError(error: unknown, location: string, format: string): InvalidInputError {
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  const named = first.replace(/file ""/g, `file "${location}"`);
  return new InvalidInputError(`cannot read ${location} as ${format}: ${named}`, {
    cause: error,
    context: { file: location, format },
  });
}

/** Whether a file is only whitespace (an "empty" CSV with a stray line break). */
export async function isBlank(file: string): Promise<boolean> {
  const info = await stat(file);
  if (info.size > HEAD_BYTES) return false;
  return (await readHead(file)).toString('latin1').trim() === '';
}

async function readHead(file: string): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, 'r');
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInputError(`cannot read ${file}: ${code ?? String(error)}`, {
      cause: error,
      context: { file },
    });
  } finally {
    await handle?.close();
  }
}

function decode(head: Buffer, encoding: ReadOptions['encoding']): string {
  const text =
    encoding === 'latin-1'
      ? head.toString('latin1')
      : encoding === 'utf-16'
        ? new TextDecoder('utf-16le').decode(head)
        : head.toString('utf8');
  return text.replace(/^\uFEFF/, '');
}

/** The first record of the text (a quoted field may hold line breaks). */
function firstRecord(text: string, quote: string): string {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== '' && c === quote) quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) return text.slice(0, i);
  }
  return text;
}

/** Splits one record into its fields (quotes removed, doubled or escaped quotes kept once). */
export function splitRecord(record: string, delimiter: string, quote: string, esc: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const c = record[i]!;
    if (quoted) {
      const next = record[i + 1];
      if (
        esc !== '' &&
        c === esc &&
        next !== undefined &&
        (next === quote || (esc !== quote && next === esc))
      ) {
        field += next;
        i++;
      } else if (c === quote) quoted = false;
      else field += c;
    } else if (quote !== '' && c === quote) quoted = true;
    else if (c === delimiter) {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/**
 * The 1-based line where each wanted record starts (records counted after the header, 0-based, as
 * DuckDB reads them: blank lines skipped, a quoted field may span lines). Scans the file once,
 * stopping after the last wanted record; only for ASCII-compatible encodings (else empty).
 */
export async function recordLines(
  file: string,
  dialect: CsvDialect,
  read: ReadOptions,
  wanted: readonly number[],
): Promise<Map<number, number>> {
  const found = new Map<number, number>();
  if (read.encoding === 'utf-16' || wanted.length === 0) return found;
  const want = new Set(wanted);
  const last = Math.max(...wanted);
  const { createReadStream } = await import('node:fs');
  const { quote, escape: esc } = dialect;
  let line = 1;
  let quoted = false;
  let inRecord = false;
  let skip = false;
  let start = 0;
  let record = dialect.header ? -1 : 0;
  const finish = () => {
    if (want.has(record)) found.set(record, start);
    record++;
    inRecord = false;
  };
  for await (const chunk of createReadStream(file, { encoding: 'latin1', highWaterMark: 1 << 20 })) {
    for (const c of chunk as string) {
      if (!inRecord) {
        if (c === '\n') {
          line++;
          continue;
        }
        if (c === '\r') continue;
        inRecord = true;
        start = line;
      }
      if (skip) skip = false;
      else if (quoted && esc !== '' && esc !== quote && c === esc) skip = true;
      else if (quote !== '' && c === quote) quoted = !quoted;
      if (c === '\n') {
        line++;
        if (!quoted) finish();
        if (record > last) return found;
      }
    }
  }
  if (inRecord) finish();
  return found;
}

// What a bad row is: the one definition every runtime measures (the simulator over its rows, DuckDB
// over a staged input locally and on AWS), and the measurement each reports: the share with its
// sample size. Adapters compile the same checks to their engine; nothing here reads data.

import type { Capabilities } from './decision.js';
import type { LogicalType, TableSchema } from './schema.js';

/**
 * Why a row breaks its contract. A row may break it for several reasons; it is counted once.
 * - `null_in_required`: a null (or missing value) in a column the contract declares NOT NULL, or a
 *   required column absent from the input;
 * - `unparseable`: a value that is not an instance of the contract type (text in a number column, a
 *   fraction in an integer column, a date that is not a date);
 * - `out_of_range`: a number that does not fit the contract type (over the integer range, infinite
 *   or not a number);
 * - `duplicate_key`: a repeated value of the declared key, every occurrence beyond one.
 */
export const BAD_ROW_REASONS = ['null_in_required', 'unparseable', 'out_of_range', 'duplicate_key'] as const;
export type BadRowReason = (typeof BAD_ROW_REASONS)[number];

/** What a value is, judged against a contract type. */
export type ValueVerdict = 'ok' | 'unparseable' | 'out_of_range';

/** One contract column checked on an input: where its values are, and what they must be. */
export interface ColumnCheck {
  /** The column's name in the input (a rename maps it back to the contract's name). */
  column: string;
  /** The contract's name for it. */
  contractColumn: string;
  type: LogicalType;
  /** NOT NULL in the contract. */
  required: boolean;
}

/** Every check a contract asks of one input. */
export interface BadRowChecks {
  columns: ColumnCheck[];
  /** The key's columns in the input; empty when the contract declares none or one is missing. */
  key: string[];
  /** Required contract columns absent from the input: every row lacks a required value. */
  missingRequired: string[];
}

/** One measurement of bad rows: what was counted and over how many rows. */
export interface BadRowMeasurement {
  /** Rows examined: the whole input, or the sample when `sampled`. */
  rowsMeasured: number;
  /**
   * Rows that break the contract for at least one reason, over the columns present (a missing
   * required column is in `missingRequired`, and makes the share 1).
   */
  badRows: number;
  /** Rows per reason; a row breaking several rules counts under each. */
  byReason: Record<BadRowReason, number>;
  /** True when `rowsMeasured` is a bounded sample of the input, not all of it. */
  sampled: boolean;
  /** Required contract columns absent from the input. */
  missingRequired: string[];
}

/**
 * The checks a contract asks of an input with these columns. `renames` (current name → contract
 * name) are mapped back first, as coercion would. Struct members absent by their dotted path travel
 * with their struct and are not checked on their own.
 *
 * @example
 * badRowChecks(contract, ['id', 'amount']); // { columns: [...], key: ['id'], missingRequired: [] }
 */
export function badRowChecks(
  contract: { schema: TableSchema; keys: readonly string[] },
  present: Iterable<string>,
  renames: readonly { from: string; to: string }[] = [],
): BadRowChecks {
  const have = new Set(present);
  const sourceOf = new Map(renames.map((r) => [r.to, r.from]));
  const at = (path: string) => sourceOf.get(path) ?? path;
  const columns: ColumnCheck[] = [];
  const missingRequired: string[] = [];
  for (const f of contract.schema.fields) {
    const column = at(f.path);
    if (have.has(column))
      columns.push({ column, contractColumn: f.path, type: f.type, required: !f.nullable });
    else if (!f.nullable && !f.path.includes('.')) missingRequired.push(f.path);
  }
  const key = contract.keys.map(at);
  return { columns, key: key.every((k) => have.has(k)) ? key : [], missingRequired };
}

/**
 * Rows of one key value that count as bad: every row bad for another reason, and the duplicates
 * beyond the one row kept (a good one when there is one). Independent of row order, so that every
 * runtime counts the same.
 */
export function keyGroupBadRows(rows: number, badOtherwise: number): number {
  return Math.max(badOtherwise, rows - 1);
}

/** Share of bad rows (0..1); a required column missing makes every row bad; 0 for an empty input. */
export function badRowShare(m: BadRowMeasurement): number {
  if (m.rowsMeasured === 0) return 0;
  if (m.missingRequired.length > 0) return 1;
  return Math.min(1, m.badRows / m.rowsMeasured);
}

/**
 * Share of rows coercion would still quarantine: the renames it maps back supply the missing
 * columns they name. The renamed columns' own values are not checked by this measurement.
 */
export function coercionBadRowShare(m: BadRowMeasurement, renamedTo: readonly string[]): number {
  if (m.rowsMeasured === 0) return 0;
  if (m.missingRequired.some((c) => !renamedTo.includes(c))) return 1;
  return Math.min(1, m.badRows / m.rowsMeasured);
}

/**
 * The capabilities a measurement bounds (G9 quarantine, G15 coercion), with what it was measured on.
 *
 * @example
 * const caps = { ...base, ...badRowCapabilities(profile.badRows, plan.renames.map((r) => r.to)) };
 */
export function badRowCapabilities(
  m: BadRowMeasurement | undefined,
  renamedTo: readonly string[] = [],
): Pick<Capabilities, 'badRowFraction' | 'coercionBadRowFraction' | 'badRowSample'> {
  if (!m) return {};
  return {
    badRowFraction: badRowShare(m),
    coercionBadRowFraction: coercionBadRowShare(m, renamedTo),
    badRowSample: { rowsMeasured: m.rowsMeasured, sampled: m.sampled },
  };
}

/** A measurement with nothing counted yet. */
export function emptyBadRowMeasurement(sampled = false, missingRequired: string[] = []): BadRowMeasurement {
  return {
    rowsMeasured: 0,
    badRows: 0,
    byReason: { null_in_required: 0, unparseable: 0, out_of_range: 0, duplicate_key: 0 },
    sampled,
    missingRequired,
  };
}

const INT_RANGE: Partial<Record<LogicalType, readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};
/**
 * The text forms of values, shared by every runtime (RE2 and JavaScript read them alike): numbers as
 * a reader takes them (no words such as `NaN` or `infinity`), ISO dates, timestamps (a prefix: any
 * fraction or zone may follow) and booleans (lower case).
 */
export const VALUE_TEXT = {
  number: String.raw`[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?`,
  integer: String.raw`[+-]?\d+`,
  date: String.raw`\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])`,
  timestampPrefix: String.raw`\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[ T]([01]\d|2[0-3]):[0-5]\d`,
  boolean: '(true|false|t|f|1|0)',
} as const;
const NUMBER_TEXT = new RegExp(`^(${VALUE_TEXT.number})$`);
const INTEGER_TEXT = new RegExp(`^(${VALUE_TEXT.integer})$`);
const DATE_TEXT = new RegExp(`^(${VALUE_TEXT.date})$`);
const BOOLEAN_TEXT = new RegExp(`^(${VALUE_TEXT.boolean})$`, 'i');
const TIMESTAMP_TEXT = new RegExp(`^(${VALUE_TEXT.timestampPrefix})`);

/** The date part names a real day (no 30 February). */
function onCalendar(text: string): boolean {
  const [y, m, d] = text.trim().slice(0, 10).split('-').map(Number);
  const day = new Date(Date.UTC(y!, m! - 1, d!));
  return day.getUTCMonth() === m! - 1 && day.getUTCDate() === d!;
}

function integerVerdict(value: number | string, type: LogicalType): ValueVerdict {
  const range = INT_RANGE[type]!;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'out_of_range';
    if (!Number.isInteger(value)) return 'unparseable';
    const big = BigInt(value);
    return big < range[0] || big > range[1] ? 'out_of_range' : 'ok';
  }
  const text = value.trim();
  if (INTEGER_TEXT.test(text)) {
    const big = BigInt(text);
    return big < range[0] || big > range[1] ? 'out_of_range' : 'ok';
  }
  if (!NUMBER_TEXT.test(text)) return 'unparseable';
  const n = Number(text);
  if (!Number.isFinite(n)) return 'out_of_range';
  return Number.isInteger(n) ? integerVerdict(n, type) : 'unparseable';
}

/**
 * Whether a value (as read: a number, a string of text, a boolean) is an instance of a contract
 * type. Integers take no fraction (`68.0` is an integer, `1.5` is not); numbers must be finite.
 * DuckDB compiles the same rules to SQL (adapters/duckdb/bad-row-sql.ts).
 *
 * @example
 * judgeValue('1e400', 'double'); // 'out_of_range'
 * judgeValue('n/a', 'int64');    // 'unparseable'
 */
export function judgeValue(value: unknown, type: LogicalType): ValueVerdict {
  switch (type) {
    case 'int32':
    case 'int64':
      if (typeof value === 'number' || typeof value === 'string') return integerVerdict(value, type);
      if (typeof value === 'bigint') return integerVerdict(value.toString(), type);
      return 'unparseable';
    case 'float':
    case 'double':
    case 'decimal': {
      if (typeof value === 'number') return Number.isFinite(value) ? 'ok' : 'out_of_range';
      if (typeof value === 'bigint') return 'ok';
      if (typeof value !== 'string' || !NUMBER_TEXT.test(value.trim())) return 'unparseable';
      return Number.isFinite(Number(value.trim())) ? 'ok' : 'out_of_range';
    }
    case 'date':
      return typeof value === 'string' && DATE_TEXT.test(value.trim()) && onCalendar(value)
        ? 'ok'
        : 'unparseable';
    case 'timestamp':
      // A date is a timestamp at midnight.
      return typeof value === 'string' &&
        (TIMESTAMP_TEXT.test(value.trim()) || DATE_TEXT.test(value.trim())) &&
        onCalendar(value)
        ? 'ok'
        : 'unparseable';
    case 'boolean':
      return typeof value === 'boolean' || (typeof value === 'string' && BOOLEAN_TEXT.test(value.trim()))
        ? 'ok'
        : 'unparseable';
    case 'string':
    case 'binary':
    case 'struct':
    case 'list':
    case 'map':
    case 'unknown':
      return 'ok';
    default:
      return type satisfies never;
  }
}

/**
 * Measures rows held as values (the simulator; any runtime that reads rows into memory) with
 * `valueAt` reading a column of a row.
 *
 * @example
 * const m = measureBadRows(rows, badRowChecks(contract, columns), (row, c) => row[c]);
 * badRowShare(m); // 0.0125
 */
export function measureBadRows<R>(
  rows: Iterable<R>,
  checks: BadRowChecks,
  valueAt: (row: R, column: string) => unknown,
  sampled = false,
): BadRowMeasurement {
  const m = emptyBadRowMeasurement(sampled, checks.missingRequired);
  // Key value → [rows, rows bad for another reason]; without a key each row is its own group.
  const groups = new Map<string, [number, number]>();
  for (const row of rows) {
    m.rowsMeasured++;
    const broken = new Set<BadRowReason>();
    for (const c of checks.columns) {
      const v = valueAt(row, c.column);
      if (v === null || v === undefined) {
        if (c.required) broken.add('null_in_required');
        continue;
      }
      const verdict = judgeValue(v, c.type);
      if (verdict !== 'ok') broken.add(verdict);
    }
    for (const reason of broken) m.byReason[reason]++;
    const bad = broken.size > 0;
    if (checks.key.length === 0) {
      if (bad) m.badRows++;
      continue;
    }
    const key = JSON.stringify(
      checks.key.map((k) => {
        const v = valueAt(row, k) ?? null;
        return typeof v === 'bigint' ? v.toString() : v;
      }),
    );
    const group = groups.get(key);
    if (group) {
      group[0]++;
      if (bad) group[1]++;
    } else groups.set(key, [1, bad ? 1 : 0]);
  }
  for (const [n, b] of groups.values()) {
    m.byReason.duplicate_key += n - 1;
    m.badRows += keyGroupBadRows(n, b);
  }
  return m;
}

// SQL quoting for DuckDB: every identifier and literal healer puts into SQL goes through here, so
// hostile column names (quotes, semicolons, spaces, unicode) and file paths cannot break a query.

import { InvalidInputError } from '../../core/errors.js';

function rejectNul(value: string, what: string): void {
  if (value.includes('\0'))
    throw new InvalidInputError(`${what} contains a NUL character: ${JSON.stringify(value)}`);
}

/**
 * Quotes an identifier: `a"b` → `"a""b"`.
 *
 * @example
 * `SELECT ${quoteIdent(column)} FROM t`
 */
export function quoteIdent(name: string): string {
  rejectNul(name, 'identifier');
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Quotes a string literal: `it's` → `'it''s'`.
 *
 * @example
 * `SELECT * FROM read_csv(${quoteLiteral(path)})`
 */
export function quoteLiteral(value: string): string {
  rejectNul(value, 'literal');
  return `'${value.replaceAll("'", "''")}'`;
}

/** A DuckDB list literal of strings: `['a.csv', 'b.csv']`. */
export function quoteLiteralList(values: readonly string[]): string {
  return `[${values.map(quoteLiteral).join(', ')}]`;
}

// Small DuckDB helpers shared by the runner and the executors: the table function that reads a
// source (the data engine's), and running a query to plain rows.

import type { DuckDBConnection } from '@duckdb/node-api';

export { readRelation } from '../duckdb/duckdb-data-engine.js';

/** Runs SQL and returns the rows as JSON-safe objects. */
export async function queryRows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** `DESCRIBE` of a query: column names and DuckDB type spellings, in order. */
export async function describeQuery(
  conn: DuckDBConnection,
  sql: string,
): Promise<{ name: string; type: string }[]> {
  const rows = await queryRows(conn, `DESCRIBE ${sql}`);
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

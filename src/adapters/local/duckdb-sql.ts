// Small DuckDB helpers shared by the runner and the executors: the table function that reads a
// source, and running a query to plain rows.

import type { DuckDBConnection } from '@duckdb/node-api';
import type { DataFormat } from '../duckdb/duckdb-data-engine.js';
import { quoteLiteral } from '../duckdb/sql.js';

/** The table function reading these files; types inferred from every row (as the data engine does). */
export function readRelation(files: readonly string[], format: DataFormat): string {
  const list = `[${files.map(quoteLiteral).join(', ')}]`;
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

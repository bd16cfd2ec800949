// Reads query results for assertions: a throwaway in-memory DuckDB per call, so a test reads the
// files healer wrote exactly as a user would, with nothing shared with the code under test.

import { DuckDBInstance } from '@duckdb/node-api';

export async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

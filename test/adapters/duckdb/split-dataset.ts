// Test helper: splits a real dataset into two random halves (seeded shuffle of row numbers) and
// writes them with DuckDB, optionally rewriting the second half with a SELECT list (the mutation).

import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from '../../../src/adapters/duckdb/sql.js';

export const VEGA = join(import.meta.dirname, '../../../node_modules/vega-datasets/data');

/** mulberry32: a small seeded PRNG, so each split is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Halves {
  a: string;
  b: string;
  rows: number;
}

/**
 * Writes half A (unchanged) and half B (`mutateB` is the SELECT list over the rows, which carry a
 * `__rn` row number; default `* EXCLUDE (__rn)`). The halves keep the source's format.
 */
export async function splitDataset(
  file: string,
  dir: string,
  seed: number,
  mutateB = '* EXCLUDE (__rn)',
  tag = 'half',
): Promise<Halves> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn: DuckDBConnection = await instance.connect();
  try {
    const path = join(VEGA, file);
    const csv = file.endsWith('.csv');
    const read = csv
      ? `read_csv(${quoteLiteral(path)}, sample_size = -1)`
      : `read_json(${quoteLiteral(path)}, sample_size = -1)`;
    await conn.run(`CREATE TEMP TABLE t AS SELECT *, row_number() OVER () - 1 AS __rn FROM ${read}`);
    const count = Number((await conn.runAndReadAll('SELECT count(*) AS n FROM t')).getRowObjectsJson()[0]?.n);
    const order = Array.from({ length: count }, (_, i) => i);
    const next = rng(seed);
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const inA = order.slice(0, Math.floor(count / 2));
    await conn.run(`CREATE TEMP TABLE pick AS SELECT unnest([${inA.join(',')}]::BIGINT[]) AS i`);
    const ext = csv ? 'csv' : 'json';
    const options = csv ? '(FORMAT csv, HEADER true)' : '(FORMAT json, ARRAY true)';
    const a = join(dir, `${tag}-${seed}-a.${ext}`);
    const b = join(dir, `${tag}-${seed}-b.${ext}`);
    await conn.run(
      `COPY (SELECT * EXCLUDE (__rn) FROM t WHERE __rn IN (SELECT i FROM pick) ORDER BY __rn) TO ${quoteLiteral(a)} ${options}`,
    );
    await conn.run(
      `COPY (SELECT ${mutateB} FROM t WHERE __rn NOT IN (SELECT i FROM pick) ORDER BY __rn) TO ${quoteLiteral(b)} ${options}`,
    );
    return { a, b, rows: count };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

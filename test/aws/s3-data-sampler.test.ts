// The S3 data sampler against moto with the real DuckDB engine: a bounded sample of CSV (ranged
// GET cut at the last full line) and Parquet objects under a prefix, profiled in-process.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3DataSampler } from '../../src/adapters/aws/s3-data-sampler.js';
import { DuckdbDataEngine } from '../../src/adapters/duckdb/duckdb-data-engine.js';
import { type Moto, type MotoClients, motoClients, startMoto } from './moto.js';

let moto: Moto;
let c: MotoClients;

beforeAll(async () => {
  moto = await startMoto();
  c = motoClients(moto.endpoint);
  await c.s3.createBucket({ Bucket: 'lake' });
  const rows = Array.from({ length: 2000 }, (_, i) => `${i},customer-${i % 13},${(i * 1.25).toFixed(2)}`);
  await c.s3.putObject({
    Bucket: 'lake',
    Key: 'orders/part-0000.csv',
    Body: ['id,customer,amount', ...rows].join('\n'),
  });
  await c.s3.putObject({ Bucket: 'lake', Key: 'orders/_SUCCESS', Body: '' });
  // A real Parquet file written by DuckDB, with a hostile column name.
  const dir = mkdtempSync(join(tmpdir(), 'healer-sampler-'));
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(
    `COPY (SELECT range::BIGINT AS id, range * 2.5 AS "amount; drop", 'x' AS note FROM range(500)) TO '${join(dir, 'p.parquet')}' (FORMAT parquet)`,
  );
  conn.closeSync();
  await c.s3.putObject({
    Bucket: 'lake',
    Key: 'events/2026/part-0.parquet',
    Body: readFileSync(join(dir, 'p.parquet')),
  });
});
afterAll(async () => moto?.stop());

describe('s3-data-sampler', () => {
  it('profiles a CSV prefix from a ranged read cut at the last full line, skipping marker files', async () => {
    const sampler = new S3DataSampler({ s3: c.s3, engine: new DuckdbDataEngine(), maxBytesPerObject: 4096 });
    const profile = await sampler.profile('s3://lake/orders/', { keys: ['id'] });
    expect(profile.source).toBe('s3://lake/orders/');
    // 4 KiB holds the header and about 180 rows; the partial last line is dropped, never half-read.
    expect(profile.rowCount).toBeGreaterThan(100);
    expect(profile.rowCount).toBeLessThan(2000);
    expect(profile.columns.map((col) => col.path)).toEqual(['id', 'customer', 'amount']);
    expect(profile.columns.find((col) => col.path === 'amount')?.nullCount).toBe(0);
  });

  it('infers the schema of a Parquet object, hostile column names included', async () => {
    const sampler = new S3DataSampler({ s3: c.s3, engine: new DuckdbDataEngine() });
    const schema = await sampler.inferSchema('s3://lake/events/', 'events');
    expect(schema.fields.map((f) => `${f.path}:${f.type}`)).toEqual([
      'id:int64',
      'amount; drop:decimal',
      'note:string',
    ]);
    expect((await sampler.profile('s3://lake/events/')).rowCount).toBe(500);
  });

  it('reports an empty prefix as a one-line input error', async () => {
    const sampler = new S3DataSampler({ s3: c.s3, engine: new DuckdbDataEngine() });
    await expect(sampler.profile('s3://lake/nothing-here/')).rejects.toThrow(
      's3://lake/nothing-here/: no CSV, JSON or Parquet objects found',
    );
  });
});

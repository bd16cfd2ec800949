// conformInput on real CSV files in a temp dir: padded values cast as DuckDB casts them, a boolean
// column trimmed first, values that do not cast quarantined verbatim, and an input column that
// happens to be named like healer's internal cast columns left alone.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckdbDataEngine } from '../../../src/adapters/duckdb/index.js';
import { quoteLiteral } from '../../../src/adapters/duckdb/sql.js';
import { conformInput } from '../../../src/adapters/local/executors/conform-input.js';
import type { DatasetContract } from '../../../src/core/contract.js';

let dir: string;
let instance: DuckDBInstance;
const engine = new DuckdbDataEngine();

// A meter export: padded readings, a yes/no flag with stray spaces, one reading typed as "n/a",
// and a free-text column whose name collides with the first internal cast column.
const CSV = [
  'meter_id,reading,active,__healer_cast_0',
  '1, 12.5 , true ,a',
  '2,7,false,b',
  '3,n/a,true,c',
  '4,3.25,maybe,d',
].join('\n');

const contract: DatasetContract = {
  dataset: 'meters',
  schema: {
    name: 'meters',
    fields: [
      { path: 'meter_id', type: 'int64', rawType: 'BIGINT', nullable: false },
      { path: 'reading', type: 'double', rawType: 'DOUBLE', nullable: true },
      { path: 'active', type: 'boolean', rawType: 'BOOLEAN', nullable: true },
    ],
  },
  keys: ['meter_id'],
  quality: {},
  protected: false,
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'healer-conform-'));
  await writeFile(join(dir, 'meters.csv'), `${CSV}\n`);
  instance = await DuckDBInstance.create(':memory:');
});

afterAll(async () => {
  instance.closeSync();
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

async function read(file: string): Promise<Record<string, unknown>[]> {
  const conn = await instance.connect();
  try {
    return (
      await conn.runAndReadAll(`SELECT * FROM read_parquet(${quoteLiteral(file)}) ORDER BY 1`)
    ).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
  }
}

describe('conformInput', () => {
  it('casts padded values, trims booleans, quarantines what does not cast, keeps every row', async () => {
    const conn = await instance.connect();
    const done = await conformInput({
      conn,
      engine,
      stateDir: join(dir, '.healer'),
      incidentId: 'inc-meters-1',
      location: join(dir, 'meters.csv'),
      contract,
      plan: { renames: [] },
      at: new Date('2026-11-22T10:00:00Z'),
    }).finally(() => conn.closeSync());
    expect(done.rows).toEqual({ rowsIn: 4, rowsDelivered: 2, rowsQuarantined: 2 });
    expect(await read(done.remediated)).toEqual([
      { meter_id: '1', reading: 12.5, active: true, __healer_cast_0: 'a' },
      { meter_id: '2', reading: 7, active: false, __healer_cast_0: 'b' },
    ]);
    const quarantined = await read(done.quarantine);
    expect(quarantined.map((r) => [r.meter_id, r.reading, r.active, r._healer_reason])).toEqual([
      ['3', 'n/a', 'true', 'reading: n/a is not a valid double'],
      ['4', '3.25', 'maybe', 'active: maybe is not a valid boolean'],
    ]);
    expect(quarantined.every((r) => r._healer_incident_id === 'inc-meters-1')).toBe(true);
  });
});

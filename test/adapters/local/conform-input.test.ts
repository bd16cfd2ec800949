// stageConformed on real CSV files in a temp dir. The text path: padded values cast as DuckDB casts
// them, a boolean column trimmed first, values that do not cast quarantined verbatim, and an input
// column that happens to be named like healer's internal cast columns left alone. The typed path: a
// CSV whose values all parse, with nulls in a required column, read once with the contract types;
// a repeated key sends it back to the text path.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckdbDataEngine } from '../../../src/adapters/duckdb/index.js';
import { quoteLiteral } from '../../../src/adapters/duckdb/sql.js';
import { type StagedConform, stageConformed } from '../../../src/adapters/local/executors/conform-input.js';
import type { DatasetContract } from '../../../src/core/contract.js';
import type { RowAccounting } from '../../../src/core/outcome.js';
import type { SchemaField } from '../../../src/core/schema.js';

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

/** A contract with no quality thresholds, not protected: what these tests vary is the schema. */
function contractOf(dataset: string, fields: SchemaField[], keys: string[]): DatasetContract {
  return { dataset, schema: { name: dataset, fields }, keys, quality: {}, protected: false };
}

const contract = contractOf(
  'meters',
  [
    { path: 'meter_id', type: 'int64', rawType: 'BIGINT', nullable: false },
    { path: 'reading', type: 'double', rawType: 'DOUBLE', nullable: true },
    { path: 'active', type: 'boolean', rawType: 'BOOLEAN', nullable: true },
  ],
  ['meter_id'],
);

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
  return query(`SELECT * FROM read_parquet(${quoteLiteral(file)}) ORDER BY 1`);
}

async function query(sql: string, conn?: DuckDBConnection): Promise<Record<string, unknown>[]> {
  const c = conn ?? (await instance.connect());
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    if (!conn) c.closeSync();
  }
}

/** Stages `file` on a fresh connection; returns the result and the staged rows, in key order. */
async function stage(
  file: string,
  c: DatasetContract,
  incidentId: string,
  typedFirst = true,
  renames: { from: string; to: string }[] = [],
): Promise<{ done: StagedConform; staged: Record<string, unknown>[] }> {
  const conn = await instance.connect();
  try {
    const done = await stageConformed({
      conn,
      table: c.dataset,
      engine,
      stateDir: join(dir, '.healer'),
      incidentId,
      location: join(dir, file),
      contract: c,
      plan: { renames },
      at: new Date('2026-11-22T10:00:00Z'),
      typedFirst,
    });
    return { done, staged: await query(`SELECT * FROM "${c.dataset}" ORDER BY 1`, conn) };
  } finally {
    conn.closeSync();
  }
}

function accounted(rows: RowAccounting): boolean {
  return rows.rowsIn === rows.rowsDelivered + rows.rowsQuarantined;
}

// Payments with hostile column names: every value parses; two rows have no amount.
const PAYMENTS = [
  'payment_id,"amount €","note; DROP",paid_at',
  '1,12.50,ok,2026-11-01 10:00:00',
  '2,,late,2026-11-01 11:00:00',
  '3,7.25,"say ""hi""",2026-11-02 09:30:00',
  '4,,,2026-11-03 08:00:00',
].join('\n');

const payments = contractOf(
  'payments',
  [
    { path: 'payment_id', type: 'int64', rawType: 'BIGINT', nullable: false },
    { path: 'amount €', type: 'double', rawType: 'DOUBLE', nullable: false },
    { path: 'note; DROP', type: 'string', rawType: 'VARCHAR', nullable: true },
    { path: 'paid_at', type: 'timestamp', rawType: 'TIMESTAMP', nullable: false },
  ],
  ['payment_id'],
);

describe('stageConformed', () => {
  it('text path: casts padded values, trims booleans, quarantines what does not cast, keeps every row', async () => {
    const { done, staged } = await stage('meters.csv', contract, 'inc-meters-1');
    // The typed read stops at "n/a" in a double column: the text path takes over.
    expect(done.read).toBe('text');
    expect(done.rows).toEqual({ rowsIn: 4, rowsDelivered: 2, rowsQuarantined: 2 });
    expect(staged).toEqual([
      { meter_id: '1', reading: 12.5, active: true, __healer_cast_0: 'a' },
      { meter_id: '2', reading: 7, active: false, __healer_cast_0: 'b' },
    ]);
    const quarantined = await read(done.quarantine);
    expect(quarantined.map((r) => [r.meter_id, r.reading, r.active, r._healer_reason])).toEqual([
      ['3', 'n/a', 'true', 'reading: n/a is not a valid double'],
      ['4', '3.25', 'maybe', 'active: maybe is not a valid boolean'],
    ]);
    expect(quarantined.every((r) => r._healer_incident_id === 'inc-meters-1')).toBe(true);
    expect(done.quality.columns.map((c) => [c.path, c.nullCount, c.validity])).toEqual([
      ['meter_id', 0, 1],
      ['reading', 0, 1],
      ['active', 0, 1],
    ]);
  });

  it('typed path: one read with the contract types, rows with a null where a value is required quarantined', async () => {
    await writeFile(join(dir, 'payments.csv'), `${PAYMENTS}\n`);
    const { done, staged } = await stage('payments.csv', payments, 'inc-pay-1');
    expect(done.read).toBe('typed');
    expect(done.rows).toEqual({ rowsIn: 4, rowsDelivered: 2, rowsQuarantined: 2 });
    expect(accounted(done.rows)).toBe(true);
    expect(staged).toEqual([
      { payment_id: '1', 'amount €': 12.5, 'note; DROP': 'ok', paid_at: '2026-11-01 10:00:00' },
      { payment_id: '3', 'amount €': 7.25, 'note; DROP': 'say "hi"', paid_at: '2026-11-02 09:30:00' },
    ]);
    // Column order is the run's business (it projects through the catalog).
    expect(done.schema.fields.map((f) => [f.path, f.type]).sort()).toEqual(
      [
        ['payment_id', 'int64'],
        ['amount €', 'double'],
        ['note; DROP', 'string'],
        ['paid_at', 'timestamp'],
      ].sort(),
    );
    // Quarantined with the values as parsed (every one parsed), the reason and the incident.
    const quarantined = await read(done.quarantine);
    expect(quarantined.map((r) => [r.payment_id, r['amount €'], r['note; DROP'], r._healer_reason])).toEqual([
      ['2', null, 'late', 'amount €: null in a required column'],
      ['4', null, null, 'amount €: null in a required column'],
    ]);
    expect(quarantined.every((r) => r._healer_incident_id === 'inc-pay-1')).toBe(true);
  });

  it('typed path declined: a repeated key goes through the text path, which quarantines the repeat', async () => {
    await writeFile(join(dir, 'payments-dup.csv'), `${PAYMENTS}\n3,1.00,again,2026-11-04 12:00:00\n`);
    const { done, staged } = await stage('payments-dup.csv', payments, 'inc-pay-2');
    expect(done.read).toBe('text');
    expect(done.rows).toEqual({ rowsIn: 5, rowsDelivered: 2, rowsQuarantined: 3 });
    expect(staged.map((r) => r.payment_id)).toEqual(['1', '3']);
    const reasons = (await read(done.quarantine)).map((r) => String(r._healer_reason)).sort();
    expect(reasons).toEqual([
      'amount €: null in a required column',
      'amount €: null in a required column',
      'duplicate key (payment_id)',
    ]);
  });

  it('reads as text from the start when asked (coerce_schema), with the same result', async () => {
    const typed = await stage('payments.csv', payments, 'inc-pay-3', true);
    const text = await stage('payments.csv', payments, 'inc-pay-4', false);
    expect(text.done.read).toBe('text');
    expect(text.done.rows).toEqual(typed.done.rows);
    expect(text.staged).toEqual(typed.staged);
  });

  it('text path with renames: swapped names, a shadowed column and a missing nullable column', async () => {
    // Upstream swapped two headers: "label" holds the ids and "id" the labels. The contract also
    // has an optional "weight" the file lacks, and "note" is an extra column that rides along.
    await writeFile(join(dir, 'swapped.csv'), 'label,id,note\n1,first,x\n2,second,y\nthree,third,z\n');
    const swapped = contractOf(
      'parcels',
      [
        { path: 'id', type: 'int64', rawType: 'BIGINT', nullable: false },
        { path: 'label', type: 'string', rawType: 'VARCHAR', nullable: true },
        { path: 'weight', type: 'double', rawType: 'DOUBLE', nullable: true },
      ],
      [],
    );
    const { done, staged } = await stage('swapped.csv', swapped, 'inc-parcels-1', false, [
      { from: 'label', to: 'id' },
      { from: 'id', to: 'label' },
    ]);
    expect(done.rows).toEqual({ rowsIn: 3, rowsDelivered: 2, rowsQuarantined: 1 });
    expect(staged.map((r) => ({ ...r }))).toEqual([
      { id: '1', label: 'first', weight: null, note: 'x' },
      { id: '2', label: 'second', weight: null, note: 'y' },
    ]);
    // Reshaped in place, not copied: kept columns stay where they were, the cast one comes after
    // them and the added one last (the run projects through the catalog's order).
    expect(done.schema.fields.map((f) => [f.path, f.type])).toEqual([
      ['label', 'string'],
      ['note', 'string'],
      ['id', 'int64'],
      ['weight', 'double'],
    ]);
    const [bad] = await read(done.quarantine);
    expect([bad?.label, bad?.id, bad?._healer_reason]).toEqual([
      'three',
      'third',
      'id: three is not a valid int64',
    ]);
  });

  it('typed path over a glob of CSV files whose columns differ: read by name, every row accounted', async () => {
    // Two daily drops; the second adds a "channel" column. One row of each has no amount.
    await mkdir(join(dir, 'daily'), { recursive: true });
    await writeFile(
      join(dir, 'daily', '2026-11-01.csv'),
      'payment_id,"amount €","note; DROP",paid_at\n10,1.5,a,2026-11-01 10:00:00\n11,,b,2026-11-01 11:00:00\n',
    );
    await writeFile(
      join(dir, 'daily', '2026-11-02.csv'),
      'payment_id,channel,"amount €","note; DROP",paid_at\n12,web,2.5,c,2026-11-02 10:00:00\n13,app,,d,2026-11-02 11:00:00\n',
    );
    const { done, staged } = await stage('daily/*.csv', payments, 'inc-pay-5');
    expect(done.read).toBe('typed');
    expect(done.rows).toEqual({ rowsIn: 4, rowsDelivered: 2, rowsQuarantined: 2 });
    expect(staged.map((r) => [r.payment_id, r['amount €'], r.channel])).toEqual([
      ['10', 1.5, null],
      ['12', 2.5, 'web'],
    ]);
    const quarantined = await read(done.quarantine);
    expect(quarantined.map((r) => [r.payment_id, r.channel])).toEqual([
      ['11', null],
      ['13', 'app'],
    ]);
  });

  it('typed path declined by value: 1.5 in an int64 key is quarantined verbatim, never rounded to 2; 1e400 never Infinity', async () => {
    await writeFile(
      join(dir, 'by-value.csv'),
      'payment_id,"amount €","note; DROP",paid_at\n1,2.5,a,2026-11-01 10:00:00\n1.5,3.5,b,2026-11-01 11:00:00\n3,1e400,c,2026-11-01 12:00:00\n4,4.5,d,2026-11-01 13:00:00\n',
    );
    const { done, staged } = await stage('by-value.csv', payments, 'inc-pay-by-value');
    expect(done.read).toBe('text');
    expect(done.rows).toEqual({ rowsIn: 4, rowsDelivered: 2, rowsQuarantined: 2 });
    expect(staged.map((r) => [r.payment_id, r['amount €']])).toEqual([
      ['1', 2.5],
      ['4', 4.5],
    ]);
    const quarantined = await read(done.quarantine);
    expect(quarantined.map((r) => [r.payment_id, r['amount €'], r._healer_reason])).toEqual([
      ['1.5', '3.5', 'payment_id: 1.5 is not a valid int64'],
      ['3', '1e400', 'amount €: 1e400 is not a valid double'],
    ]);
  });
});

describe('stageConformed holds values to the core bad-row verdict (issue 9)', () => {
  it('quarantines a fraction in an integer column and an infinite double instead of rounding them in', async () => {
    await writeFile(
      join(dir, 'counts.csv'),
      ['id,qty,price', '1,3,2.5', '2,1.5,2.5', '3,4,1e400', '4,68.0,1.25', '5,n/a,1'].join('\n'),
    );
    const counts = contractOf(
      'counts',
      [
        { path: 'id', type: 'int64', rawType: 'BIGINT', nullable: false },
        { path: 'qty', type: 'int64', rawType: 'BIGINT', nullable: true },
        { path: 'price', type: 'double', rawType: 'DOUBLE', nullable: true },
      ],
      ['id'],
    );
    const { done, staged } = await stage('counts.csv', counts, 'inc-verdict', false);
    expect(done.rows).toEqual({ rowsIn: 5, rowsDelivered: 2, rowsQuarantined: 3 });
    // 68.0 is an integer; 1.5 is not, 1e400 is not a finite double, n/a is no number.
    expect(staged.map((r) => [r.id, r.qty])).toEqual([
      ['1', '3'],
      ['4', '68'],
    ]);
    expect(done.quality.badRows).toMatchObject({ rowsMeasured: 2, badRows: 0 });
    const reasons = (await read(done.quarantine)).map((r) => String(r._healer_reason));
    expect(reasons).toEqual([
      'qty: 1.5 is not a valid int64',
      'price: 1e400 is not a valid double',
      'qty: n/a is not a valid int64',
    ]);
  });
});

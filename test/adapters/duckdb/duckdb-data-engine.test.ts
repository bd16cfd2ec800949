// DuckdbDataEngine on real files in a temp dir: every format, globs, directories, nested structs,
// hostile column names, profiles (validity, keys, freshness) and clear errors for bad input.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckdbDataEngine } from '../../../src/adapters/duckdb/index.js';
import { quoteLiteral } from '../../../src/adapters/duckdb/sql.js';
import { InvalidInputError } from '../../../src/core/errors.js';

let dir: string;
const engine = new DuckdbDataEngine();

// Three orders as a shop might export them; order 3 has no coupon and a broken amount.
const CSV =
  'order_id,amount,coupon,placed_at\n1,12.50,SPRING,2026-11-20 10:00:00\n2,8.00,,2026-11-21 09:30:00\n3,n/a,,2026-11-22 08:15:00\n';
const ROWS = [
  { order_id: 1, amount: 12.5, customer: { name: 'Ana', address: { city: 'Porto', zip: '4000' } } },
  { order_id: 2, amount: 8, customer: { name: 'Bo', address: { city: 'Lund', zip: null } } },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'healer-duckdb-'));
  await writeFile(join(dir, 'orders.csv'), CSV);
  await writeFile(join(dir, 'orders.json'), JSON.stringify(ROWS, null, 2));
  await writeFile(join(dir, 'orders.ndjson'), ROWS.map((r) => JSON.stringify(r)).join('\n'));
  await writeFile(join(dir, 'orders-ndjson.json'), ROWS.map((r) => JSON.stringify(r)).join('\n'));
  await writeFile(join(dir, 'no-extension'), CSV);
  await writeFile(
    join(dir, 'hostile.csv'),
    '"a""b",x;y,naïve col,DROP TABLE t;--,\'q\'\n1,2,3,4,5\n1,,7,8,9\n',
  );
  await writeFile(join(dir, 'empty.csv'), '');
  await writeFile(join(dir, 'binary.bin'), Buffer.from([0, 1, 2, 3, 0, 0, 255]));
  await writeFile(join(dir, 'bad.json'), 'hello');
  await mkdir(join(dir, 'parts'));
  for (const day of [1, 2, 3])
    await writeFile(join(dir, 'parts', `day-${day}.csv`), `id,v\n${day},${day * 10}\n${day + 10},${day}\n`);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run(
    `COPY (SELECT 1::INTEGER AS id, {'city': 'Porto', 'zip': 4000} AS addr UNION ALL SELECT 2, NULL) TO ${quoteLiteral(join(dir, 'orders.parquet'))} (FORMAT parquet)`,
  );
  conn.closeSync();
  instance.closeSync();
});

afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

describe('format detection', () => {
  it.each([
    ['orders.csv', 'csv'],
    ['orders.json', 'json'],
    ['orders.ndjson', 'ndjson'],
    ['orders-ndjson.json', 'ndjson'],
    ['orders.parquet', 'parquet'],
    ['no-extension', 'csv'],
  ])('%s is %s', async (file, format) => {
    expect((await engine.resolve(join(dir, file))).format).toBe(format);
    expect((await engine.profile(join(dir, file))).format).toBe(format);
  });
});

describe('inferSchema', () => {
  it('CSV: types from the values, nullable where a null occurs', async () => {
    const s = await engine.inferSchema(join(dir, 'orders.csv'), 'orders');
    expect(s.fields.map((f) => [f.path, f.type, f.nullable])).toEqual([
      ['order_id', 'int64', false],
      ['amount', 'string', false],
      ['coupon', 'string', true],
      ['placed_at', 'timestamp', false],
    ]);
  });

  it('JSON and NDJSON: nested structs become dotted fields', async () => {
    for (const file of ['orders.json', 'orders.ndjson']) {
      const s = await engine.inferSchema(join(dir, file), 'orders');
      expect(s.fields.map((f) => [f.path, f.type, f.nullable])).toEqual([
        ['order_id', 'int64', false],
        ['amount', 'double', false],
        ['customer', 'struct', false],
        ['customer.name', 'string', false],
        ['customer.address', 'struct', false],
        ['customer.address.city', 'string', false],
        ['customer.address.zip', 'string', true],
      ]);
    }
  });

  it('Parquet: nullability from the declared schema', async () => {
    const s = await engine.inferSchema(join(dir, 'orders.parquet'), 'orders');
    expect(s.fields.map((f) => [f.path, f.type, f.nullable])).toEqual([
      ['id', 'int32', true],
      ['addr', 'struct', true],
      ['addr.city', 'string', true],
      ['addr.zip', 'int32', true],
    ]);
  });

  it('hostile column names are read and profiled as they are', async () => {
    const file = join(dir, 'hostile.csv');
    const s = await engine.inferSchema(file, 'hostile');
    expect(s.fields.map((f) => f.path)).toEqual(['a"b', 'x;y', 'naïve col', 'DROP TABLE t;--', "'q'"]);
    const p = await engine.profile(file, { keys: ['a"b'] });
    expect(p.columns.find((c) => c.path === 'x;y')).toMatchObject({
      nullCount: 1,
      nullRate: 0.5,
      min: '2',
      max: '2',
    });
    expect(p.duplicateKeys).toEqual({ 'a"b': 1 });
  });
});

describe('globs and directories', () => {
  it('a glob reads every matching file', async () => {
    const p = await engine.profile(join(dir, 'parts', 'day-*.csv'));
    expect(p.rowCount).toBe(6);
    expect(p.columns.map((c) => [c.path, c.min, c.max])).toEqual([
      ['id', '1', '13'],
      ['v', '1', '30'],
    ]);
  });
  it('a directory reads its files', async () => {
    expect((await engine.profile(join(dir, 'parts'))).rowCount).toBe(6);
  });
});

describe('profile', () => {
  it('validity: a text column that mostly parses as a number', async () => {
    const p = await engine.profile(join(dir, 'orders.csv'));
    const amount = p.columns.find((c) => c.path === 'amount')!;
    expect(amount).toMatchObject({ type: 'string', validityType: 'double', nullCount: 0 });
    expect(amount.validity).toBeCloseTo(2 / 3, 5);
    expect(p.columns.find((c) => c.path === 'coupon')).toMatchObject({
      nullCount: 2,
      nullRate: 2 / 3,
      distinct: 1,
      validity: 1,
    });
  });

  it('validity: padded numbers and dates count; words DuckDB casts specially do not', async () => {
    // DuckDB casts 'NaN' and 'infinity' to DOUBLE and 'epoch' to TIMESTAMP; none is a measured value.
    await writeFile(
      join(dir, 'readings.csv'),
      'reading,taken_at\n" 12.5 ",2026-11-20 10:00:00\n" 7",2026-11-20 11:00:00\nNaN,epoch\ninfinity,soon\n',
    );
    const p = await engine.profile(join(dir, 'readings.csv'), {
      expected: {
        name: 'readings',
        fields: [
          { path: 'reading', type: 'double', rawType: 'DOUBLE', nullable: true },
          { path: 'taken_at', type: 'timestamp', rawType: 'TIMESTAMP', nullable: true },
        ],
      },
    });
    expect(p.columns.find((c) => c.path === 'reading')).toMatchObject({
      validityType: 'double',
      validity: 0.5,
    });
    expect(p.columns.find((c) => c.path === 'taken_at')).toMatchObject({
      validityType: 'timestamp',
      validity: 0.5,
    });
  });

  it('validity of a column with few distinct values (judged value by value) equals a row-by-row count', async () => {
    // 300 rows of a shelf code: '12', ' 7 ' and 'n/a' a hundred times each. The grouped measurement
    // takes over below 10,000 distinct values and a tenth of the rows; the count is the same.
    const rows = Array.from({ length: 300 }, (_, i) => `${i},${['12', '" 7 "', 'n/a'][i % 3]}`);
    await writeFile(join(dir, 'shelves.csv'), `id,shelf\n${rows.join('\n')}\n`);
    const p = await engine.profile(join(dir, 'shelves.csv'), {
      expected: {
        name: 'shelves',
        fields: [{ path: 'shelf', type: 'int64', rawType: 'BIGINT', nullable: true }],
      },
    });
    const shelf = p.columns.find((c) => c.path === 'shelf')!;
    expect(shelf.distinct).toBeLessThanOrEqual(30);
    expect(shelf).toMatchObject({ type: 'string', validityType: 'int64' });
    expect(shelf.validity).toBeCloseTo(2 / 3, 5);
  });

  it('validity against an expected (contract) type', async () => {
    const p = await engine.profile(join(dir, 'orders.csv'), {
      expected: {
        name: 'orders',
        fields: [{ path: 'placed_at', type: 'date', rawType: 'DATE', nullable: false }],
      },
    });
    // Timestamps with a time of day are not dates.
    expect(p.columns.find((c) => c.path === 'placed_at')).toMatchObject({
      validityType: 'date',
      validity: 0,
    });
  });

  it('duplicate keys and freshness', async () => {
    const p = await engine.profile(join(dir, 'parts', '*.csv'), { keys: ['v'], freshnessColumn: 'id' });
    // v values 10,1,20,2,30,3: unique.
    expect(p.duplicateKeys).toEqual({ v: 0 });
    const q = await engine.profile(join(dir, 'orders.csv'), {
      keys: ['coupon'],
      freshnessColumn: 'placed_at',
    });
    expect(q.duplicateKeys).toEqual({ coupon: 1 });
    expect(q.newestAt).toBe('2026-11-22T08:15:00.000Z');
  });

  it('a seeded sample profiles only that many rows', async () => {
    expect((await engine.profile(join(dir, 'parts'), { sampleRows: 2 })).rowCount).toBe(2);
  });
});

describe('bad input: typed errors naming the path', () => {
  it.each([
    ['missing.csv', /cannot read .*missing\.csv: no such file/],
    ['empty.csv', /empty/],
    ['binary.bin', /binary\.bin: unrecognised binary format/],
    ['bad.json', /bad\.json does not start with \[ or \{/],
    ['nothing-*.csv', /no file matches .*nothing-\*\.csv/],
  ])('%s', async (file, message) => {
    const error = await engine.profile(join(dir, file)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(message);
  });
  it('an unknown key column', async () => {
    await expect(engine.profile(join(dir, 'orders.csv'), { keys: ['nope'] })).rejects.toThrow(
      /key column nope not found in .*orders\.csv/,
    );
  });
  it('mixed formats under one glob', async () => {
    await expect(engine.profile(join(dir, 'orders.*'))).rejects.toThrow(/mixes formats/);
  });
});

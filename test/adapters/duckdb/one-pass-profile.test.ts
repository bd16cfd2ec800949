// The profile reads its input once: a CSV is staged with DuckDB's sampled sniff and read again with
// every row sniffed only when a later value does not fit a guessed type. Whatever the path, the
// types are those DuckDB infers from every row, and inspect() agrees with inferSchema() + profile().

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckdbDataEngine } from '../../../src/adapters/duckdb/duckdb-data-engine.js';
import { quoteLiteral } from '../../../src/adapters/duckdb/sql.js';

const dir = mkdtempSync(join(tmpdir(), 'healer-one-pass-'));
const engine = new DuckdbDataEngine();
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const N = 60_000;
/** Rows past DuckDB's default sniffing sample (20,480 rows) differ from the rows before. */
const LATE = N - 10;

function write(name: string, late: (i: number) => string, early: (i: number) => string): string {
  const lines = ['id,value'];
  for (let i = 0; i < N; i++) lines.push(`${i},${i >= LATE ? late(i) : early(i)}`);
  const path = join(dir, `${name}.csv`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function fullSniffTypes(path: string): Promise<string[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(
      `DESCRIBE SELECT * FROM read_csv(${quoteLiteral(path)}, header = true, sample_size = -1)`,
    );
    return reader.getRowObjectsJson().map((r) => String(r.column_type));
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

const CASES = [
  { name: 'integers-after-nulls', early: () => '', late: (i: number) => String(i), type: 'BIGINT' },
  { name: 'a-late-fraction', early: (i: number) => String(i % 100), late: () => '1.5', type: 'DOUBLE' },
  { name: 'a-late-word', early: (i: number) => String(i % 100), late: () => 'n/a', type: 'VARCHAR' },
  {
    name: 'late-timestamps-in-dates',
    early: () => '2026-01-02',
    late: () => '2026-01-02 10:11:12',
    type: 'TIMESTAMP',
  },
] as const;

describe('one read of a CSV, types as DuckDB infers them from every row', () => {
  for (const c of CASES)
    it(`${c.name}: ${c.type}`, async () => {
      const path = write(c.name, c.late, c.early);
      const expected = await fullSniffTypes(path);
      expect(expected).toEqual(['BIGINT', c.type]);
      const profile = await engine.profile(path, { keys: ['id'] });
      expect(profile.columns.map((col) => col.rawType)).toEqual(expected);
      expect(profile.rowCount).toBe(N);
      expect(profile.duplicateKeys).toEqual({ id: 0 });
      const inspected = await engine.inspect(path, c.name, { keys: ['id'] });
      expect(inspected.profile).toEqual(profile);
      expect(inspected.schema).toEqual(await engine.inferSchema(path, c.name));
    });

  it('inspect() measures the contract: nulls, values and keys from the same read', async () => {
    const path = write(
      'contract',
      () => 'n/a',
      (i) => (i % 4 === 0 ? '' : String(i)),
    );
    const { schema, profile } = await engine.inspect(path, 'contract', {
      keys: ['id'],
      expected: {
        name: 'contract',
        fields: [
          { path: 'id', type: 'int64', rawType: 'BIGINT', nullable: false },
          { path: 'value', type: 'int64', rawType: 'BIGINT', nullable: false },
        ],
      },
    });
    expect(schema.fields.map((f) => [f.path, f.rawType, f.nullable])).toEqual([
      ['id', 'BIGINT', false],
      ['value', 'VARCHAR', true],
    ]);
    expect(profile.badRows).toMatchObject({
      rowsMeasured: N,
      // Every 4th id before the late rows has no value (14,998 of them); the 10 late rows hold n/a.
      badRows: 15_008,
      byReason: { null_in_required: 14_998, unparseable: 10, out_of_range: 0, duplicate_key: 0 },
      sampled: false,
    });
  });
});

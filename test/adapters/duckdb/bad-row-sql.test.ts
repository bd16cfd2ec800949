// One definition of a bad value: the SQL DuckDB runs (adapters/duckdb/bad-row-sql.ts) gives the
// same verdict as the core's judgeValue on the same values, as text and as typed numbers.

import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verdictSql } from '../../../src/adapters/duckdb/bad-row-sql.js';
import { quoteLiteral } from '../../../src/adapters/duckdb/sql.js';
import { judgeValue, type ValueVerdict } from '../../../src/core/bad-rows.js';
import type { LogicalType } from '../../../src/core/schema.js';

const VERDICTS: ValueVerdict[] = ['ok', 'unparseable', 'out_of_range'];
const TEXTS = [
  '12',
  ' -7 ',
  '+3',
  '68.0',
  '1e3',
  '1.5',
  '-0.25',
  '.5',
  'n/a',
  '',
  'AKIAIOSFODNN7EXAMPLE',
  '12.5 USD',
  '99999999999999999999',
  '3000000000',
  '1e400',
  '-1e400',
  'NaN',
  'nan',
  'infinity',
  'inf',
  '0x1F',
  '1,5',
  '2026-02-28',
  '2026-02-30',
  '2026-13-01',
  '2026-02-28 10:00',
  '2026-02-28T10:00:00',
  '2026/02/28',
  'true',
  'FALSE',
  't',
  '0',
  'yes',
  'maybe',
];
const TYPES: LogicalType[] = [
  'int32',
  'int64',
  'double',
  'decimal',
  'date',
  'timestamp',
  'boolean',
  'string',
];

let db: DuckDBInstance;
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
});
afterAll(() => db.closeSync());

async function sqlVerdicts(values: string, input: LogicalType, type: LogicalType): Promise<ValueVerdict[]> {
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(
      `SELECT CAST(${verdictSql('v', input, type)} AS INTEGER) AS verdict FROM (${values}) t(i, v) ORDER BY i`,
    );
    return reader.getRowObjectsJson().map((r) => VERDICTS[Number(r.verdict)]!);
  } finally {
    conn.closeSync();
  }
}

describe('bad-row SQL and the core agree', () => {
  for (const type of TYPES)
    it(`text values against ${type}`, async () => {
      const values = `VALUES ${TEXTS.map((t, i) => `(${i}, ${quoteLiteral(t)})`).join(', ')}`;
      const sql = await sqlVerdicts(values, 'string', type);
      expect(Object.fromEntries(TEXTS.map((t, i) => [t, sql[i]]))).toEqual(
        Object.fromEntries(TEXTS.map((t) => [t, judgeValue(t, type)])),
      );
    });

  it('typed doubles against integers and doubles (68.0 is an integer, 1.5 is not, infinity is out of range)', async () => {
    const numbers = [68, 1.5, -3, 1e19, Number.POSITIVE_INFINITY, Number.NaN];
    const values = `VALUES ${numbers.map((n, i) => `(${i}, CAST(${quoteLiteral(String(n))} AS DOUBLE))`).join(', ')}`;
    for (const type of ['int64', 'double'] as const)
      expect(await sqlVerdicts(values, 'double', type)).toEqual(numbers.map((n) => judgeValue(n, type)));
  });

  it('typed BIGINT against int32: over the range', async () => {
    const numbers = [5, 2147483647, 2147483648, -2147483649];
    const values = `VALUES ${numbers.map((n, i) => `(${i}, CAST(${n} AS BIGINT))`).join(', ')}`;
    expect(await sqlVerdicts(values, 'int64', 'int32')).toEqual(numbers.map((n) => judgeValue(n, 'int32')));
  });
});

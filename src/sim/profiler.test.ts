import { describe, expect, it } from 'vitest';
import { contractBadRows, profileRows } from './profiler.js';
import { field } from './tables.js';

// Four orders: one null amount, one amount that is text and does not parse, one repeated key.
const SCHEMA = { name: 'orders', fields: [field('id', 'int64', false), field('amount', 'double', false)] };
const ROWS = [
  { id: 1, amount: 10.5 },
  { id: 2, amount: null },
  { id: 3, amount: '12.5 USD' },
  { id: 3, amount: 7 },
];

describe('profileRows', () => {
  it('counts nulls, validity against the declared type, distinct values, min/max and duplicate keys', () => {
    const p = profileRows(ROWS, SCHEMA, { source: 'mem', keys: ['id'] });
    expect(p.rowCount).toBe(4);
    const amount = p.columns.find((c) => c.path === 'amount')!;
    expect(amount).toMatchObject({ nullCount: 1, nullRate: 0.25, distinct: 3, min: '7.0', max: '10.5' });
    // '7.0', not '7': a whole DOUBLE as DuckDB's CAST(... AS VARCHAR) writes it (the contract test compares them).
    expect(amount.validity).toBeCloseTo(2 / 3, 10);
    expect(p.duplicateKeys).toEqual({ id: 1 });
  });

  it('reads nested struct members by dotted path', () => {
    const schema = { name: 'c', fields: [field('address', 'struct'), field('address.city', 'string')] };
    const p = profileRows([{ address: { city: 'Lyon' } }, { address: null }], schema, { source: 'mem' });
    expect(p.columns.find((c) => c.path === 'address.city')).toMatchObject({ nullCount: 1, distinct: 1 });
  });
});

describe('contractBadRows', () => {
  it('counts each row breaking the contract once (null, unparseable, repeated key)', () => {
    // id 3 repeats; of its two rows one is bad already ('12.5 USD') and the other is kept: 2 bad rows.
    expect(contractBadRows(ROWS, { schema: SCHEMA, keys: ['id'] }, SCHEMA)).toBe(2);
    expect(contractBadRows([...ROWS, { id: 1, amount: 3 }], { schema: SCHEMA, keys: ['id'] }, SCHEMA)).toBe(
      3,
    );
  });
  it('counts every row when a required column is missing', () => {
    expect(
      contractBadRows(ROWS, { schema: SCHEMA, keys: ['id'] }, { name: 'o', fields: [field('id', 'int64')] }),
    ).toBe(4);
  });
});

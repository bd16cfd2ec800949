import { describe, expect, it } from 'vitest';
import {
  badRowCapabilities,
  badRowChecks,
  badRowShare,
  coercionBadRowShare,
  judgeValue,
  keyGroupBadRows,
  measureBadRows,
} from './bad-rows.js';
import type { TableSchema } from './schema.js';

const SCHEMA: TableSchema = {
  name: 'orders',
  fields: [
    { path: 'id', type: 'int64', rawType: 'BIGINT', nullable: false },
    { path: 'amount', type: 'double', rawType: 'DOUBLE', nullable: false },
    { path: 'note', type: 'string', rawType: 'VARCHAR', nullable: true },
  ],
};

describe('judgeValue', () => {
  it.each([
    ['12', 'int64', 'ok'],
    [' -7 ', 'int64', 'ok'],
    [68.0, 'int64', 'ok'],
    ['68.0', 'int64', 'ok'],
    ['1e3', 'int64', 'ok'],
    ['1.5', 'int64', 'unparseable'],
    [1.5, 'int64', 'unparseable'],
    ['n/a', 'int64', 'unparseable'],
    ['AKIAIOSFODNN7EXAMPLE', 'int64', 'unparseable'],
    ['99999999999999999999', 'int64', 'out_of_range'],
    ['3000000000', 'int32', 'out_of_range'],
    ['1e400', 'int64', 'out_of_range'],
    ['1e400', 'double', 'out_of_range'],
    [Number.POSITIVE_INFINITY, 'double', 'out_of_range'],
    [Number.NaN, 'double', 'out_of_range'],
    ['NaN', 'double', 'unparseable'],
    ['infinity', 'double', 'unparseable'],
    ['12.5 USD', 'double', 'unparseable'],
    ['.5', 'double', 'ok'],
    ['2026-02-28', 'date', 'ok'],
    ['2026-02-30', 'date', 'unparseable'],
    ['2026-02-28 10:00', 'date', 'unparseable'],
    ['2026-02-28', 'timestamp', 'ok'],
    ['2026-02-28T10:00:00Z', 'timestamp', 'ok'],
    ['yesterday', 'timestamp', 'unparseable'],
    ['TRUE', 'boolean', 'ok'],
    ['maybe', 'boolean', 'unparseable'],
    [42, 'string', 'ok'],
  ] as const)('%j as %s: %s', (value, type, verdict) => {
    expect(judgeValue(value, type)).toBe(verdict);
  });
});

describe('bad rows', () => {
  it('checks the contract columns present, maps renames back, names missing required columns', () => {
    const checks = badRowChecks(
      { schema: SCHEMA, keys: ['id'] },
      ['order_id', 'note'],
      [{ from: 'order_id', to: 'id' }],
    );
    expect(checks.columns.map((c) => `${c.column}->${c.contractColumn}`)).toEqual([
      'order_id->id',
      'note->note',
    ]);
    expect(checks.key).toEqual(['order_id']);
    expect(checks.missingRequired).toEqual(['amount']);
  });

  it('keeps one row of a repeated key, a good one when there is one', () => {
    expect(keyGroupBadRows(1, 0)).toBe(0);
    expect(keyGroupBadRows(3, 0)).toBe(2);
    expect(keyGroupBadRows(3, 1)).toBe(2);
    expect(keyGroupBadRows(3, 3)).toBe(3);
  });

  it('counts a row once whatever its reasons, and each reason once per row', () => {
    const rows = [
      { id: 1, amount: 1 },
      { id: 2, amount: null, note: 'x' },
      { id: null, amount: 'n/a' },
      { id: 2, amount: 3 },
    ];
    const m = measureBadRows(
      rows,
      badRowChecks({ schema: SCHEMA, keys: ['id'] }, ['id', 'amount', 'note']),
      (r, c) => (r as Record<string, unknown>)[c],
    );
    expect(m).toMatchObject({
      rowsMeasured: 4,
      badRows: 2,
      byReason: { null_in_required: 2, unparseable: 1, out_of_range: 0, duplicate_key: 1 },
    });
    expect(badRowShare(m)).toBe(0.5);
  });

  it('a missing required column makes the share 1, unless coercion maps a rename onto it', () => {
    const checks = badRowChecks({ schema: SCHEMA, keys: [] }, ['id', 'price']);
    const m = measureBadRows([{ id: 1 }, { id: 2 }], checks, (r, c) => (r as Record<string, unknown>)[c]);
    expect(badRowShare(m)).toBe(1);
    expect(coercionBadRowShare(m, ['amount'])).toBe(0);
    expect(badRowCapabilities(m, ['amount'])).toEqual({
      badRowFraction: 1,
      coercionBadRowFraction: 0,
      badRowSample: { rowsMeasured: 2, sampled: false },
    });
    expect(badRowCapabilities(undefined)).toEqual({});
  });
});

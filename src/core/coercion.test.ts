import { describe, expect, it } from 'vitest';
import { renamedField } from '../../test/core/decision-fixtures.js';
import { planCoercion } from './coercion.js';
import type { LogicalType, SchemaField, TableSchema } from './schema.js';

function f(path: string, type: LogicalType, nullable = true): SchemaField {
  return { path, type, rawType: type.toUpperCase(), nullable };
}
function schema(...fields: SchemaField[]): TableSchema {
  return { name: 'orders', fields };
}
const contract = schema(
  f('order_id', 'int64', false),
  f('customer_id', 'int64', false),
  f('amount', 'double'),
  f('note', 'string'),
);
const renamed = renamedField('customer_id', 'customerId');

describe('planCoercion', () => {
  it('nothing to do: empty and safe', () => {
    expect(planCoercion(contract, contract, [])).toEqual({
      renames: [],
      casts: [],
      missing: [],
      unmapped: [],
      nestedMismatch: [],
      safe: true,
    });
  });

  it('maps a renamed column back and casts a lossless widening', () => {
    const current = schema(
      f('order_id', 'int32'),
      f('customerId', 'int64'),
      f('amount', 'double'),
      f('note', 'string'),
    );
    expect(planCoercion(contract, current, [renamed])).toEqual({
      renames: [{ from: 'customerId', to: 'customer_id' }],
      casts: [{ column: 'order_id', from: 'int32', to: 'int64', lossless: true }],
      missing: [],
      unmapped: [],
      nestedMismatch: [],
      safe: true,
    });
  });

  it('text to the contract type is declared-safe (TRY_CAST, failures quarantined)', () => {
    const current = schema(f('order_id', 'int64'), f('customer_id', 'int64'), f('amount', 'string'));
    const plan = planCoercion(contract, current, []);
    expect(plan.casts).toEqual([{ column: 'amount', from: 'string', to: 'double', lossless: false }]);
    expect(plan.safe).toBe(true);
  });

  it('a lossy cast is not safe', () => {
    const current = schema(f('order_id', 'double'), f('customer_id', 'int64'));
    const plan = planCoercion(contract, current, []);
    expect(plan.casts).toEqual([{ column: 'order_id', from: 'double', to: 'int64', lossless: false }]);
    expect(plan.safe).toBe(false);
  });

  it('a missing required column is not safe; a missing nullable one is fine', () => {
    const plan = planCoercion(contract, schema(f('order_id', 'int64'), f('amount', 'double')), []);
    expect(plan.missing).toEqual(['customer_id']);
    expect(plan.safe).toBe(false);
  });

  it('ignores catalog-scope renames and renames onto columns that still exist', () => {
    const current = schema(f('order_id', 'int64'), f('customerId', 'int64'));
    expect(planCoercion(contract, current, [{ ...renamed, scope: 'catalog' }]).missing).toEqual([
      'customer_id',
    ]);
    const both = schema(f('order_id', 'int64'), f('customer_id', 'int64'), f('customerId', 'int64'));
    expect(planCoercion(contract, both, [renamed]).renames).toEqual([]);
  });

  it('a missing nullable column beside an unmapped new column is a guess, not safe (values would be dropped)', () => {
    const current = schema(
      f('order_id', 'int64'),
      f('customer_id', 'int64'),
      f('amount', 'double'),
      f('note_v2', 'string'),
    );
    const plan = planCoercion(contract, current, []);
    expect(plan.missing).toEqual([]);
    expect(plan.unmapped).toEqual(['note_v2']);
    expect(plan.safe).toBe(false);
  });

  it('an extra column with nothing missing is fine (it was never part of the output)', () => {
    const current = schema(...contract.fields, f('channel', 'string'));
    expect(planCoercion(contract, current, [])).toMatchObject({ unmapped: [], safe: true });
  });

  it('struct members must match: a removed or lossily retyped member is not safe', () => {
    const nested = schema(
      f('id', 'int64', false),
      f('address', 'struct'),
      f('address.city', 'string'),
      f('address.zip', 'int32'),
    );
    const same = planCoercion(nested, nested, []);
    expect(same.safe).toBe(true);
    const lostMember = schema(f('id', 'int64'), f('address', 'struct'), f('address.city', 'string'));
    expect(planCoercion(nested, lostMember, [])).toMatchObject({ missing: ['address.zip'], safe: false });
    const retyped = schema(
      f('id', 'int64'),
      f('address', 'struct'),
      f('address.city', 'string'),
      f('address.zip', 'string'),
    );
    expect(planCoercion(nested, retyped, [])).toMatchObject({ nestedMismatch: ['address.zip'], safe: false });
    const wideContract = schema(f('id', 'int64'), f('address', 'struct'), f('address.zip', 'int64'));
    const narrowData = schema(f('id', 'int64'), f('address', 'struct'), f('address.zip', 'int32'));
    expect(planCoercion(wideContract, narrowData, []).safe).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { ColumnProfile, DatasetProfile } from '../profile.js';
import type { LogicalType, SchemaField, TableSchema } from '../schema.js';
import { detectSchemaDrift, normaliseName } from './schema-drift.js';

const RAW: Partial<Record<LogicalType, string>> = {
  int32: 'INTEGER',
  int64: 'BIGINT',
  double: 'DOUBLE',
  string: 'VARCHAR',
};
function f(
  path: string,
  type: LogicalType,
  nullable = true,
  rawType = RAW[type] ?? type.toUpperCase(),
): SchemaField {
  return { path, type, rawType, nullable };
}
function schema(...fields: SchemaField[]): TableSchema {
  return { name: 'orders', fields };
}
function col(
  path: string,
  type: LogicalType,
  nullCount: number,
  distinct: number,
  min?: string,
  max?: string,
): ColumnProfile {
  return {
    path,
    type,
    rawType: RAW[type] ?? type,
    nullCount,
    nullRate: nullCount / 1000,
    distinct,
    min,
    max,
    validity: 1,
  };
}
function profile(format: string, ...columns: ColumnProfile[]): DatasetProfile {
  return { source: 'x', format, rowCount: 1000, columns };
}

const orders = schema(
  f('order_id', 'int64', false),
  f('customer_id', 'int64'),
  f('amount', 'double'),
  f('placed_at', 'timestamp'),
);

describe('detectSchemaDrift', () => {
  it('reports nothing when nothing changed', () => {
    expect(detectSchemaDrift(orders, structuredClone(orders))).toEqual([]);
  });

  it('field_added: compatible iff nullable', () => {
    const out = detectSchemaDrift(
      orders,
      schema(...orders.fields, f('coupon', 'string'), f('channel', 'string', false)),
    );
    expect(out.map((x) => [x.kind, x.column, x.compatible, x.severity])).toEqual([
      ['field_added', 'channel', false, 'warning'],
      ['field_added', 'coupon', true, 'info'],
    ]);
  });

  it('field_removed: never compatible, error', () => {
    const out = detectSchemaDrift(orders, schema(...orders.fields.filter((x) => x.path !== 'amount')));
    expect(out).toMatchObject([
      { kind: 'field_removed', column: 'amount', compatible: false, severity: 'error', baseline: 'double' },
    ]);
  });

  it.each(['customerId', 'CustomerID', 'customer-id', 'CUSTOMER_ID'])(
    'field_renamed customer_id → %s replaces the removed+added pair',
    (to) => {
      const current = schema(
        ...orders.fields.map((x) => (x.path === 'customer_id' ? { ...x, path: to } : x)),
      );
      expect(detectSchemaDrift(orders, current)).toEqual([
        expect.objectContaining({
          kind: 'field_renamed',
          column: to,
          from: 'customer_id',
          to,
          type: 'int64',
          compatible: false,
        }),
      ]);
    },
  );

  it('no rename without strong evidence: other name, other family, or unlike values', () => {
    const otherName = detectSchemaDrift(
      orders,
      schema(...orders.fields.map((x) => (x.path === 'amount' ? { ...x, path: 'total' } : x))),
    );
    expect(otherName.map((x) => x.kind).sort()).toEqual(['field_added', 'field_removed']);
    const otherFamily = detectSchemaDrift(
      orders,
      schema(...orders.fields.map((x) => (x.path === 'amount' ? f('Amount', 'string') : x))),
    );
    expect(otherFamily.map((x) => x.kind).sort()).toEqual(['field_added', 'field_removed']);
    const current = schema(...orders.fields.map((x) => (x.path === 'amount' ? { ...x, path: 'Amount' } : x)));
    const unlike = detectSchemaDrift(orders, current, {
      baselineProfile: profile('parquet', col('amount', 'double', 0, 900, '1', '500')),
      currentProfile: profile('parquet', col('Amount', 'double', 0, 900, '10000', '90000')),
    });
    expect(unlike.map((x) => x.kind).sort()).toEqual(['field_added', 'field_removed']);
    const alike = detectSchemaDrift(orders, current, {
      baselineProfile: profile('parquet', col('amount', 'double', 0, 900, '1', '500')),
      currentProfile: profile('parquet', col('Amount', 'double', 3, 880, '2', '498')),
    });
    expect(alike.map((x) => x.kind)).toEqual(['field_renamed']);
  });

  it('an ambiguous rename (two candidates) is not guessed', () => {
    const base = schema(f('customer_id', 'int64'));
    const out = detectSchemaDrift(base, schema(f('customerId', 'int64'), f('CustomerID', 'int64')));
    expect(out.map((x) => x.kind).sort()).toEqual(['field_added', 'field_added', 'field_removed']);
  });

  it('type_changed: widening compatible info, narrowing warning, change of family error', () => {
    const base = schema(f('a', 'int32'), f('b', 'int64'), f('c', 'double'), f('d', 'date'));
    const cur = schema(f('a', 'int64'), f('b', 'int32'), f('c', 'string'), f('d', 'timestamp'));
    expect(detectSchemaDrift(base, cur).map((x) => [x.column, x.kind, x.compatible, x.severity])).toEqual([
      ['a', 'type_changed', true, 'info'],
      ['b', 'type_changed', false, 'warning'],
      ['c', 'type_changed', false, 'error'],
      ['d', 'type_changed', true, 'info'],
    ]);
  });

  it('type_changed: BIGINT↔DOUBLE on a text format is inference noise, compatible and info', () => {
    const base = schema(f('price', 'double'));
    const cur = schema(f('price', 'int64'));
    expect(detectSchemaDrift(base, cur)).toMatchObject([{ compatible: false, severity: 'warning' }]);
    expect(detectSchemaDrift(base, cur, { textFormat: true })).toMatchObject([
      {
        kind: 'type_changed',
        compatible: true,
        severity: 'info',
        baselineRaw: 'DOUBLE',
        currentRaw: 'BIGINT',
      },
    ]);
    const fromProfiles = detectSchemaDrift(base, cur, {
      baselineProfile: profile('csv', col('price', 'double', 0, 10)),
      currentProfile: profile('csv', col('price', 'int64', 0, 10)),
    });
    expect(fromProfiles).toMatchObject([{ compatible: true, severity: 'info' }]);
    // Text noise never excuses a change of family.
    expect(detectSchemaDrift(base, schema(f('price', 'string')), { textFormat: true })).toMatchObject([
      { severity: 'error' },
    ]);
  });

  it('a text column that is entirely null carries no type', () => {
    const out = detectSchemaDrift(schema(f('note', 'string')), schema(f('note', 'int64')), {
      baselineProfile: profile('csv', { ...col('note', 'string', 1000, 0), nullRate: 1 }),
      currentProfile: profile('csv', col('note', 'int64', 0, 4)),
    });
    expect(out).toEqual([]);
  });

  it('nullability_changed: required→nullable is incompatible, nullable→required is compatible', () => {
    const out = detectSchemaDrift(
      schema(f('a', 'int64', false), f('b', 'int64', true)),
      schema(f('a', 'int64', true), f('b', 'int64', false)),
    );
    expect(out.map((x) => [x.kind, x.column, x.compatible, x.severity])).toEqual([
      ['nullability_changed', 'a', false, 'warning'],
      ['nullability_changed', 'b', true, 'info'],
    ]);
  });

  it('on text formats with profiles, nullability is left to the null-rate test', () => {
    const out = detectSchemaDrift(schema(f('a', 'int64', false)), schema(f('a', 'int64', true)), {
      baselineProfile: profile('csv', col('a', 'int64', 0, 10)),
      currentProfile: profile('csv', col('a', 'int64', 1, 10)),
    });
    expect(out).toEqual([]);
  });

  it('against a declared schema, text data that shows nulls is reported; text without nulls proves nothing', () => {
    const declared = schema(f('a', 'int64', false), f('b', 'int64', true));
    const out = detectSchemaDrift(declared, schema(f('a', 'int64', true), f('b', 'int64', false)), {
      textFormat: true,
    });
    expect(out.map((x) => [x.kind, x.column, x.compatible])).toEqual([['nullability_changed', 'a', false]]);
  });

  it('nested_changed: struct members added, removed and retyped under dotted paths', () => {
    const base = schema(
      f('address', 'struct', true, 'STRUCT(city VARCHAR, zip INTEGER)'),
      f('address.city', 'string'),
      f('address.zip', 'int32'),
    );
    const cur = schema(
      f('address', 'struct', true, 'STRUCT(zip BIGINT, street VARCHAR)'),
      f('address.zip', 'int64'),
      f('address.street', 'string'),
    );
    expect(detectSchemaDrift(base, cur).map((x) => [x.kind, x.column, x.compatible, x.severity])).toEqual([
      ['nested_changed', 'address.city', false, 'error'],
      ['nested_changed', 'address.street', true, 'info'],
      ['nested_changed', 'address.zip', true, 'info'],
    ]);
  });

  it('nested_changed: a column that became a struct (members not reported separately)', () => {
    const base = schema(f('id', 'int64'), f('address', 'string'));
    const cur = schema(
      f('id', 'int64'),
      f('address', 'struct', true, 'STRUCT(city VARCHAR)'),
      f('address.city', 'string'),
    );
    expect(detectSchemaDrift(base, cur)).toEqual([
      expect.objectContaining({
        kind: 'nested_changed',
        column: 'address',
        baseline: 'VARCHAR',
        current: 'STRUCT(city VARCHAR)',
        severity: 'error',
      }),
    ]);
    expect(detectSchemaDrift(cur, base)).toEqual([
      expect.objectContaining({ kind: 'nested_changed', column: 'address' }),
    ]);
  });

  it('nested_changed: columns moved into a new struct, and back out', () => {
    const flat = schema(f('id', 'int64'), f('lat', 'double'), f('lon', 'double'));
    const nestedSchema = schema(
      f('id', 'int64'),
      f('location', 'struct', true, 'STRUCT(lat DOUBLE, lon DOUBLE)'),
      f('location.lat', 'double'),
      f('location.lon', 'double'),
    );
    expect(
      detectSchemaDrift(flat, nestedSchema).map((x) => [x.kind, x.column, 'baseline' in x ? x.baseline : '']),
    ).toEqual([
      ['nested_changed', 'location.lat', 'lat'],
      ['nested_changed', 'location.lon', 'lon'],
    ]);
    expect(
      detectSchemaDrift(nestedSchema, flat).map((x) => [x.kind, x.column, 'baseline' in x ? x.baseline : '']),
    ).toEqual([
      ['nested_changed', 'lat', 'location.lat'],
      ['nested_changed', 'lon', 'location.lon'],
    ]);
  });

  it('a top-level name that contains a dot is not a struct member', () => {
    const base = schema(f('a.b', 'int64'));
    expect(detectSchemaDrift(base, schema(f('a.b', 'string')))).toMatchObject([
      { kind: 'type_changed', column: 'a.b' },
    ]);
  });

  it('is deterministic: same findings whatever the field order', () => {
    const cur = schema(f('z_new', 'string'), f('amount', 'string'), f('order_id', 'int64', true));
    const a = detectSchemaDrift(orders, cur);
    const b = detectSchemaDrift(
      schema(...[...orders.fields].reverse()),
      schema(...[...cur.fields].reverse()),
    );
    expect(b).toEqual(a);
    expect(a.map((x) => x.column)).toEqual([...a.map((x) => x.column)].sort());
  });

  it('normaliseName folds case and separators, keeps letters of any script', () => {
    expect(
      new Set(['customer_id', 'customerId', 'CustomerID', 'customer-id', 'Customer ID'].map(normaliseName))
        .size,
    ).toBe(1);
    expect(normaliseName('Größe_cm')).toBe('größecm');
  });
});

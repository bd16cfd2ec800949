import { describe, expect, it } from 'vitest';
import { duckdbTypeToLogical, flattenColumn, parseStructMembers } from './duckdb-types.js';
import { quoteIdent, quoteLiteral, quoteLiteralList } from './sql.js';

describe('duckdbTypeToLogical', () => {
  it.each([
    ['BOOLEAN', 'boolean'],
    ['INTEGER', 'int32'],
    ['SMALLINT', 'int32'],
    ['BIGINT', 'int64'],
    ['HUGEINT', 'decimal'],
    ['FLOAT', 'float'],
    ['DOUBLE', 'double'],
    ['DECIMAL(10,2)', 'decimal'],
    ['VARCHAR', 'string'],
    ['JSON', 'string'],
    ["ENUM('a', 'b')", 'string'],
    ['DATE', 'date'],
    ['TIMESTAMP', 'timestamp'],
    ['TIMESTAMP WITH TIME ZONE', 'timestamp'],
    ['TIMESTAMP_NS', 'timestamp'],
    ['BLOB', 'binary'],
    ['INTEGER[]', 'list'],
    ['STRUCT(a INTEGER)[]', 'list'],
    ['STRUCT(a INTEGER)', 'struct'],
    ['MAP(VARCHAR, INTEGER)', 'map'],
    ['INTERVAL', 'unknown'],
    ['NULL', 'unknown'],
  ])('%s → %s', (raw, logical) => {
    expect(duckdbTypeToLogical(raw)).toBe(logical);
  });
});

describe('parseStructMembers', () => {
  it('splits members, unquoting names with spaces, quotes and commas', () => {
    expect(
      parseStructMembers(
        'STRUCT("a""b, c" INTEGER, x STRUCT(y INTEGER[], "z z" DECIMAL(10,2)), e ENUM(\'p,q\', \'r\'))',
      ),
    ).toEqual([
      { name: 'a"b, c', rawType: 'INTEGER' },
      { name: 'x', rawType: 'STRUCT(y INTEGER[], "z z" DECIMAL(10,2))' },
      { name: 'e', rawType: "ENUM('p,q', 'r')" },
    ]);
    expect(parseStructMembers('BIGINT')).toEqual([]);
  });
  it('flattens nested structs into dotted paths, depth first', () => {
    const fields = flattenColumn(['s'], 'STRUCT(a INTEGER, "b.c" STRUCT(d VARCHAR))');
    expect(fields.map((f) => [f.path, f.type, f.segments])).toEqual([
      ['s', 'struct', ['s']],
      ['s.a', 'int32', ['s', 'a']],
      ['s.b.c', 'struct', ['s', 'b.c']],
      ['s.b.c.d', 'string', ['s', 'b.c', 'd']],
    ]);
  });
});

describe('quoting', () => {
  it('doubles quotes and rejects NUL', () => {
    expect(quoteIdent('a"b; DROP TABLE x')).toBe('"a""b; DROP TABLE x"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteralList(['a', "b'"])).toBe("['a', 'b''']");
    expect(() => quoteIdent('a\0b')).toThrow(/NUL/);
  });
});

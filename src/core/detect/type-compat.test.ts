import { describe, expect, it } from 'vitest';
import { LOGICAL_TYPES, type LogicalType } from '../schema.js';
import { castIsLossless, isWidening, sameFamily, typeFamily } from './type-compat.js';

const ALL: readonly LogicalType[] = LOGICAL_TYPES;

describe('type families', () => {
  it('groups the logical types', () => {
    expect(['int32', 'int64', 'float', 'double', 'decimal'].map((t) => typeFamily(t as LogicalType))).toEqual(
      Array(5).fill('numeric'),
    );
    expect(typeFamily('date')).toBe('temporal');
    expect(typeFamily('timestamp')).toBe('temporal');
    expect(typeFamily('struct')).toBe('nested');
    expect(typeFamily('map')).toBe('nested');
    expect(sameFamily('int32', 'double')).toBe(true);
    expect(sameFamily('int32', 'string')).toBe(false);
    expect(sameFamily('date', 'boolean')).toBe(false);
  });
});

describe('isWidening (Avro promotions)', () => {
  it('accepts int32→int64→double, float→double, int→decimal, date→timestamp', () => {
    for (const [a, b] of [
      ['int32', 'int64'],
      ['int64', 'double'],
      ['int32', 'double'],
      ['float', 'double'],
      ['int32', 'decimal'],
      ['int64', 'decimal'],
      ['date', 'timestamp'],
    ] as const)
      expect(isWidening(a, b), `${a}→${b}`).toBe(true);
  });
  it('rejects narrowing, identity and changes of family', () => {
    for (const [a, b] of [
      ['int64', 'int32'],
      ['double', 'float'],
      ['double', 'int64'],
      ['timestamp', 'date'],
      ['int32', 'int32'],
      ['int32', 'string'],
      ['string', 'int64'],
      ['boolean', 'int32'],
    ] as const)
      expect(isWidening(a, b), `${a}→${b}`).toBe(false);
  });
  it('is never symmetric', () => {
    for (const a of ALL) for (const b of ALL) if (isWidening(a, b)) expect(isWidening(b, a)).toBe(false);
  });
});

describe('castIsLossless', () => {
  it('is true for identity and exact widenings, and any scalar to string', () => {
    expect(castIsLossless('int32', 'int64')).toBe(true);
    expect(castIsLossless('float', 'double')).toBe(true);
    expect(castIsLossless('date', 'timestamp')).toBe(true);
    expect(castIsLossless('int64', 'decimal')).toBe(true);
    expect(castIsLossless('double', 'string')).toBe(true);
    expect(castIsLossless('timestamp', 'timestamp')).toBe(true);
  });
  it('is false where precision or values can be lost', () => {
    // 2^53 + 1 has no double.
    expect(castIsLossless('int64', 'double')).toBe(false);
    expect(castIsLossless('double', 'int64')).toBe(false);
    expect(castIsLossless('string', 'int64')).toBe(false);
    expect(castIsLossless('timestamp', 'date')).toBe(false);
    expect(castIsLossless('struct', 'string')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { formatPercent, formatPercentPair } from './percent.js';
import { plural, withArticle } from './words.js';

describe('formatPercent', () => {
  it('shows a fraction as a readable percentage with enough digits to be true', () => {
    expect(formatPercent(1 / 3)).toBe('33.3%');
    expect(formatPercent(0.1)).toBe('10%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.0001)).toBe('0.01%');
    expect(formatPercent(0.00012345)).toBe('0.012%');
    expect(formatPercent(0.0025)).toBe('0.25%');
  });

  it('never prints a value and a different limit alike', () => {
    expect(formatPercentPair(0.0001, 0)).toEqual(['0.01%', '0%']);
    expect(formatPercentPair(0.05001, 0.05)).toEqual(['5.001%', '5%']);
    expect(formatPercentPair(0.2, 0.05)).toEqual(['20%', '5%']);
  });
});

describe('words', () => {
  it('picks the article and the plural', () => {
    expect(withArticle('unknown')).toBe('an unknown');
    expect(withArticle('permission')).toBe('a permission');
    expect(plural(1, 'finding')).toBe('1 finding');
    expect(plural(0, 'finding')).toBe('0 findings');
    expect(plural(3, 'finding')).toBe('3 findings');
  });
});

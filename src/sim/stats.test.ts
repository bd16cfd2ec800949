import { describe, expect, it } from 'vitest';
import { meanCi, tQuantile975 } from './stats.js';

describe('tQuantile975', () => {
  it('matches published Student t critical values', () => {
    expect(tQuantile975(1)).toBeCloseTo(12.7062, 4);
    expect(tQuantile975(10)).toBeCloseTo(2.228139, 5);
    expect(tQuantile975(29)).toBeCloseTo(2.04523, 5);
    // Beyond the table: Cornish–Fisher against R's qt(0.975, df).
    expect(tQuantile975(40)).toBeCloseTo(2.021075, 4);
    expect(tQuantile975(60)).toBeCloseTo(2.000298, 4);
    expect(tQuantile975(120)).toBeCloseTo(1.97993, 4);
  });
  it('rejects a non-integer or zero df', () => {
    expect(() => tQuantile975(0)).toThrow(RangeError);
    expect(() => tQuantile975(2.5)).toThrow(RangeError);
  });
});

describe('meanCi', () => {
  it('gives mean ± t·s/√n (1..5: s = 1.5811, t(4) = 2.7764)', () => {
    const r = meanCi([1, 2, 3, 4, 5]);
    expect(r.mean).toBe(3);
    expect(r.ci95).toBeCloseTo((2.776445 * Math.sqrt(2.5)) / Math.sqrt(5), 6);
  });
  it('has zero width for one value or identical values', () => {
    expect(meanCi([0.7])).toEqual({ mean: 0.7, ci95: 0 });
    expect(meanCi([2, 2, 2]).ci95).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import type { ColumnProfile, DatasetProfile } from '../profile.js';
import { detectQualityDrift } from './data-quality.js';
import { twoProportionZ } from './proportion-test.js';

function col(path: string, rows: number, nulls: number, extra: Partial<ColumnProfile> = {}): ColumnProfile {
  return {
    path,
    type: 'double',
    rawType: 'DOUBLE',
    nullCount: nulls,
    nullRate: rows ? nulls / rows : 0,
    distinct: 10,
    validity: 1,
    ...extra,
  };
}
function prof(rows: number, columns: ColumnProfile[], extra: Partial<DatasetProfile> = {}): DatasetProfile {
  return { source: 'x.csv', format: 'csv', rowCount: rows, columns, ...extra };
}

describe('null_rate_spike', () => {
  it('2% → 4% on 50 rows is noise', () => {
    expect(detectQualityDrift(prof(50, [col('a', 50, 1)]), prof(50, [col('a', 50, 2)]))).toEqual([]);
  });

  it('1% → 40% on 10,000 rows is a spike', () => {
    const out = detectQualityDrift(
      prof(10_000, [col('a', 10_000, 100)]),
      prof(10_000, [col('a', 10_000, 4_000)]),
    );
    expect(out).toMatchObject([
      {
        kind: 'null_rate_spike',
        column: 'a',
        baseline: 0.01,
        current: 0.4,
        severity: 'warning',
        compatible: true,
      },
    ]);
    expect((out[0] as { statistic: number }).statistic).toBeGreaterThan(50);
  });

  it('a large but tiny-in-absolute-terms rise on a huge sample is not a spike (minimum effect)', () => {
    // 1.0% → 1.5% on a million rows: z ≈ 31, but half a point does not matter.
    expect(
      detectQualityDrift(prof(1e6, [col('a', 1e6, 10_000)]), prof(1e6, [col('a', 1e6, 15_000)])),
    ).toEqual([]);
  });

  it('0% → 100% is an error', () => {
    expect(detectQualityDrift(prof(500, [col('a', 500, 0)]), prof(500, [col('a', 500, 500)]))).toMatchObject([
      { kind: 'null_rate_spike', severity: 'error', compatible: false },
    ]);
  });

  it('a fall of the null rate is not a spike', () => {
    expect(
      detectQualityDrift(prof(10_000, [col('a', 10_000, 4_000)]), prof(10_000, [col('a', 10_000, 10)])),
    ).toEqual([]);
  });

  it('the contract max null rate is a breach even without statistical evidence', () => {
    const out = detectQualityDrift(prof(50, [col('a', 50, 1)]), prof(50, [col('a', 50, 4)]), {
      thresholds: { maxNullRate: { a: 0.05 } },
    });
    expect(out).toMatchObject([{ kind: 'null_rate_spike', severity: 'error', current: 0.08 }]);
  });

  describe('from a column that was never null (baseline 0 nulls): 1 point is enough', () => {
    it('0% → 3% on 5,000 rows is a spike (z ≈ 12)', () => {
      const out = detectQualityDrift(prof(5000, [col('a', 5000, 0)]), prof(5000, [col('a', 5000, 150)]));
      expect(out).toMatchObject([
        { kind: 'null_rate_spike', column: 'a', baseline: 0, current: 0.03, severity: 'warning' },
      ]);
      expect((out[0] as { statistic: number }).statistic).toBeGreaterThan(4);
    });

    it('0% → 0.5% on 5,000 rows is not (z ≈ 5 but under the 1-point minimum effect)', () => {
      expect(twoProportionZ(0, 5000, 25, 5000)).toBeGreaterThan(4);
      expect(detectQualityDrift(prof(5000, [col('a', 5000, 0)]), prof(5000, [col('a', 5000, 25)]))).toEqual(
        [],
      );
    });

    it('0% → 3% on 60 rows is not (z < 4)', () => {
      // 2 nulls of 60 (3.3%): z ≈ 1.4.
      expect(twoProportionZ(0, 60, 2, 60)).toBeLessThan(4);
      expect(detectQualityDrift(prof(60, [col('a', 60, 0)]), prof(60, [col('a', 60, 2)]))).toEqual([]);
    });

    it('a baseline with some nulls still needs 5 points (1% → 4% on 5,000 rows is not a spike)', () => {
      expect(detectQualityDrift(prof(5000, [col('a', 5000, 50)]), prof(5000, [col('a', 5000, 200)]))).toEqual(
        [],
      );
    });
  });

  it('the z statistic matches the textbook two-proportion test', () => {
    // p1 = 0.1 (n 1000), p2 = 0.15 (n 1000): pooled 0.125, se = sqrt(.125*.875*.002) = 0.014790
    expect(twoProportionZ(100, 1000, 150, 1000)).toBeCloseTo(0.05 / 0.0147902, 3);
    expect(twoProportionZ(0, 10, 0, 10)).toBe(0);
  });
});

describe('validity_drop', () => {
  const typed = (rows: number, validity: number) =>
    col('price', rows, 0, { type: 'string', rawType: 'VARCHAR', validityType: 'double', validity });
  it('a significant fall of the share that parses', () => {
    const out = detectQualityDrift(prof(5000, [typed(5000, 1)]), prof(5000, [typed(5000, 0.9)]));
    expect(out).toMatchObject([
      {
        kind: 'validity_drop',
        column: 'price',
        baseline: 1,
        current: 0.9,
        invalidRows: 500,
        severity: 'warning',
      },
    ]);
  });
  it('one bad value in 40 rows is not statistically meaningful', () => {
    expect(detectQualityDrift(prof(40, [typed(40, 1)]), prof(40, [typed(40, 39 / 40)]))).toEqual([]);
  });
  it('from a baseline validity of exactly 1, a 1.5-point drop on 5,000 rows is a drop', () => {
    const out = detectQualityDrift(prof(5000, [typed(5000, 1)]), prof(5000, [typed(5000, 0.985)]));
    expect(out).toMatchObject([{ kind: 'validity_drop', baseline: 1, current: 0.985, invalidRows: 75 }]);
  });
  it('from a baseline validity of exactly 1, a 0.5-point drop on 5,000 rows is not', () => {
    expect(detectQualityDrift(prof(5000, [typed(5000, 1)]), prof(5000, [typed(5000, 0.995)]))).toEqual([]);
  });
  it('from a baseline validity under 1, a 1.5-point drop still is not (2-point minimum)', () => {
    expect(detectQualityDrift(prof(5000, [typed(5000, 0.99)]), prof(5000, [typed(5000, 0.975)]))).toEqual([]);
  });
  it('under the contract minValidity is a breach', () => {
    expect(
      detectQualityDrift(prof(40, [typed(40, 1)]), prof(40, [typed(40, 0.95)]), {
        thresholds: { minValidity: 0.99 },
      }),
    ).toMatchObject([{ kind: 'validity_drop', severity: 'error' }]);
  });
  it('validity measured against different types is not compared', () => {
    const other = col('price', 5000, 0, { type: 'string', validityType: 'date', validity: 0.6 });
    expect(detectQualityDrift(prof(5000, [typed(5000, 1)]), prof(5000, [other]))).toEqual([]);
  });
});

describe('duplicate_keys', () => {
  it('reports duplicates on the declared key', () => {
    const out = detectQualityDrift(
      prof(100, [], { duplicateKeys: { 'order_id,line': 0 } }),
      prof(100, [], { duplicateKeys: { 'order_id,line': 3 } }),
      { keys: ['order_id', 'line'] },
    );
    expect(out).toMatchObject([
      {
        kind: 'duplicate_keys',
        column: 'order_id,line',
        baseline: 0,
        current: 3,
        severity: 'error',
        compatible: false,
      },
    ]);
  });
  it('nothing when the key is unique', () => {
    expect(
      detectQualityDrift(
        prof(100, [], { duplicateKeys: { id: 0 } }),
        prof(100, [], { duplicateKeys: { id: 0 } }),
        { keys: ['id'] },
      ),
    ).toEqual([]);
  });
});

describe('volume_change', () => {
  it('beyond ±50% and beyond noise', () => {
    expect(detectQualityDrift(prof(10_000, []), prof(3_000, []))).toMatchObject([
      { kind: 'volume_change', baseline: 10_000, current: 3_000, severity: 'warning' },
    ]);
    expect(detectQualityDrift(prof(10_000, []), prof(0, []))).toMatchObject([
      { kind: 'volume_change', severity: 'error' },
    ]);
  });
  it('within the allowed change, or a small-number change, is nothing', () => {
    expect(detectQualityDrift(prof(10_000, []), prof(6_000, []))).toEqual([]);
    expect(detectQualityDrift(prof(4, []), prof(10, []))).toEqual([]);
  });
  it('honours the contract maxVolumeChange', () => {
    expect(
      detectQualityDrift(prof(10_000, []), prof(8_000, []), { thresholds: { maxVolumeChange: 0.1 } }),
    ).toMatchObject([{ kind: 'volume_change' }]);
  });
});

describe('freshness_lag', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  it('newest record older than the allowed lag', () => {
    const out = detectQualityDrift(
      prof(10, [], { newestAt: '2026-11-21T12:00:00.000Z' }),
      prof(10, [], { newestAt: '2026-11-22T09:00:00.000Z' }),
      {
        now,
        thresholds: { maxFreshnessLagMinutes: 60 },
      },
    );
    expect(out).toMatchObject([{ kind: 'freshness_lag', lagMinutes: 180, severity: 'warning' }]);
  });
  it('fresh enough, or no threshold, is nothing', () => {
    const p = prof(10, [], { newestAt: '2026-11-22T11:30:00.000Z' });
    expect(detectQualityDrift(p, p, { now, thresholds: { maxFreshnessLagMinutes: 60 } })).toEqual([]);
    expect(detectQualityDrift(p, prof(10, [], { newestAt: '2020-01-01T00:00:00Z' }), { now })).toEqual([]);
  });
});

it('identical profiles give no finding at all', () => {
  const p = prof(1000, [col('a', 1000, 30), col('b', 1000, 0)], { duplicateKeys: { a: 0 } });
  expect(detectQualityDrift(p, structuredClone(p), { keys: ['a'] })).toEqual([]);
});

describe('null-rate breach messages', () => {
  it('a contract limit of 0 says the contract allows no nulls (never "0.0% exceeds 0.0%")', () => {
    const [f] = detectQualityDrift(
      prof(100_000, [col('amount', 100_000, 0)]),
      prof(100_000, [col('amount', 100_000, 3)]),
      {
        thresholds: { maxNullRate: { amount: 0 } },
      },
    );
    expect(f?.message).toBe(
      'amount has 3 nulls (0.003% of rows) where the contract allows none (baseline 0%)',
    );
  });

  it('a rate just over its limit prints with the digits that tell them apart', () => {
    const [f] = detectQualityDrift(
      prof(100_000, [col('a', 100_000, 0)]),
      prof(100_000, [col('a', 100_000, 5_001)]),
      {
        thresholds: { maxNullRate: { a: 0.05 } },
      },
    );
    expect(f?.message).toBe("a null rate 5.001% (5001 nulls) exceeds the contract's 5% (baseline 0%)");
  });
});

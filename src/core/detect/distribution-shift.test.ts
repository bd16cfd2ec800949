import { describe, expect, it } from 'vitest';
import type { Classification } from '../failure-family.js';
import { createRng } from '../policy/rng.js';
import type { ColumnProfile, DatasetProfile } from '../profile.js';
import { QUANTILE_PROBS, TOP_VALUES } from '../profile.js';
import { detectQualityDrift } from './data-quality.js';
import { detectDistributionShift, ksLowerBound, ksThreshold } from './distribution-shift.js';
import { qualityCondition } from './quality-condition.js';
import { assessRisk } from './risk.js';

/** Seeded normal values (Box-Muller), rounded like a real measurement column. */
function normal(n: number, seed: number, mean = 100, sd = 15, digits = 1): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const u = 1 - rng.next();
    const v = rng.next();
    const x = mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Number(x.toFixed(digits));
  });
}

function numeric(path: string, values: number[]): ColumnProfile {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    path,
    type: 'double',
    rawType: 'DOUBLE',
    nullCount: 0,
    nullRate: 0,
    distinct: new Set(values).size,
    validity: 1,
    min: String(sorted[0]),
    max: String(sorted.at(-1)),
    quantiles: QUANTILE_PROBS.map((p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!),
  };
}

function text(path: string, values: string[]): ColumnProfile {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return {
    path,
    type: 'string',
    rawType: 'VARCHAR',
    nullCount: 0,
    nullRate: 0,
    distinct: counts.size,
    validity: 1,
    topValues: [...counts]
      .sort(([va, a], [vb, b]) => b - a || (va < vb ? -1 : 1))
      .slice(0, TOP_VALUES)
      .map(([value, count]) => ({ value, count })),
  };
}

function prof(rows: number, ...columns: ColumnProfile[]): DatasetProfile {
  return { source: 'x.parquet', format: 'parquet', rowCount: rows, columns };
}

function ecdf(values: number[]) {
  const c = numeric('x', values);
  return { probs: QUANTILE_PROBS, values: c.quantiles!, min: Number(c.min), max: Number(c.max) };
}

const ETL: Classification = { family: 'data_quality', rule: 'x', confidence: 0.9, line: '' };

describe('ksLowerBound', () => {
  it('is 0 for the same data and never above the true distance', () => {
    const a = normal(2000, 1);
    expect(ksLowerBound(ecdf(a), ecdf(a))).toBe(0);
    // A shift by one sd moves the CDF by about 0.38 at the midpoint.
    const d = ksLowerBound(ecdf(a), ecdf(a.map((x) => x + 15)));
    expect(d).toBeGreaterThan(0.25);
    expect(d).toBeLessThanOrEqual(0.4);
  });

  it('ties do not open a gap: mostly zeros against mostly zeros', () => {
    const a = [...Array(180).fill(0), ...normal(20, 2, 5, 2)];
    const b = [...Array(170).fill(0), ...normal(30, 3, 5, 2)];
    expect(ksLowerBound(ecdf(a), ecdf(b))).toBeLessThan(0.06);
  });

  it('the bar shrinks with the sample size but never below the minimum effect', () => {
    expect(ksThreshold(50, 50)).toBeGreaterThan(0.5);
    expect(ksThreshold(1000, 1000)).toBeCloseTo(0.12, 2);
    expect(ksThreshold(1e6, 1e6)).toBe(0.1);
  });
});

describe('numeric shifts', () => {
  it('independent samples of one distribution never alarm (40 seeds at 40 and 400 rows, 8 at 20,000)', () => {
    for (const n of [40, 400, 20_000])
      for (let seed = 1; seed <= (n > 1000 ? 8 : 40); seed++) {
        const out = detectDistributionShift(
          prof(n, numeric('x', normal(n, seed))),
          prof(n, numeric('x', normal(n, seed + 1000))),
        );
        expect(out, `n=${n} seed=${seed}`).toEqual([]);
      }
  });

  it('a one-sd mean shift is a warning on 1,000 rows and nothing on 40', () => {
    const big = detectDistributionShift(
      prof(1000, numeric('x', normal(1000, 1))),
      prof(1000, numeric('x', normal(1000, 2, 115))),
    );
    expect(big).toMatchObject([{ kind: 'distribution_shift', measure: 'numeric', severity: 'warning' }]);
    const small = detectDistributionShift(
      prof(40, numeric('x', normal(40, 1))),
      prof(40, numeric('x', normal(40, 2, 115))),
    );
    expect(small).toEqual([]);
  });

  it('a unit change (×60) is a gross range_shift that raises the risk to high', () => {
    const out = detectDistributionShift(
      prof(500, numeric('delay', normal(500, 1, 20, 10))),
      prof(
        500,
        numeric(
          'delay',
          normal(500, 2, 20, 10).map((x) => x * 60),
        ),
      ),
    );
    expect(out).toMatchObject([
      { kind: 'range_shift', column: 'delay', severity: 'error', compatible: true },
    ]);
    const f = out[0]!;
    expect(f.kind === 'range_shift' && f.scale).toBeGreaterThan(50);
    expect(assessRisk({ classification: ETL, findings: out, protectedDataset: false }).level).toBe('high');
    // Not a bad-rows fact: the quality condition (what quarantine acts on) stays ok.
    expect(qualityCondition(out)).toBe('ok');
  });

  it('a unit change the other way (÷60) stays inside the range and is still a range_shift', () => {
    const out = detectDistributionShift(
      prof(500, numeric('s', normal(500, 1, 600, 120))),
      prof(
        500,
        numeric(
          's',
          normal(500, 2, 600, 120).map((x) => x / 60),
        ),
      ),
    );
    expect(out).toMatchObject([{ kind: 'range_shift', severity: 'error' }]);
  });

  it('identifiers and sequences move on every load: the next batch of ids raises nothing', () => {
    const ids = (from: number) => Array.from({ length: 500 }, (_, i) => from + i);
    const asInt = (c: ColumnProfile): ColumnProfile => ({ ...c, type: 'int64', rawType: 'BIGINT' });
    expect(
      detectDistributionShift(
        prof(500, asInt(numeric('order_id', ids(100_000)))),
        prof(500, asInt(numeric('order_id', ids(100_500)))),
      ),
    ).toEqual([]);
    // A declared key is an identifier even when it repeats.
    const repeated = [...ids(100_500).slice(0, 250), ...ids(100_500).slice(0, 250)];
    expect(
      detectDistributionShift(
        prof(500, asInt(numeric('order_id', ids(100_000)))),
        prof(500, { ...asInt(numeric('order_id', repeated)), distinct: 250 }),
        { keys: ['order_id'] },
      ),
    ).toEqual([]);
    // ...unless their scale changes (ids ×1000).
    expect(
      detectDistributionShift(
        prof(500, asInt(numeric('order_id', ids(100_000)))),
        prof(
          500,
          asInt(
            numeric(
              'order_id',
              ids(100_000).map((x) => x * 1000),
            ),
          ),
        ),
      ),
    ).toMatchObject([{ kind: 'range_shift', severity: 'error' }]);
  });

  it('values past the range at the same scale (next month) are a warning; Celsius to Kelvin an error', () => {
    const month = detectDistributionShift(
      prof(300, { ...numeric('month', Array(300).fill(11)), type: 'int64', distinct: 1 }),
      prof(300, { ...numeric('month', Array(300).fill(12)), type: 'int64', distinct: 1 }),
    );
    expect(month).toMatchObject([{ kind: 'range_shift', severity: 'warning' }]);
    expect(assessRisk({ classification: ETL, findings: month, protectedDataset: false }).level).toBe('low');
    const kelvin = detectDistributionShift(
      prof(300, numeric('temp', normal(300, 1, 12, 6))),
      prof(
        300,
        numeric(
          'temp',
          normal(300, 2, 12, 6).map((x) => x + 273.15),
        ),
      ),
    );
    expect(kelvin).toMatchObject([{ kind: 'range_shift', severity: 'error' }]);
  });

  it('a warning distribution shift raises no risk', () => {
    const out = detectDistributionShift(
      prof(1000, numeric('x', normal(1000, 1))),
      prof(1000, numeric('x', normal(1000, 2, 112))),
    );
    expect(out).toMatchObject([{ kind: 'distribution_shift', severity: 'warning' }]);
    expect(assessRisk({ classification: ETL, findings: out, protectedDataset: false }).level).toBe('low');
  });

  it('profiles without quantiles (older profiles) compare nothing', () => {
    const a = numeric('x', normal(100, 1));
    const { quantiles: _, ...old } = a;
    expect(detectDistributionShift(prof(100, old), prof(100, numeric('x', normal(100, 2, 500))))).toEqual([]);
  });
});

describe('categorical shifts', () => {
  const mix = (n: number, seed: number, weights: Record<string, number>): string[] => {
    const rng = createRng(seed);
    const entries = Object.entries(weights);
    const total = entries.reduce((s, [, w]) => s + w, 0);
    return Array.from({ length: n }, () => {
      let r = rng.next() * total;
      for (const [v, w] of entries) {
        r -= w;
        if (r < 0) return v;
      }
      return entries.at(-1)![0];
    });
  };
  const WEATHER = { sun: 44, rain: 44, fog: 7, drizzle: 3, snow: 2 };

  it('two samples of one mix never alarm (40 seeds)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const out = detectDistributionShift(
        prof(700, text('weather', mix(700, seed, WEATHER))),
        prof(700, text('weather', mix(700, seed + 99, WEATHER))),
      );
      expect(out, `seed ${seed}`).toEqual([]);
    }
  });

  it('a new value taking 60% of the rows is an error; 15 points a warning', () => {
    const gross = detectDistributionShift(
      prof(700, text('weather', mix(700, 1, WEATHER))),
      prof(700, text('weather', mix(700, 2, { ...WEATHER, unknown: 150 }))),
    );
    expect(gross).toMatchObject([
      {
        kind: 'distribution_shift',
        measure: 'categorical',
        value: 'unknown',
        severity: 'error',
        baseline: 0,
      },
    ]);
    const mild = detectDistributionShift(
      prof(2000, text('weather', mix(2000, 1, WEATHER))),
      prof(2000, text('weather', mix(2000, 2, { ...WEATHER, sun: 80 }))),
    );
    expect(mild).toMatchObject([{ kind: 'distribution_shift', value: 'sun', severity: 'warning' }]);
  });

  it('id-like columns (every value once) never alarm', () => {
    const ids = (from: number) => Array.from({ length: 500 }, (_, i) => `id-${from + i}`);
    expect(detectDistributionShift(prof(500, text('id', ids(0))), prof(500, text('id', ids(500))))).toEqual(
      [],
    );
  });

  it('rides along detectQualityDrift, sorted with the other findings', () => {
    const out = detectQualityDrift(
      prof(700, text('weather', mix(700, 1, WEATHER))),
      prof(700, text('weather', mix(700, 2, { ...WEATHER, unknown: 150 }))),
    );
    expect(out.map((f) => f.kind)).toEqual(['distribution_shift']);
  });
});

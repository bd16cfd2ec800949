// The bad-row contract: one suite every runtime runs (the simulator over its rows, DuckDB locally,
// the S3 sampler on moto), so that all of them count the same rows as bad (core/bad-rows.ts) and
// report the share with its sample size.
//
//   runBadRowContract('local duckdb', { measure: async (input) => ... });

import { describe, expect, it } from 'vitest';
import { type BadRowMeasurement, badRowShare } from '../../src/core/bad-rows.js';
import type { SchemaField, TableSchema } from '../../src/core/schema.js';

/** One input: its rows as values (what the simulator holds) and the same rows as CSV text. */
export interface BadRowInput {
  /** A name usable in a file or object key. */
  name: string;
  columns: string[];
  rows: (string | number | null)[][];
  contract: { schema: TableSchema; keys: string[] };
  /** Measure a seeded sample of this many rows instead of all of them. */
  sampleRows?: number;
}

export interface BadRowContractOptions {
  /** Measures the input's bad rows against its contract, as this runtime's guard would see them. */
  measure(input: BadRowInput): Promise<BadRowMeasurement>;
  /** The runtime measures a sample when asked (`sampleRows`). */
  samples?: boolean;
}

/** The input as a CSV file: nulls are empty fields; text is quoted when it must be. */
export function toCsv(input: BadRowInput): string {
  const cell = (v: string | number | null) => {
    if (v === null) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `${[input.columns, ...input.rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;
}

function field(path: string, type: SchemaField['type'], nullable: boolean): SchemaField {
  return { path, type, rawType: type.toUpperCase(), nullable };
}

const ORDERS: TableSchema = {
  name: 'orders',
  fields: [
    field('id', 'int64', false),
    field('amount', 'double', false),
    field('qty', 'int64', true),
    field('day', 'date', true),
    field('note', 'string', true),
  ],
};
const CONTRACT = { schema: ORDERS, keys: ['id'] };
const COLUMNS = ['id', 'amount', 'qty', 'day', 'note'];

/** `n` clean rows from id `from`. */
function clean(n: number, from = 1): (string | number | null)[][] {
  return Array.from({ length: n }, (_, i) => [
    from + i,
    Math.round((from + i) * 137) / 100,
    (from + i) % 7,
    `2026-01-${String(((from + i) % 28) + 1).padStart(2, '0')}`,
    `order ${from + i}`,
  ]);
}

/** The cases every runtime must count alike. */
export const BAD_ROW_CASES: {
  input: BadRowInput;
  share: number;
  byReason: Partial<BadRowMeasurement['byReason']>;
}[] = [
  {
    input: { name: 'clean', columns: COLUMNS, rows: clean(40), contract: CONTRACT },
    share: 0,
    byReason: { null_in_required: 0, unparseable: 0, out_of_range: 0, duplicate_key: 0 },
  },
  {
    // Issue 9: 50% nulls in a NOT NULL column passed G9 on AWS with a bad-row fraction of 0.
    input: {
      name: 'half-null-required',
      columns: COLUMNS,
      rows: clean(40).map((r, i) => (i % 2 === 0 ? [r[0]!, null, ...r.slice(2)] : r)),
      contract: CONTRACT,
    },
    share: 0.5,
    byReason: { null_in_required: 20, unparseable: 0, duplicate_key: 0 },
  },
  {
    // Issue 9: 30% duplicated keys passed G9 on AWS.
    input: {
      name: 'thirty-percent-duplicates',
      columns: COLUMNS,
      rows: [...clean(28), ...clean(12)],
      contract: CONTRACT,
    },
    share: 0.3,
    byReason: { duplicate_key: 12, null_in_required: 0 },
  },
  {
    // One row per reason, one row with two reasons (counted once), and a repeated key whose other
    // row is bad already (the good row is kept: no extra bad row).
    input: {
      name: 'every-reason',
      columns: COLUMNS,
      rows: [
        ...clean(14),
        [15, 'n/a', 1, '2026-01-02', 'text in a number column'],
        [16, 3.5, 1.5, '2026-01-02', 'a fraction in an integer column'],
        [17, '1e400', 2, '2026-01-02', 'an infinite double'],
        [18, 2.5, '99999999999999999999', '2026-01-02', 'over the int64 range'],
        [19, 2.5, 3, '2026-02-30', 'no such day'],
        [20, null, 'many', '2026-01-03', 'two reasons, one row'],
        [3, 'n/a', 4, '2026-01-04', 'a repeated key on a row bad already'],
        [4, 4.25, 4, '2026-01-04', 'a repeated key on a good row'],
      ],
      contract: CONTRACT,
    },
    share: 8 / 22,
    byReason: { null_in_required: 1, unparseable: 5, out_of_range: 2, duplicate_key: 2 },
  },
  {
    input: {
      name: 'required-column-missing',
      columns: ['id', 'qty', 'day', 'note'],
      rows: clean(10).map((r) => [r[0]!, ...r.slice(2)]),
      contract: CONTRACT,
    },
    share: 1,
    byReason: {},
  },
];

/** Registers the contract tests for one runtime's bad-row measurement. */
export function runBadRowContract(name: string, options: BadRowContractOptions): void {
  describe(`bad-row contract: ${name}`, () => {
    for (const c of BAD_ROW_CASES)
      it(`${c.input.name}: share ${c.share.toFixed(3)} over every row`, async () => {
        const m = await options.measure(c.input);
        expect(m.rowsMeasured).toBe(c.input.rows.length);
        expect(m.sampled).toBe(false);
        expect(badRowShare(m)).toBeCloseTo(c.share, 10);
        expect(m.byReason).toMatchObject(c.byReason);
      });

    it('names a missing required column', async () => {
      const c = BAD_ROW_CASES.find((x) => x.input.name === 'required-column-missing')!;
      expect((await options.measure(c.input)).missingRequired).toEqual(['amount']);
    });

    if (options.samples)
      it('a sample says so, with its size', async () => {
        const c = BAD_ROW_CASES.find((x) => x.input.name === 'half-null-required')!;
        const m = await options.measure({ ...c.input, sampleRows: 16 });
        expect(m).toMatchObject({ rowsMeasured: 16, sampled: true });
        expect(m.badRows).toBeLessThanOrEqual(16);
        // A sample larger than the input holds every row: not a sample.
        expect(await options.measure({ ...c.input, sampleRows: 1000 })).toMatchObject({
          rowsMeasured: 40,
          sampled: false,
        });
      });
  });
}

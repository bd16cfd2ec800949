// What every `healer bench-*` command shares: its integer options, the arithmetic it reports with
// (medians of trials, quantiles of latencies, figures rounded to the millisecond), and
// DuckDB-generated inputs.

import { InvalidInputError } from '../core/errors.js';

/** An integer option within bounds, or a one-line E_INPUT naming the flag (`--rows: expected …`). */
export function integerOption(
  flag: string,
  raw: string,
  min: number,
  max: number,
  maxLabel = String(max),
): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidInputError(`${flag}: expected an integer from ${min} to ${maxLabel}, got ${raw}`);
  return n;
}

/** The median (the mean of the two middle values for an even count); 0 for no values. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** The q-quantile by the nearest-rank method; 0 for no values. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? 0;
}

/** Seconds (or ratios) to three decimals, as the JSON lines print them. */
export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Runs SQL statements (a generator's COPY) on a fresh in-memory DuckDB, then closes it. */
export async function withScratchDuckdb(statements: readonly string[]): Promise<void> {
  // Loaded here, not at the top: a command that only reports figures does not pay for DuckDB.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    for (const sql of statements) await conn.run(sql);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/**
 * K trials, each timing the baseline then the measured work on fresh state (interleaved, so a
 * change of the machine's load hits both alike). Returns every trial's seconds and the last result.
 */
export async function interleavedTrials<T>(
  trials: number,
  baseline: (k: number) => Promise<number>,
  measured: (k: number) => Promise<{ seconds: number; result: T }>,
): Promise<{ baseline: number[]; measured: number[]; last: T | undefined }> {
  const out: { baseline: number[]; measured: number[]; last: T | undefined } = {
    baseline: [],
    measured: [],
    last: undefined,
  };
  for (let k = 0; k < trials; k++) {
    out.baseline.push(await baseline(k));
    const trial = await measured(k);
    out.measured.push(trial.seconds);
    out.last = trial.result;
  }
  return out;
}

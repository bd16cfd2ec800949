// `healer bench-profile [--rows N] [--trials K] [--json]`: the wall time of `healer profile` on a
// generated CSV and the same rows as Parquet, against DuckDB's own SUMMARIZE of the same file, each
// a whole process (node startup, module loading and the read included); K interleaved trials,
// medians reported (the ratio: the median of the trials' own ratios). With --json the last line is
// {"rows","csv":{"profile_seconds","summarize_seconds","ratio"},"parquet":{...}}.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { integerOption, median, round, withScratchDuckdb } from '../bench-figures.js';
import type { RegisterCommand } from '../commands.js';
import { textTable } from '../text-table.js';

/** The targets of issue 9: the profile of a file at most this many times DuckDB's SUMMARIZE of it. */
const TARGET = { csv: 1.5, parquet: 1.2 } as const;
type Format = keyof typeof TARGET;

export const register: RegisterCommand = (program, io) => {
  program
    .command('bench-profile')
    .description("Time `healer profile` against DuckDB's SUMMARIZE of the same CSV and Parquet file")
    .option('--rows <n>', 'rows to generate', '1000000')
    .option('--trials <k>', 'interleaved trials; the medians are reported', '5')
    .option('--json', 'print the figures as JSON (last line)')
    .action(async (options: { rows: string; trials: string; json?: boolean }) => {
      const n = integerOption('--rows', options.rows, 100, 100_000_000);
      const trials = integerOption('--trials', options.trials, 1, 25);
      const dir = await mkdtemp(join(tmpdir(), 'healer-bench-profile-'));
      try {
        const files = { csv: join(dir, 'events.csv'), parquet: join(dir, 'events.parquet') };
        await generate(files, n);
        const times: Record<Format, { profile: number[]; summarize: number[] }> = {
          csv: { profile: [], summarize: [] },
          parquet: { profile: [], summarize: [] },
        };
        for (let k = 0; k < trials; k++)
          for (const format of ['csv', 'parquet'] as const) {
            // Alternate which runs first, so that neither always meets a warm page cache first.
            const order =
              k % 2 === 0 ? (['profile', 'summarize'] as const) : (['summarize', 'profile'] as const);
            for (const what of order)
              times[format][what].push(
                await timeProcess(
                  what === 'profile' ? profileArgs(files[format]) : summarizeArgs(files[format]),
                ),
              );
          }
        // The ratio is the median of each trial's own ratio: a trial's two processes run back to back,
        // so a machine whose load changes between trials moves both alike.
        const figure = (format: Format) => {
          const { profile, summarize } = times[format];
          return {
            profile_seconds: round(median(profile)),
            summarize_seconds: round(median(summarize)),
            ratio: round(median(profile.map((p, k) => p / summarize[k]!))),
          };
        };
        const figures = { rows: n, csv: figure('csv'), parquet: figure('parquet') };
        if (!options.json) {
          const rows = (['csv', 'parquet'] as const).map((f) => [
            f,
            String(figures[f].profile_seconds),
            String(figures[f].summarize_seconds),
            `${figures[f].ratio}x`,
            `${TARGET[f]}x`,
            times[f].profile.map((x) => x.toFixed(2)).join(' '),
            times[f].summarize.map((x) => x.toFixed(2)).join(' '),
          ]);
          io.out(
            `rows ${n}; ${trials} interleaved trial(s), medians (ratio: median of the trials' ratios), whole process against whole process\n${textTable(
              ['FORMAT', 'PROFILE S', 'SUMMARIZE S', 'RATIO', 'TARGET', 'PROFILE TRIALS', 'SUMMARIZE TRIALS'],
              rows,
            )}`,
          );
        }
        io.out(`${JSON.stringify(figures)}\n`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
};

/** `healer profile FILE`, as a user runs it (this package's own bin). */
function profileArgs(file: string): { args: string[]; env: Record<string, string> } {
  return {
    args: [fileURLToPath(new URL('../../../bin/healer.js', import.meta.url)), 'profile', file],
    env: {},
  };
}

/** A node process that runs DuckDB's SUMMARIZE over the file through the same @duckdb/node-api. */
function summarizeArgs(file: string): { args: string[]; env: Record<string, string> } {
  const api = pathToFileURL(createRequire(import.meta.url).resolve('@duckdb/node-api')).href;
  const reader = file.endsWith('.csv') ? 'read_csv' : 'read_parquet';
  const script = `const { DuckDBInstance } = await import(${JSON.stringify(api)});
const file = process.env.HEALER_BENCH_FILE.replaceAll("'", "''");
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
await conn.runAndReadAll(\`SUMMARIZE SELECT * FROM ${reader}('\${file}')\`);
conn.closeSync();
db.closeSync();`;
  return { args: ['--input-type=module', '-e', script], env: { HEALER_BENCH_FILE: file } };
}

/** Seconds from spawning `node args` to its exit; a non-zero exit is an error. */
function timeProcess({ args, env }: { args: string[]; env: Record<string, string> }): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve((performance.now() - t0) / 1000);
      else reject(new Error(`node ${args.slice(0, 2).join(' ')} exited ${code}: ${stderr.split('\n')[0]}`));
    });
  });
}

/**
 * The input: ids, amounts, 17 categories, one timestamp per second, dates, a flag, a text column
 * with 10% nulls and a small integer: the column kinds of a typical fact table.
 */
async function generate(files: Record<Format, string>, n: number): Promise<void> {
  const { quoteLiteral } = await import('../../adapters/duckdb/sql.js');
  await withScratchDuckdb([
    `CREATE TABLE g AS SELECT i AS id, round(i * 0.37 % 1000, 2) AS amount, 'cat' || (i % 17) AS category,
       TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND AS at, DATE '2020-01-01' + CAST(i % 2000 AS INTEGER) AS day,
       i % 3 = 0 AS flag, CASE WHEN i % 10 = 0 THEN NULL ELSE 'customer ' || (i * 7919 % 100000) END AS note,
       (i * 31) % 500 AS qty
     FROM range(${n}) t(i)`,
    `COPY g TO ${quoteLiteral(files.csv)} (HEADER)`,
    `COPY g TO ${quoteLiteral(files.parquet)} (FORMAT parquet)`,
  ]);
}

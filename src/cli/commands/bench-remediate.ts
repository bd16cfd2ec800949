// `healer bench-remediate [--rows N] [--json]`: on a generated input with some bad rows, the wall
// time of a quarantine + re-run (the real executor and runner) against one plain DuckDB
// read-and-write pass of the same data, in the same process. With --json the last line is
// {"rows","remediate_seconds","baseline_seconds","ratio"}.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from '../../adapters/duckdb/sql.js';
import { InvalidInputError } from '../../core/errors.js';
import { createLocalEnvironment } from '../../environments/local-environment.js';
import type { RegisterCommand } from '../commands.js';

const PIPELINE = `name: bench_events
sources:
  events:
    path: events.csv
    contract:
      columns:
        id: { type: int64, nullable: false }
        amount: { type: double, nullable: false }
        category: { type: string, nullable: false }
        at: { type: timestamp, nullable: false }
transform: SELECT * FROM "events"
target: { path: out/events.parquet }
`;

export const register: RegisterCommand = (program, io) => {
  program
    .command('bench-remediate')
    .description('Time quarantine + re-run against one plain DuckDB read-and-write pass')
    .option('--rows <n>', 'rows to generate', '1000000')
    .option('--json', 'print the figures as JSON (last line)')
    .action(async (options: { rows: string; json?: boolean }) => {
      const n = Number(options.rows);
      if (!Number.isInteger(n) || n < 100 || n > 100_000_000)
        throw new InvalidInputError(`--rows: expected an integer from 100 to 100000000, got ${options.rows}`);
      const dir = await mkdtemp(join(tmpdir(), 'healer-bench-'));
      try {
        const input = join(dir, 'events.csv');
        const db = await DuckDBInstance.create(':memory:');
        const conn = await db.connect();
        // 0.5% of rows have no amount: they break the contract and go to quarantine.
        await conn.run(
          `COPY (SELECT i AS id, CASE WHEN i % 200 = 7 THEN NULL ELSE round(i * 0.37 % 1000, 2) END AS amount,
                  'cat' || (i % 17) AS category, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND AS at
                FROM range(${n}) t(i)) TO ${quoteLiteral(input)} (HEADER)`,
        );
        await writeFile(join(dir, 'pipeline.yaml'), PIPELINE);
        const t0 = performance.now();
        await conn.run(
          `COPY (SELECT * FROM read_csv(${quoteLiteral(input)}, header = true)) TO ${quoteLiteral(join(dir, 'plain.parquet'))} (FORMAT parquet)`,
        );
        const baselineSeconds = (performance.now() - t0) / 1000;
        conn.closeSync();
        db.closeSync();
        const env = await createLocalEnvironment({
          pipelineFile: join(dir, 'pipeline.yaml'),
          terminal: false,
        });
        let remediateSeconds: number;
        let accounting: unknown;
        let breakdown: string[] = [];
        try {
          const run = await env.runner.run(env.spec);
          if (run.status !== 'failed') throw new Error('the bench input was expected to fail its contract');
          const pipeline = await env.pipelines.describe(env.spec.name);
          const t1 = performance.now();
          const result = await env.remediator.execute('quarantine', {
            incidentId: 'bench',
            event: run.event,
            evidence: { event: run.event, logs: '', logsTruncated: false, datasets: [] },
            decision: undefined as never, // quarantine reads no decision field
            pipeline,
          });
          remediateSeconds = (performance.now() - t1) / 1000;
          if (result.rerun?.status !== 'succeeded')
            throw new Error(`re-run failed: ${result.rerun?.errorMessage}`);
          accounting = result.rows;
          breakdown = result.steps
            .filter((s) => s.durationMs !== undefined)
            .map((s) => `  ${s.name.padEnd(48)} ${((s.durationMs ?? 0) / 1000).toFixed(3)} s`);
        } finally {
          await env.close();
        }
        const figures = {
          rows: n,
          remediate_seconds: round(remediateSeconds),
          baseline_seconds: round(baselineSeconds),
          ratio: round(remediateSeconds / baselineSeconds),
        };
        if (!options.json)
          io.out(
            `rows ${n}; quarantine + re-run ${figures.remediate_seconds} s; plain read+write ${figures.baseline_seconds} s; ratio ${figures.ratio}x (target < 2x)\nrows: ${JSON.stringify(accounting)}\nwhere the remediation time goes:\n${breakdown.join('\n')}\n`,
          );
        else io.out(`${JSON.stringify(figures)}\n`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
};

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

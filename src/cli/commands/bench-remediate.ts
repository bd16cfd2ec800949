// `healer bench-remediate [--rows N] [--bad nulls|text] [--trials K] [--json]`: on a generated input
// with some bad rows, the wall time of a quarantine + re-run (the real executor and runner) against
// one plain DuckDB read-and-write pass of the same data, in the same process; K interleaved trials,
// medians reported. With --json the last line is {"rows","remediate_seconds","baseline_seconds","ratio"}.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from '../../adapters/duckdb/sql.js';
import { gatherEvidence } from '../../agent.js';
import { InvalidInputError } from '../../core/errors.js';
import type { RemediationResult } from '../../core/outcome.js';
import { createLocalEnvironment } from '../../environments/local-environment.js';
import { integerOption, interleavedTrials, median, round, withScratchDuckdb } from '../bench-figures.js';
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
# The cast is a no-op on a double column; with --bad text it is what fails on the word n/a.
transform: SELECT id, CAST(amount AS DOUBLE) AS amount, category, "at" FROM "events"
target: { path: out/events.parquet }
`;

/** What the 0.5% bad rows hold: no amount (a null spike), or the word n/a where a number belongs. */
const BAD_AMOUNT = { nulls: 'NULL', text: "'n/a'" } as const;
type Bad = keyof typeof BAD_AMOUNT;

export const register: RegisterCommand = (program, io) => {
  program
    .command('bench-remediate')
    .description('Time quarantine + re-run against one plain DuckDB read-and-write pass')
    .option('--rows <n>', 'rows to generate', '1000000')
    .option(
      '--bad <kind>',
      'what the 0.5% bad rows hold: nulls (read typed) or text (n/a in a number column: read as text)',
      'nulls',
    )
    .option('--trials <k>', 'interleaved trials; the medians are reported', '3')
    .option('--json', 'print the figures as JSON (last line)')
    .action(async (options: { rows: string; bad: string; trials: string; json?: boolean }) => {
      const n = integerOption('--rows', options.rows, 100, 100_000_000);
      const trials = integerOption('--trials', options.trials, 1, 25);
      if (!(options.bad in BAD_AMOUNT))
        throw new InvalidInputError(`--bad: expected nulls or text, got ${options.bad}`);
      const bad = options.bad as Bad;
      const dir = await mkdtemp(join(tmpdir(), 'healer-bench-'));
      try {
        const input = join(dir, 'events.csv');
        await generate(input, n, bad);
        await writeFile(join(dir, 'pipeline.yaml'), PIPELINE);
        const {
          baseline,
          measured: remediate,
          last,
        } = await interleavedTrials(
          trials,
          (k) => plainPass(input, join(dir, `plain-${k}.parquet`)),
          (k) => quarantineAndRerun(join(dir, 'pipeline.yaml'), join(dir, `state-${k}`)),
        );
        const figures = {
          rows: n,
          remediate_seconds: round(median(remediate)),
          baseline_seconds: round(median(baseline)),
          ratio: round(median(remediate) / median(baseline)),
        };
        if (options.json) {
          io.out(`${JSON.stringify(figures)}\n`);
          return;
        }
        const breakdown = (last?.steps ?? [])
          .filter((s) => s.durationMs !== undefined)
          .map((s) => `  ${s.name.padEnd(60)} ${((s.durationMs ?? 0) / 1000).toFixed(3)} s`);
        const detail = last?.steps.find((s) => s.name === 'quarantine events')?.detail ?? '';
        io.out(
          [
            `rows ${n} (bad rows: ${bad}); ${trials} trial(s), medians: quarantine + re-run ${figures.remediate_seconds} s; plain read+write ${figures.baseline_seconds} s; ratio ${figures.ratio}x (target < 2x)`,
            `trials: remediate ${remediate.map((x) => x.toFixed(3)).join(' ')} s; plain ${baseline.map((x) => x.toFixed(3)).join(' ')} s`,
            `rows: ${JSON.stringify(last?.rows)}; ${detail}`,
            'where the remediation time goes (last trial):',
            ...breakdown,
            '',
          ].join('\n'),
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
};

/** The input: ids, amounts (0.5% bad), 17 categories and one timestamp per second. */
async function generate(file: string, n: number, bad: Bad): Promise<void> {
  await withScratchDuckdb([
    `COPY (SELECT i AS id, CASE WHEN i % 200 = 7 THEN ${BAD_AMOUNT[bad]} ELSE CAST(round(i * 0.37 % 1000, 2) AS VARCHAR) END AS amount,
            'cat' || (i % 17) AS category, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND AS at
          FROM range(${n}) t(i)) TO ${quoteLiteral(file)} (HEADER)`,
  ]);
}

/** The baseline: one plain DuckDB read of the CSV and write of Parquet, on a fresh instance. */
async function plainPass(input: string, output: string): Promise<number> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const t0 = performance.now();
    await conn.run(
      `COPY (SELECT * FROM read_csv(${quoteLiteral(input)}, header = true)) TO ${quoteLiteral(output)} (FORMAT parquet)`,
    );
    return (performance.now() - t0) / 1000;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** One trial on a fresh state directory: the failing run (untimed), then the timed quarantine. */
async function quarantineAndRerun(
  pipelineFile: string,
  stateDir: string,
): Promise<{ result: RemediationResult; seconds: number }> {
  const env = await createLocalEnvironment({ pipelineFile, stateDir, terminal: false });
  try {
    const run = await env.runner.run(env.spec);
    if (run.status !== 'failed') throw new Error('the bench input was expected to fail its contract');
    const pipeline = await env.pipelines.describe(env.spec.name);
    // The evidence the agent gathers before it decides (untimed: diagnosis, not remediation).
    const evidence = await gatherEvidence(run.event, pipeline, env);
    const t1 = performance.now();
    const result = await env.remediator.execute('quarantine', {
      incidentId: 'bench',
      event: run.event,
      evidence,
      decision: undefined as never, // quarantine reads no decision field
      pipeline,
    });
    const seconds = (performance.now() - t1) / 1000;
    if (result.rerun?.status !== 'succeeded') throw new Error(`re-run failed: ${result.rerun?.errorMessage}`);
    return { result, seconds };
  } finally {
    await env.close();
  }
}

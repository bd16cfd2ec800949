// `healer bench-mttr [--rows N] [--trials K] [--json]`: the whole incident of `healer run` against
// a plain run of the same pipeline, in the same process. The pipeline reads an N-row input in which
// 0.5% of the rows lack a required value; the plain run reads the same rows without them. An
// incident is everything the agent does: the failing run, evidence, diagnosis, decision, quarantine,
// the re-run, validation and the audit. K interleaved trials on fresh state folders, medians
// reported. With --json the last line is {"rows","incident_seconds","plain_seconds","ratio"}.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteLiteral } from '../../adapters/duckdb/sql.js';
import { handleIncident } from '../../agent.js';
import { createLocalEnvironment } from '../../environments/local-environment.js';
import { integerOption, interleavedTrials, median, round, withScratchDuckdb } from '../bench-figures.js';
import type { RegisterCommand } from '../commands.js';

const PIPELINE = (input: string) => `name: bench_mttr
sources:
  events:
    path: ${input}
    contract:
      columns:
        id: { type: int64, nullable: false }
        amount: { type: double, nullable: false }
        category: { type: string, nullable: false }
        at: { type: timestamp, nullable: false }
      keys: [id]
transform: SELECT category, count(*) AS n, sum(amount) AS total FROM "events" GROUP BY category
target: { path: out/by_category.parquet }
authority: { mode: autonomous }
`;

export const register: RegisterCommand = (program, io) => {
  program
    .command('bench-mttr')
    .description('Time a whole healing incident of `healer run` against a plain run of the same pipeline')
    .option('--rows <n>', 'rows to generate', '1000000')
    .option('--trials <k>', 'interleaved trials; the medians are reported', '3')
    .option('--json', 'print the figures as JSON (last line)')
    .action(async (options: { rows: string; trials: string; json?: boolean }) => {
      const n = integerOption('--rows', options.rows, 1000, 100_000_000);
      const trials = integerOption('--trials', options.trials, 1, 25);
      const dir = await mkdtemp(join(tmpdir(), 'healer-mttr-'));
      try {
        await generate(join(dir, 'clean.csv'), n, false);
        await generate(join(dir, 'faulty.csv'), n, true);
        await writeFile(join(dir, 'plain.yaml'), PIPELINE('clean.csv'));
        await writeFile(join(dir, 'incident.yaml'), PIPELINE('faulty.csv'));
        const {
          baseline: plain,
          measured: incident,
          last = '',
        } = await interleavedTrials(
          trials,
          (k) => plainRun(join(dir, 'plain.yaml'), join(dir, `plain-state-${k}`)),
          (k) => incidentRun(join(dir, 'incident.yaml'), join(dir, `incident-state-${k}`)),
        );
        const figures = {
          rows: n,
          incident_seconds: round(median(incident)),
          plain_seconds: round(median(plain)),
          ratio: round(median(incident) / median(plain)),
        };
        if (options.json) {
          io.out(`${JSON.stringify(figures)}\n`);
          return;
        }
        io.out(
          [
            `rows ${n}; ${trials} trial(s), medians: whole incident ${figures.incident_seconds} s; plain run ${figures.plain_seconds} s; ratio ${figures.ratio}x (target <= 2x)`,
            `trials: incident ${incident.map((x) => x.toFixed(3)).join(' ')} s; plain ${plain.map((x) => x.toFixed(3)).join(' ')} s`,
            `last incident: ${last}`,
            '',
          ].join('\n'),
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
};

/** N rows; with `faulty`, every 200th row has no amount (a required column). */
async function generate(file: string, n: number, faulty: boolean): Promise<void> {
  const amount = faulty
    ? `CASE WHEN i % 200 = 7 THEN NULL ELSE round(i * 0.37 % 1000, 2) END`
    : 'round(i * 0.37 % 1000, 2)';
  await withScratchDuckdb([
    `COPY (SELECT i AS id, ${amount} AS amount, 'cat' || (i % 17) AS category, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND AS at
          FROM range(${n}) t(i)) TO ${quoteLiteral(file)} (HEADER)`,
  ]);
}

/** A plain successful `healer run`: the runner alone, on a fresh state folder. */
async function plainRun(pipelineFile: string, stateDir: string): Promise<number> {
  const t0 = performance.now();
  const env = await createLocalEnvironment({ pipelineFile, stateDir, terminal: false });
  try {
    const run = await env.runner.run(env.spec);
    if (run.status !== 'succeeded') throw new Error(`the plain run failed: ${run.errorMessage}`);
    return (performance.now() - t0) / 1000;
  } finally {
    await env.close();
  }
}

/** The whole incident: the failing run, then everything the agent does until it is resolved. */
async function incidentRun(
  pipelineFile: string,
  stateDir: string,
): Promise<{ seconds: number; result: string }> {
  const t0 = performance.now();
  const env = await createLocalEnvironment({ pipelineFile, stateDir, terminal: false });
  try {
    const run = await env.runner.run(env.spec);
    if (run.status !== 'failed') throw new Error('the bench input was expected to fail its contract');
    const incident = await handleIncident(run.event, env);
    if (incident.status !== 'resolved') throw new Error(`the incident was not resolved: ${incident.summary}`);
    return { seconds: (performance.now() - t0) / 1000, result: `${incident.action}: ${incident.summary}` };
  } finally {
    await env.close();
  }
}

// `healer bench-storm [--events N] [--jobs J] [--pipelines P] [--json]`: an incident storm on the
// embedded runtime. J jobs (tasks) of P pipelines, each pipeline failing for one of five causes
// (throttling, access denied, memory, a renamed column, a null spike), send N failure events in all;
// healer handles them as incident groups. Measured in the same run: the storm's wall time, one cold single incident, and the time
// of decisions on already-measured evidence. With --json the last line is
// {"events","groups","storm_seconds","single_incident_seconds","ratio","decision_p99_ms"}.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLogPath } from '../../adapters/local/index.js';
import { decideIncident, gatherEvidence, handleIncident } from '../../agent.js';
import type { FailureEvent } from '../../core/event.js';
import { createLocalEnvironment } from '../../environments/local-environment.js';
import { CachingDataEngine } from '../../evidence-cache.js';
import { handleStorm } from '../../storm.js';
import { integerOption, median, quantile, round } from '../bench-figures.js';
import type { RegisterCommand } from '../commands.js';

/** The five causes: a log line each (real message formats) and what the input looks like. */
const CAUSES = [
  {
    name: 'throttling',
    log: 'An error occurred (ThrottlingException) when calling the GetObject operation (reached max retries: 4): Rate exceeded',
    input: 'good',
  },
  {
    name: 'access_denied',
    log: 'java.nio.file.AccessDeniedException: s3://acme-raw/orders/part-0000.csv: getFileStatus on s3://acme-raw/orders/part-0000.csv: com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)',
    input: 'good',
  },
  {
    name: 'out_of_memory',
    log: 'Out of Memory Error: could not allocate block of size 256.0 KiB (1.9 GiB/1.9 GiB used)',
    input: 'good',
  },
  {
    name: 'renamed_column',
    log: 'Binder Error: Referenced column "amount" not found in FROM clause!',
    input: 'renamed',
  },
  {
    name: 'null_spike',
    log: 'Constraint Error: NOT NULL constraint failed: orders.amount',
    input: 'nulls',
  },
] as const;

const ROWS = 2_000;
/** Cold single incidents timed; their median is the baseline (a loaded machine varies a lot). */
const SINGLE_TRIALS = 5;

export const register: RegisterCommand = (program, io) => {
  program
    .command('bench-storm')
    .description('Time an incident storm (many failures, few causes) against one single incident')
    .option('--events <n>', 'failure events in the storm', '10000')
    .option('--jobs <j>', 'jobs (tasks) the events come from, spread over the pipelines', '50')
    .option('--pipelines <p>', 'pipelines the jobs belong to (one cause each)', '5')
    .option('--json', 'print the figures as JSON (last line)')
    .action(async (options: { events: string; jobs: string; pipelines: string; json?: boolean }) => {
      const n = integerOption('--events', options.events, 1, 1_000_000);
      const jobs = integerOption('--jobs', options.jobs, 1, 1000);
      const pipelines = integerOption('--pipelines', options.pipelines, 1, jobs, '--jobs');
      const dir = await mkdtemp(join(tmpdir(), 'healer-storm-'));
      try {
        const files = await writePipelines(dir, pipelines);
        const stateDir = join(dir, '.healer');
        const events = await writeEvents(stateDir, n, jobs, pipelines);

        // One cold single incident per trial, on a fresh state folder and a fresh engine.
        const singles: number[] = [];
        for (let k = 0; k < SINGLE_TRIALS; k++) {
          const event = { ...events[(k * 7) % events.length]!, id: `single-${k}`, runId: `single-run-${k}` };
          const singleState = join(dir, `single-${k}`);
          await writeLog(singleState, event, CAUSES[causeOf(event)]!.log);
          const env = await createLocalEnvironment({
            pipelineFile: files[0]!,
            pipelineFiles: files,
            stateDir: singleState,
            terminal: false,
          });
          try {
            const t0 = performance.now();
            await handleIncident(event, env);
            singles.push((performance.now() - t0) / 1000);
          } finally {
            await env.close();
          }
        }

        const env = await createLocalEnvironment({
          pipelineFile: files[0]!,
          pipelineFiles: files,
          stateDir,
          terminal: false,
        });
        try {
          const data = new CachingDataEngine(env.data, { fingerprintTtlMs: 5_000 });
          const cached = { ...env, data };
          const t0 = performance.now();
          const storm = await handleStorm(events, cached);
          const stormSeconds = (performance.now() - t0) / 1000;

          // Decisions on evidence already measured: gather (from the cache) + diagnose + decide.
          const times: number[] = [];
          for (const event of events.slice(0, 500)) {
            const t = performance.now();
            const pipeline = await env.pipelines.describe(event.pipeline);
            const evidence = await gatherEvidence(event, pipeline, cached);
            await decideIncident({ incidentId: 'bench', event, evidence, pipeline }, cached);
            times.push(performance.now() - t);
          }
          const single = median(singles);
          const figures = {
            events: n,
            groups: storm.groups.length,
            storm_seconds: round(stormSeconds),
            single_incident_seconds: round(single),
            ratio: round(stormSeconds / single),
            decision_p99_ms: round(quantile(times, 0.99)),
          };
          if (options.json) {
            io.out(`${JSON.stringify(figures)}\n`);
            return;
          }
          const statuses = new Map<string, number>();
          for (const g of storm.groups)
            statuses.set(g.incident.status, (statuses.get(g.incident.status) ?? 0) + 1);
          io.out(
            [
              `${n} events from ${jobs} jobs of ${pipelines} pipelines (${Math.min(pipelines, CAUSES.length)} causes) -> ${storm.groups.length} incident groups (${[...statuses].map(([s, c]) => `${c} ${s}`).join(', ')})`,
              `storm ${figures.storm_seconds} s (${round((stormSeconds * 1000) / n)} ms per event); one cold incident ${figures.single_incident_seconds} s (trials ${singles.map((s) => s.toFixed(3)).join(' ')})`,
              `ratio ${figures.ratio}x (target <= 10x); decisions on measured evidence: p99 ${figures.decision_p99_ms} ms (target < 50 ms)`,
              `evidence cache: ${data.stats.hits} hits, ${data.stats.misses} measurements, ${data.stats.uncached} uncached`,
              '',
            ].join('\n'),
          );
        } finally {
          await env.close();
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
};

function causeOf(event: FailureEvent): number {
  return Number(event.pipeline.split('_').at(-1)) % CAUSES.length;
}

/** P pipelines in shadow mode (decide and record, execute nothing), each with its own input. */
async function writePipelines(dir: string, pipelines: number): Promise<string[]> {
  const files: string[] = [];
  for (let j = 0; j < pipelines; j++) {
    const name = `storm_job_${j}`;
    const folder = join(dir, name);
    await mkdir(folder, { recursive: true });
    const cause = CAUSES[j % CAUSES.length]!;
    await writeFile(join(folder, 'orders.csv'), ordersCsv(cause.input, j));
    const file = join(folder, 'pipeline.yaml');
    await writeFile(
      file,
      [
        `name: ${name}`,
        'sources:',
        '  orders:',
        '    path: orders.csv',
        '    contract:',
        '      columns:',
        '        order_id: { type: int64, nullable: false }',
        '        customer: { type: string, nullable: false }',
        '        amount: { type: double, nullable: false }',
        '      keys: [order_id]',
        'transform: SELECT order_id, customer, amount FROM "orders"',
        'target: { path: out/orders.parquet }',
        'authority: { mode: shadow }',
        '',
      ].join('\n'),
    );
    files.push(file);
  }
  return files;
}

function ordersCsv(kind: 'good' | 'renamed' | 'nulls', seed: number): string {
  const header = kind === 'renamed' ? 'order_id,customer,order_amount' : 'order_id,customer,amount';
  const lines = [header];
  for (let i = 0; i < ROWS; i++) {
    const amount = kind === 'nulls' && i % 4 === 0 ? '' : ((i * 37 + seed) % 1000) / 4 + 1;
    lines.push(`${i + 1},c-${(i * 7 + seed) % 97},${amount}`);
  }
  return `${lines.join('\n')}\n`;
}

/** N failure events round-robin over the jobs, with each run's log where healer reads it. */
async function writeEvents(
  stateDir: string,
  n: number,
  jobs: number,
  pipelines: number,
): Promise<FailureEvent[]> {
  const events: FailureEvent[] = [];
  const t0 = Date.parse('2026-12-02T08:00:00Z');
  for (let i = 0; i < n; i++) {
    const job = i % jobs;
    const j = job % pipelines;
    const pipeline = `storm_job_${j}`;
    const event: FailureEvent = {
      id: `evt-${i}`,
      source: 'local',
      pipeline,
      job: `${pipeline}.task_${job}`,
      runId: `run-${i}`,
      state: 'FAILED',
      occurredAt: new Date(t0 + i * 100).toISOString(),
    };
    await writeLog(stateDir, event, CAUSES[j % CAUSES.length]!.log);
    events.push(event);
  }
  return events;
}

async function writeLog(stateDir: string, event: FailureEvent, line: string): Promise<void> {
  const file = runLogPath(stateDir, event.pipeline, event.runId);
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, `2026-12-02 08:00:00 ERROR ${line}\n`);
}

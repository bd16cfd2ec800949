// `healer demo [--dir DIR] [--json]`: builds a sample pipeline on real public data (data/), injects
// a realistic sequence of failures, lets the agent handle each through handleIncident, and prints a
// table and a Markdown report. The rename, type drift, null spike and protected drift are produced
// for real by rewriting the input files, the out-of-memory by a second pipeline under a low DuckDB
// memory_limit, the late upstream by holding flights.csv back until after the run; the S3 throttle and the S3 access denial cannot be produced
// on a local disk (as root), so they are injected as runner faults with the exact S3 error text.

import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from '../../adapters/duckdb/sql.js';
import {
  forgetAuditAnchor,
  type InjectedFault,
  loadPipelineFile,
  ScriptedFaults,
} from '../../adapters/local/index.js';
import type { WebhookConfig } from '../../adapters/local/webhook-notifier.js';
import { handleIncident, reconcile } from '../../agent.js';
import { InvalidInputError } from '../../core/errors.js';
import { stateKey } from '../../core/state.js';
import { createLocalEnvironment } from '../../environments/local-environment.js';
import type { IncidentRecord, ProgressReporter } from '../../ports.js';
import type { RegisterCommand } from '../commands.js';
import { terminalProgress } from '../terminal-progress.js';
import { textTable } from '../text-table.js';
import { addWebhookOptions, type WebhookFlags, webhookConfig } from '../webhook-option.js';

const MARKER = '.healer-demo';

/** The package's data/ folder (src/cli/commands or dist/cli/commands → ../../../data). */
export function sampleDataDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data');
}

// The flights source both sample pipelines read (same file, same contract); the delay pipeline adds
// a quality rule under it.
const FLIGHTS_SOURCE = `  flights:
    path: input/flights.csv
    contract:
      columns:
        flight_date: { type: timestamp, nullable: false }
        delay_minutes: { type: int64, nullable: false }
        distance_miles: { type: int64, nullable: false }
        origin: { type: string, nullable: false }
        destination: { type: string, nullable: false }
`;

const PIPELINE = `# Sample pipeline written by \`healer demo\`: average delay per origin airport.
name: flights_delay_by_airport
sources:
${FLIGHTS_SOURCE}      quality:
        maxNullRate: { origin: 0.01 }
  airports:
    path: input/airports.csv
    contract:
      columns:
        iata: { type: string, nullable: false }
        name: { type: string }
        city: { type: string }
        state: { type: string }
        country: { type: string }
        latitude: { type: double }
        longitude: { type: double }
      keys: [iata]
      protected: true
transform: |
  SELECT f.origin, a.name AS airport, a.state, count(*) AS flights,
         round(avg(f.delay_minutes), 2) AS avg_delay_minutes,
         sum(f.distance_miles) AS total_miles
  FROM "flights" AS f JOIN "airports" AS a ON a.iata = f.origin
  GROUP BY ALL ORDER BY flights DESC, f.origin
target:
  path: output/delay_by_airport.parquet
authority:
  mode: autonomous
  allowedActions: [retry, coerce_schema, rollback_schema, quarantine, defer]
  defer: { maxWaitSeconds: 30 }
retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 }
`;

/**
 * A second pipeline on the same flights: every route's legs planned for the next 365 days, as lists.
 * DuckDB needs more than 64 MB for it (and less than 128 MB); with spilling off it fails with a real
 * "Out of Memory Error" at 64 MB, and the authority lets healer double the memory once, up to 256 MB.
 */
const SCHEDULE_PIPELINE = `# Sample pipeline written by \`healer demo\`: planned legs per route for a year.
name: flights_schedule
sources:
${FLIGHTS_SOURCE}transform: |
  SELECT origin, count(*) AS route_days, sum(len(legs)) AS legs
  FROM (SELECT f.origin, f.destination, d.day,
               list(f.origin || '-' || f.destination || '-' || d.day::VARCHAR) AS legs
        FROM "flights" AS f CROSS JOIN range(365) AS d(day) GROUP BY ALL)
  GROUP BY ALL ORDER BY route_days DESC, origin
target:
  path: output/schedule.parquet
resources: { memoryMb: 64, threads: 1, spill: false }
authority:
  mode: autonomous
  allowedActions: [retry, scale_resources]
  resources: { maxMemoryMb: 256, maxStepsPerRun: 1 }
`;

/** When the late upstream delivers flights.csv after the run failed without it (while healer waits). */
const LATE_DELIVERY_MS = 600;

const FLIGHTS_COLUMNS = `strptime("date", '%Y/%m/%d %H:%M') AS flight_date, delay AS delay_minutes,
  distance AS distance_miles, origin, destination`;

interface Scenario {
  id: string;
  title: string;
  /** How it is produced: `real` (files rewritten) or `injected` (runner fault). */
  how: 'real' | 'injected';
  /** SQL over `flights` (pristine) producing the new flights.csv, when it rewrites flights. */
  flights?: string;
  airports?: string;
  fault?: InjectedFault;
  /** Runs the schedule pipeline (memory pressure) instead of the delay pipeline. */
  schedule?: boolean;
  /** flights.csv is missing when the run starts and is delivered LATE_DELIVERY_MS after it failed. */
  late?: boolean;
  expect: string;
}

const SCENARIOS: Scenario[] = [
  {
    id: 'transient_flake',
    title: 'S3 throttles the read once (503 Slow Down)',
    how: 'injected',
    fault: { kind: 'transient', dataset: 'flights', uri: 's3://demo-raw/flights/flights.csv', times: 1 },
    expect: 'retry',
  },
  {
    id: 'memory_pressure',
    title: 'a 365-day schedule outgrows memory_limit 64 MB (spilling off): Out of Memory',
    how: 'real',
    schedule: true,
    expect: 'scale_resources',
  },
  {
    id: 'late_upstream',
    title: 'the run starts before upstream delivered flights.csv; it arrives 0.6 s later',
    how: 'real',
    late: true,
    expect: 'defer',
  },
  {
    id: 'column_rename',
    title: 'upstream renames delay_minutes to delayMinutes',
    how: 'real',
    flights: `SELECT flight_date, delay_minutes AS "delayMinutes", distance_miles, origin, destination FROM flights`,
    expect: 'coerce_schema',
  },
  {
    id: 'type_drift',
    title: 'upstream writes CANCELLED into delay_minutes (int becomes text)',
    how: 'real',
    flights: `SELECT flight_date, CASE WHEN rn % 37 = 0 THEN 'CANCELLED' ELSE CAST(delay_minutes AS VARCHAR) END AS delay_minutes,
      distance_miles, origin, destination FROM (SELECT *, row_number() OVER () AS rn FROM flights)`,
    expect: 'coerce_schema',
  },
  {
    id: 'null_spike',
    title: 'upstream sends 6% of delays as null',
    how: 'real',
    flights: `SELECT flight_date, CASE WHEN rn % 16 = 0 THEN NULL ELSE delay_minutes END AS delay_minutes,
      distance_miles, origin, destination FROM (SELECT *, row_number() OVER () AS rn FROM flights)`,
    expect: 'quarantine',
  },
  {
    id: 'permission_error',
    title: 'the job role loses s3:GetObject (403 Access Denied)',
    how: 'injected',
    fault: { kind: 'permission', dataset: 'flights', uri: 's3://demo-raw/flights/flights.csv', times: 1 },
    expect: 'escalate',
  },
  {
    id: 'protected_drift',
    title: 'the protected airports table renames name to airport_name',
    how: 'real',
    airports: `SELECT iata, name AS airport_name, city, state, country, latitude, longitude FROM airports`,
    expect: 'escalate',
  },
];

export interface DemoRow {
  scenario: string;
  title: string;
  produced: 'real' | 'injected';
  incident: string;
  finding: string;
  state: string;
  proposal: string;
  guard: string;
  action: string;
  status: string;
  validation: string;
  timeToResolutionMs: number;
}

/**
 * Runs the whole demo in `dir`; returns one row per scenario. With `progress` (a terminal), each
 * scenario and its incident's phases (runs, evidence, profiles, remediation) are drawn as they go.
 */
export async function runDemo(
  dir: string,
  err: (text: string) => void,
  webhook?: WebhookConfig,
  progress?: ProgressReporter,
): Promise<{ rows: DemoRow[]; report: string }> {
  await prepareDir(dir);
  const data = sampleDataDir();
  const pristine = join(dir, 'pristine');
  await mkdir(pristine, { recursive: true });
  await mkdir(join(dir, 'input'), { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const rows: DemoRow[] = [];
  try {
    await conn.run(
      `COPY (SELECT ${FLIGHTS_COLUMNS} FROM read_json(${quoteLiteral(join(data, 'flights-2k.json'))}, format = 'array')) TO ${quoteLiteral(join(pristine, 'flights.csv'))} (HEADER)`,
    );
    await copyFile(join(data, 'airports.csv'), join(pristine, 'airports.csv'));
    await writeFile(join(dir, 'pipeline.yaml'), PIPELINE);
    await writeFile(join(dir, 'schedule.yaml'), SCHEDULE_PIPELINE);
    const faults = new ScriptedFaults();
    const env = await createLocalEnvironment({
      pipelineFile: join(dir, 'pipeline.yaml'),
      pipelineFiles: [join(dir, 'schedule.yaml')],
      faults,
      terminal: err,
      ...(webhook ? { webhook } : {}),
      ...(progress ? { progress } : {}),
    });
    try {
      await restore(pristine, dir);
      // A demo killed earlier in this folder left intents open: finish or undo them first.
      await reconcile(env);
      const first = await env.runner.run(env.spec);
      if (first.status !== 'succeeded')
        throw new Error(`the clean baseline run failed: ${first.errorMessage}`);
      for (const s of SCENARIOS) {
        await restore(pristine, dir);
        await conn.run(
          `CREATE OR REPLACE TABLE flights AS SELECT * FROM read_csv(${quoteLiteral(join(pristine, 'flights.csv'))})`,
        );
        await conn.run(
          `CREATE OR REPLACE TABLE airports AS SELECT * FROM read_csv(${quoteLiteral(join(pristine, 'airports.csv'))})`,
        );
        if (s.flights)
          await conn.run(
            `COPY (${s.flights}) TO ${quoteLiteral(join(dir, 'input', 'flights.csv'))} (HEADER)`,
          );
        if (s.airports)
          await conn.run(
            `COPY (${s.airports}) TO ${quoteLiteral(join(dir, 'input', 'airports.csv'))} (HEADER)`,
          );
        if (s.fault) faults.add(s.fault);
        if (s.late) await rm(join(dir, 'input', 'flights.csv'));
        const spec = s.schedule ? await loadPipelineFile(join(dir, 'schedule.yaml')) : env.spec;
        const scenario = progress?.start(`scenario ${s.id}`);
        const run = await env.runner.run(spec);
        if (run.status === 'succeeded') {
          scenario?.done();
          rows.push(emptyRow(s, 'run succeeded: nothing to heal'));
          continue;
        }
        // The upstream delivers on its own time, while healer is already handling the failure.
        const delivery = s.late
          ? delay(LATE_DELIVERY_MS).then(() =>
              copyFile(join(pristine, 'flights.csv'), join(dir, 'input', 'flights.csv')),
            )
          : undefined;
        const incident = await handleIncident(run.event, env);
        await delivery;
        scenario?.done({ rows: incident.result?.rows?.rowsIn });
        rows.push(toRow(s, incident));
      }
      await restore(pristine, dir);
    } finally {
      await env.close();
    }
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  const report = markdownReport(dir, rows);
  await writeFile(join(dir, 'report.md'), report);
  return { rows, report };
}

async function prepareDir(dir: string): Promise<void> {
  if (existsSync(dir)) {
    const entries = await readdir(dir);
    if (entries.length > 0 && !entries.includes(MARKER))
      throw new InvalidInputError(`${dir} exists and was not made by healer demo; choose another --dir`, {
        context: { file: dir },
      });
    // The demo's state folder is deleted on purpose: its anchored audit head goes with it.
    await forgetAuditAnchor(join(dir, '.healer'));
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MARKER), 'made by healer demo; safe to delete\n');
}

async function restore(pristine: string, dir: string) {
  await copyFile(join(pristine, 'flights.csv'), join(dir, 'input', 'flights.csv'));
  await copyFile(join(pristine, 'airports.csv'), join(dir, 'input', 'airports.csv'));
}

function emptyRow(s: Scenario, status: string): DemoRow {
  return {
    scenario: s.id,
    title: s.title,
    produced: s.how,
    incident: '-',
    finding: '-',
    state: '-',
    proposal: '-',
    guard: '-',
    action: '-',
    status,
    validation: '-',
    timeToResolutionMs: 0,
  };
}

function toRow(s: Scenario, incident: IncidentRecord): DemoRow {
  const d = incident.decision;
  const f = d?.diagnosis.findings.find((x) => x.scope !== 'catalog');
  const c = d?.diagnosis.classification;
  return {
    scenario: s.id,
    title: s.title,
    produced: s.how,
    incident: incident.id,
    finding: `${c?.family ?? '?'}${f ? `; ${f.kind} ${f.column}` : ''}`,
    state: d ? stateKey(d.state) : '-',
    proposal: d?.proposal.action ?? '-',
    guard: d ? (d.verdict.fired.length ? d.verdict.fired.map((r) => r.id).join(',') : 'passed') : '-',
    action: incident.action ?? '-',
    status: incident.status,
    validation: incident.validation
      ? `${incident.validation.status}${incident.result?.rows ? ` (${incident.result.rows.rowsDelivered}+${incident.result.rows.rowsQuarantined}q of ${incident.result.rows.rowsIn})` : ''}`
      : '-',
    timeToResolutionMs: incident.durationMs ?? 0,
  };
}

const HEADER = [
  'scenario',
  'finding',
  'state',
  'proposal',
  'guard',
  'action',
  'outcome',
  'validation',
  'ttr',
];

function cells(r: DemoRow): string[] {
  return [
    r.scenario,
    r.finding,
    r.state,
    r.proposal,
    r.guard,
    r.action,
    r.status,
    r.validation,
    `${(r.timeToResolutionMs / 1000).toFixed(2)} s`,
  ];
}

function markdownReport(dir: string, rows: DemoRow[]): string {
  const line = (c: string[]) => `| ${c.map((x) => x.replaceAll('|', '\\|')).join(' | ')} |`;
  return [
    '# healer demo report',
    '',
    `Pipeline \`${join(dir, 'pipeline.yaml')}\` on 2,000 real flights (BTS) and 3,376 airports (Data.gov).`,
    '',
    line(['scenario', 'how produced', ...HEADER.slice(1)]),
    line(Array(HEADER.length + 1).fill('---')),
    ...rows.map((r) => line([`${r.scenario}: ${r.title}`, r.produced, ...cells(r).slice(1)])),
    '',
    '`real`: the input files were rewritten (or held back, or outgrown by a memory_limit) and DuckDB failed',
    'on them for real. `injected`: a local disk',
    'cannot throttle (503) or deny (403) a read as S3 does, so the runner raised the exact S3 error text.',
    '',
    'Quarantined rows: `.healer/quarantine/<source>/<incident>.parquet`; escalations:',
    '`.healer/escalations/<incident>.json`; audit: `.healer/audit.jsonl` (`healer audit verify`).',
    '',
  ].join('\n');
}

export const register: RegisterCommand = (program, io) => {
  addWebhookOptions(
    program
      .command('demo')
      .description(
        'Build a sample pipeline on real public data, inject eight failures, let healer handle each',
      )
      .option('--dir <dir>', 'folder for the demo (recreated on each run)', 'healer-demo')
      .option('--json', 'print the rows as JSON'),
  ).action(async (options: { dir: string; json?: boolean } & WebhookFlags) => {
    const webhook = webhookConfig(options);
    const dir = resolve(io.cwd, options.dir);
    // Progress on a terminal only, never with --json; escalations print above the progress lines.
    const progress = terminalProgress(io, options.json);
    let rows: DemoRow[];
    try {
      ({ rows } = await runDemo(
        dir,
        progress ? (t) => progress.log(t) : (t) => io.err(t),
        webhook,
        progress,
      ));
    } finally {
      progress?.stop();
    }
    if (options.json) {
      io.out(`${JSON.stringify({ dir, incidents: rows })}\n`);
      return;
    }
    io.out(textTable(HEADER, rows.map(cells)));
    io.out(
      `\nreport: ${join(dir, 'report.md')}\naudit:  healer audit verify --state-dir ${join(dir, '.healer')}\n`,
    );
  });
};

// `healer bench --engine duckdb`: replays a sample of the evaluation incidents for real on the embedded
// runtime (a pipeline per incident in a temp dir, DuckDB, handleIncident) and measures wall-clock MTTR.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteIdent } from '../adapters/duckdb/sql.js';
import { ScriptedFaults } from '../adapters/local/index.js';
import { handleIncident } from '../agent.js';
import { type Action, isActiveAction } from '../core/action.js';
import { authoritySchema } from '../core/authority.js';
import { decide } from '../core/decide.js';
import type { QLearningPolicy } from '../core/policy/q-learning.js';
import type { SchemaField } from '../core/schema.js';
import { validate } from '../core/validate.js';
import { createLocalEnvironment } from '../environments/local-environment.js';
import { EVAL_OFFSET } from './bench.js';
import { FAULTS, type Fault } from './faults.js';
import { remediationResult, simulateAction } from './outcome-model.js';
import { generateIncidents, type SimIncident } from './scenarios.js';
import { type MeanCi, meanCi } from './stats.js';
import type { Row } from './tables.js';
import { DEFAULT_EPOCHS, prepareIncident, trainPolicy } from './train.js';

/**
 * Faults a local disk cannot produce for real (S3 throttling and denials, Glue concurrency, worker
 * OOM or full disks, a bad job argument, a missing upstream partition, an opaque vendor error) and
 * struct changes (a pipeline contract declares scalar columns only): the runner raises the incident's
 * own root error text through its fault injection, as `healer demo` does for the S3 throttle.
 */
export const INJECTED_FAULTS: ReadonlySet<Fault> = new Set<Fault>([
  'throttling',
  'timeout',
  'concurrency_limit',
  'disk_full',
  'oom',
  'permission_denied',
  'expired_token',
  'config_bad_argument',
  'upstream_not_ready',
  'unknown_error',
  'nested_change',
]);

export type EngineStatus = 'resolved' | 'escalated' | 'other' | 'no_failure';

/** One incident replayed on the embedded runtime. */
export interface EngineIncident {
  id: string;
  fault: Fault;
  produced: 'real' | 'injected';
  /** The action executed (after the guard); `-` when the run did not fail. */
  action: Action | '-';
  status: EngineStatus;
  model: { action: Action; status: 'resolved' | 'escalated' | 'other'; minutes: number };
  agrees: boolean;
  /** Wall time from the failed run to a terminal incident status. */
  seconds: number;
  /** The published target file, when the incident was resolved. */
  output?: string;
}

/** The `"duckdb"` key of results.json. */
export interface EngineJson {
  incidents: number;
  resolved: number;
  escalated: number;
  /** Replays whose run did not fail on the embedded runtime (nothing to heal; counted as disagreeing). */
  no_failure: number;
  agreement_with_model: number;
  /** Per fault type: replays, how many failed on DuckDB, and why the others did not. */
  fault_types: Partial<Record<Fault, FaultTypeReplay>>;
  measured_mttr_seconds: MeanCi;
  modelled_mttr_minutes: MeanCi;
}

export interface EngineOptions {
  seed: number;
  /** Incidents per fault type (first ones of the evaluation set). Default 2. */
  perFault?: number;
  trainIncidents?: number;
  evalIncidents?: number;
  episodes?: number;
  /** Keep the per-incident pipelines under this folder (default: a temp dir, removed afterwards). */
  dir?: string;
  /** Only these faults (tests). */
  faults?: readonly Fault[];
}

export interface EngineResult {
  json: EngineJson;
  incidents: EngineIncident[];
}

const AUTHORITY = authoritySchema.parse({});
const NO_USAGE = { retriesThisRun: 0, retriesThisJobLastHour: 0, consecutiveFailedRemediations: 0 };

/** Runs the sample for one seed with the Q-learning policy trained for that seed. */
export async function runDuckdbEngine(options: EngineOptions): Promise<EngineResult> {
  const perFault = options.perFault ?? 2;
  const trainIncidents = options.trainIncidents ?? 300;
  const train = generateIncidents({ seed: options.seed, count: trainIncidents, offset: 0 });
  const q = trainPolicy({
    seed: options.seed,
    episodes: options.episodes ?? DEFAULT_EPOCHS * trainIncidents,
    pool: train,
  });
  const evalSet = generateIncidents({
    seed: options.seed,
    count: options.evalIncidents ?? 150,
    offset: EVAL_OFFSET,
  });
  const wanted = options.faults ?? FAULTS;
  const sample = sampleByFault(options.seed, evalSet, wanted, perFault);

  const root = options.dir ?? (await mkdtemp(join(tmpdir(), 'healer-bench-duckdb-')));
  await mkdir(root, { recursive: true });
  const policyFile = join(root, 'q.policy.json');
  await writeFile(policyFile, JSON.stringify(q.toArtifact({ seed: options.seed, environment: 'sim' })));
  const incidents: EngineIncident[] = [];
  try {
    for (const incident of sample)
      incidents.push(await replay(incident, q, policyFile, join(root, incident.id)));
  } finally {
    if (options.dir === undefined) await rm(root, { recursive: true, force: true });
  }
  return { json: summarise(incidents), incidents };
}

/** How many more evaluation-sized blocks to search for a fault type the evaluation set lacks. */
const EXTRA_BLOCKS = 20;

/**
 * The first `perFault` incidents of each fault type in the evaluation set; a rare type (a few % of
 * the mix) missing from it is taken from the following evaluation indices of the same seed, so
 * every fault type is replayed.
 */
function sampleByFault(
  seed: number,
  evalSet: readonly SimIncident[],
  wanted: readonly Fault[],
  perFault: number,
): SimIncident[] {
  const byFault = new Map<Fault, SimIncident[]>(wanted.map((f) => [f, []]));
  const take = (set: readonly SimIncident[]) => {
    for (const i of set) {
      const got = byFault.get(i.truth.fault);
      if (got && got.length < perFault) got.push(i);
    }
  };
  take(evalSet);
  const size = Math.max(evalSet.length, 50);
  for (let block = 0; block < EXTRA_BLOCKS; block++) {
    if ([...byFault.values()].every((g) => g.length >= perFault)) break;
    take(generateIncidents({ seed, count: size, offset: EVAL_OFFSET + evalSet.length + block * size }));
  }
  return wanted.flatMap((f) => byFault.get(f) ?? []);
}

/**
 * Why a fault type's replays do not fail on the embedded runtime, where the modelled Glue/Spark job
 * fails: the runtime is lenient by design in these cases, and a replay is not a different runtime.
 */
export const NO_FAILURE_REASON: Partial<Record<Fault, string>> = {
  add_column:
    'the runtime reads a source through its catalog version, so an added column is projected away; the modelled Delta write with schema enforcement rejects it',
  type_drift_lossless:
    'text values that parse as the catalog type are typed by value and the run succeeds; Spark reading a Parquet string column as the catalog type fails',
  type_drift_lossy:
    'integers are valid values of a double column, so the run succeeds (the cents were lost upstream); Spark fails on the Parquet INT64-vs-DOUBLE mismatch',
};

/** Per fault type: how many replays ran, how many failed on DuckDB, and why not when some did not. */
export interface FaultTypeReplay {
  replayed: number;
  failed: number;
  produced: 'real' | 'injected';
  why?: string;
}

function faultTypes(incidents: readonly EngineIncident[]): Partial<Record<Fault, FaultTypeReplay>> {
  const out: Partial<Record<Fault, FaultTypeReplay>> = {};
  for (const i of incidents) {
    const t = out[i.fault] ?? { replayed: 0, failed: 0, produced: i.produced };
    t.replayed++;
    if (i.status !== 'no_failure') t.failed++;
    out[i.fault] = t;
  }
  for (const [fault, t] of Object.entries(out) as [Fault, FaultTypeReplay][])
    if (t.failed < t.replayed)
      t.why =
        NO_FAILURE_REASON[fault] ?? 'not explained: a replay that should fail did not (a bug to look at)';
  return out;
}

function summarise(incidents: EngineIncident[]): EngineJson {
  const resolved = incidents.filter((i) => i.status === 'resolved');
  return {
    fault_types: faultTypes(incidents),
    incidents: incidents.length,
    resolved: resolved.length,
    escalated: incidents.filter((i) => i.status === 'escalated').length,
    no_failure: incidents.filter((i) => i.status === 'no_failure').length,
    agreement_with_model:
      incidents.length === 0 ? 0 : incidents.filter((i) => i.agrees).length / incidents.length,
    measured_mttr_seconds: meanCi(resolved.map((i) => i.seconds)),
    modelled_mttr_minutes: meanCi(
      incidents.filter((i) => i.model.status === 'resolved').map((i) => i.model.minutes),
    ),
  };
}

/** What the sim model predicts for the incident under the same policy (guard on, fresh budgets). */
function predict(incident: SimIncident, q: QLearningPolicy): EngineIncident['model'] {
  const p = prepareIncident(incident);
  const decision = decide({
    diagnosis: p.diagnosis,
    policy: q,
    capabilities: p.capabilities,
    authority: AUTHORITY,
    usage: NO_USAGE,
    guard: 'on',
  });
  const action = decision.verdict.final;
  const outcome = simulateAction(incident, action);
  if (!isActiveAction(action))
    return { action, status: action === 'escalate' ? 'escalated' : 'other', minutes: outcome.minutes };
  const result = remediationResult(incident, outcome);
  const v = validate({ action, result, contract: incident.contract });
  return { action, status: v.status === 'resolved' ? 'resolved' : 'escalated', minutes: outcome.minutes };
}

/** Contract columns a pipeline file can declare (top-level scalars; structs are not contract types). */
function scalarColumns(fields: readonly SchemaField[]): SchemaField[] {
  return fields.filter((f) => !f.path.includes('.') && f.type !== 'struct');
}

function pipelineYaml(incident: SimIncident): string {
  const c = incident.contract;
  const cols = scalarColumns(c.schema.fields);
  const name = JSON.stringify(c.dataset);
  const columns = cols
    .map((f) => `        ${JSON.stringify(f.path)}: { type: ${f.type}, nullable: ${f.nullable} }`)
    .join('\n');
  // No casts: the runner types each value against the catalog version (one that does not parse
  // fails the run), and the target keeps the schema its first run published, as a typed table
  // (Delta, a Glue catalog table) does: a catalog version that retypes a column changes the
  // output's type and the write fails for real (target_schema) instead of being cast back.
  const select = cols.map((f) => quoteIdent(f.path)).join(', ');
  return `# Replays sim incident ${incident.id} (${incident.truth.fault}) on the embedded runtime.
name: ${JSON.stringify(`${c.dataset}-etl`)}
sources:
  ${name}:
    path: ${JSON.stringify(`input/${c.dataset}.ndjson`)}
    format: ndjson
    contract:
      columns:
${columns}
      keys: ${JSON.stringify(c.keys)}
      protected: ${c.protected}
transform: ${JSON.stringify(`SELECT ${select} FROM ${quoteIdent(c.dataset)}`)}
target:
  path: output/${c.dataset}.parquet
authority:
  mode: autonomous
  allowedActions: [retry, coerce_schema, rollback_schema, quarantine]
retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100 }
`;
}

async function writeRows(file: string, rows: readonly Row[]): Promise<void> {
  await writeFile(
    file,
    rows
      .map((r) => JSON.stringify(r))
      .join('\n')
      .concat('\n'),
  );
}

async function replay(
  incident: SimIncident,
  q: QLearningPolicy,
  policyFile: string,
  dir: string,
): Promise<EngineIncident> {
  const fault = incident.truth.fault;
  const injected = INJECTED_FAULTS.has(fault);
  const model = predict(incident, q);
  await mkdir(join(dir, 'input'), { recursive: true });
  await writeFile(join(dir, 'pipeline.yaml'), pipelineYaml(incident));
  const input = join(dir, 'input', `${incident.contract.dataset}.ndjson`);
  await writeRows(input, incident.baselineRows);
  const faults = new ScriptedFaults();
  const env = await createLocalEnvironment({
    pipelineFile: join(dir, 'pipeline.yaml'),
    policy: policyFile,
    faults,
    terminal: false,
  });
  const base = {
    id: incident.id,
    fault,
    produced: injected ? ('injected' as const) : ('real' as const),
    model,
  };
  try {
    const first = await env.runner.run(env.spec);
    if (first.status !== 'succeeded')
      throw new Error(`${incident.id}: the baseline run failed: ${first.errorMessage}`);
    if (injected) {
      // The incident's own root error, raised by the runner; it clears after one read when the
      // ground truth says a retry fixes it (a flake, a partition landing), else it persists.
      const clears = incident.truth.fixing.includes('retry');
      faults.add({
        kind: incident.truth.family === 'permission' ? 'permission' : 'transient',
        dataset: incident.contract.dataset,
        uri: `s3://acme-lake-raw/${incident.contract.dataset}/`,
        times: clears ? 1 : 100,
        message: incident.event.errorMessage ?? 'job failed',
      });
      if (incident.currentRows) await writeRows(input, incident.currentRows);
    } else {
      if (incident.currentRows) await writeRows(input, incident.currentRows);
      const bad = incident.schemaVersions.length > 2 ? incident.schemaVersions.at(-1) : undefined;
      // catalog_bad_publish: a bad schema version really lands in the catalog after the good run.
      if (bad) await env.catalog.publishSchema(bad, 'bad publish (sim)', env.clock.now());
    }
    const run = await env.runner.run(env.spec);
    if (run.status === 'succeeded')
      return { ...base, action: '-', status: 'no_failure', agrees: false, seconds: 0 };
    const started = performance.now();
    const record = await handleIncident(run.event, env);
    const seconds = (performance.now() - started) / 1000;
    const status: EngineStatus =
      record.status === 'resolved' ? 'resolved' : record.status === 'escalated' ? 'escalated' : 'other';
    return {
      ...base,
      action: record.action ?? '-',
      status,
      agrees: status === model.status,
      seconds,
      ...(status === 'resolved' && existsSync(env.spec.target.location)
        ? { output: env.spec.target.location }
        : {}),
    };
  } finally {
    await env.close();
  }
}

const fmt = (s: MeanCi, digits: number) =>
  Number.isNaN(s.mean) ? 'n/a' : `${s.mean.toFixed(digits)} ± ${s.ci95.toFixed(digits)}`;

function rowCells(i: EngineIncident): string[] {
  return [
    i.fault,
    i.produced,
    i.action,
    i.status,
    `${i.model.action}/${i.model.status}`,
    i.agrees ? 'yes' : 'no',
    i.status === 'no_failure' ? '-' : i.seconds.toFixed(2),
  ];
}

const HEAD = ['fault', 'produced', 'action', 'status', 'model', 'agrees', 'seconds'];

function summaryLines(r: EngineResult, seed: number): string[] {
  const j = r.json;
  return [
    `${j.incidents} incidents of seed ${seed} replayed on DuckDB: ${j.resolved} resolved, ${j.escalated} escalated, ${j.no_failure} did not fail on the embedded runtime`,
    `agreement with the sim model: ${(j.agreement_with_model * 100).toFixed(1)}%`,
    `measured MTTR (resolved): ${fmt(j.measured_mttr_seconds, 2)} s; modelled MTTR (model-resolved): ${fmt(j.modelled_mttr_minutes, 2)} min`,
  ];
}

/** One row per fault type: fails on duckdb yes/no/partly, and why not. */
function faultTypeRows(r: EngineResult): string[][] {
  const rows = [['fault type', 'replays', 'fails on duckdb', 'why not']];
  for (const [fault, t] of Object.entries(r.json.fault_types) as [Fault, FaultTypeReplay][]) {
    const verdict = t.failed === t.replayed ? 'yes' : t.failed === 0 ? 'no' : 'partly';
    rows.push([
      fault,
      String(t.replayed),
      `${verdict} (${t.failed}/${t.replayed}${t.produced === 'injected' ? ', injected' : ''})`,
      t.why ?? '',
    ]);
  }
  return rows;
}

/** The terminal section of `healer bench --engine duckdb`. */
export function renderEngineTerminal(r: EngineResult, seed: number): string {
  const rows = [HEAD, ...r.incidents.map(rowCells)];
  const widths = HEAD.map((_, k) => Math.max(...rows.map((c) => (c[k] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((x, k) => x.padEnd(widths[k] ?? 0))
      .join('  ')
      .trimEnd();
  const types = faultTypeRows(r);
  const typeWidths = types[0]!.map((_, k) => Math.max(...types.map((c) => (c[k] ?? '').length)));
  const typeLine = (c: string[]) =>
    c
      .map((x, k) => x.padEnd(typeWidths[k] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    '',
    'DuckDB engine (real runs)',
    ...rows.map(line),
    ...summaryLines(r, seed),
    '',
    ...types.map(typeLine),
    '',
  ].join('\n');
}

/** The report.md section of `healer bench --engine duckdb`. */
export function renderEngineMarkdown(r: EngineResult, seed: number): string {
  const line = (c: string[]) => `| ${c.join(' | ')} |`;
  return [
    '',
    '## DuckDB engine: a sample replayed for real',
    '',
    ...summaryLines(r, seed).map((s) => `- ${s}`),
    '',
    line(HEAD),
    line(HEAD.map(() => '---')),
    ...r.incidents.map((i) => line(rowCells(i))),
    '',
    '### Per fault type: does the replay fail on DuckDB?',
    '',
    ...faultTypeRows(r).flatMap((c, k) => (k === 0 ? [line(c), line(c.map(() => '---'))] : [line(c)])),
    '',
    '`real`: the rows were written to disk and DuckDB failed on them. `injected`: a local disk cannot',
    'throttle, deny, run out of memory or miss a partition as S3/Glue do (and a pipeline contract has no',
    'struct type), so the runner raised the incident’s own error text through its fault injection.',
    '',
  ].join('\n');
}

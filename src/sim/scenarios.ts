// The seeded scenario generator: incidents as real evidence (baseline and current rows, catalog
// schema versions, job logs) with one or more faults injected into them, plus the ground truth of
// what was injected and which allowed actions would truly fix it or would be unsafe.

import type { Action } from '../core/action.js';
import type { DatasetContract } from '../core/contract.js';
import type { FailureEvent } from '../core/event.js';
import type { FailureFamily } from '../core/failure-family.js';
import type { FindingKind } from '../core/finding.js';
import { createRng, type Rng } from '../core/policy/rng.js';
import { DPU_PER_WORKER, nextScaleStep, type ResourceSettings } from '../core/resources.js';
import type { LogicalType, SchemaField, TableSchema } from '../core/schema.js';
import { FAULT_FAMILY, FAULT_WEIGHT, FAULTS, type Fault } from './faults.js';
import { buildLog, type LogSpec, type LogStyle } from './log-builder.js';
import { contractBadRows, valueAt } from './profiler.js';
import { RETRY_WINDOW_SECONDS, SIM_AUTHORITY, SIM_RESOURCE_CAPS } from './sim-authority.js';
import { field, makeRows, type Row, SIM_TABLES, type SimTable } from './tables.js';

/** One injected anomaly: what a detector should find (kind and column, as `Finding` names them). */
export interface InjectedAnomaly {
  kind: FindingKind;
  column: string;
}

/** What was truly done to the incident, and what would truly help. */
export interface GroundTruth {
  fault: Fault;
  family: FailureFamily;
  anomalies: InjectedAnomaly[];
  protectedDataset: boolean;
  /** Share of current rows that break the contract (0 when the data is fine or absent). */
  badRowFraction: number;
  /** Allowed actions that would resolve the incident; empty when only a human can. */
  fixing: Action[];
  /** Actions that would do harm if executed (touch protected data, lose values, retry a denial...). */
  unsafe: Action[];
  /** Rows whose values an unsafe lossy action would destroy, per action. */
  rowsLostBy: Partial<Record<Action, number>>;
  /** Tags of the hard cases this incident contains (`subtle`, `near_threshold`, `misleading_log`, `multi_fault`). */
  hard: string[];
  /**
   * Memory (MB on DuckDB, DPUs on Glue) the job truly needs to finish, for out-of-memory faults:
   * `scale_resources` fixes the incident when its one step reaches it.
   */
  resourceNeed?: number;
  /** Seconds until the condition clears (the input lands, the throttle or the full slot passes). */
  delaySeconds?: number;
}

/** One generated incident: the evidence the environment serves, and its ground truth. */
export interface SimIncident {
  id: string;
  index: number;
  table: SimTable;
  event: FailureEvent;
  log: string;
  contract: DatasetContract;
  /** Catalog schema versions, oldest first. */
  schemaVersions: TableSchema[];
  baselineRows: Row[];
  /** Undefined when the input is not there (upstream not ready). */
  currentRows?: Row[];
  /** The schema the current data was written with (what the engine infers). */
  currentSchema: TableSchema;
  /** `parquet`, or `csv` for text batches read with the declared schema. */
  currentFormat: string;
  /** Modelled duration of one job run, minutes (for the MTTR model). */
  runMinutes: number;
  /** The resources the failed run had (out-of-memory faults); what `scale_resources` steps up from. */
  resources?: ResourceSettings;
  truth: GroundTruth;
}

export interface GenerateOptions {
  seed: number;
  count: number;
  /** Offset of incident indexes: train and evaluation sets use disjoint ranges. */
  offset?: number;
  /** Share of incidents on a protected dataset. Default 0.08. */
  protectedShare?: number;
  /** Rows per baseline batch (the current batch is 85-115% of it). Default 500. */
  rows?: number;
  /** Only these faults (tests). */
  faults?: readonly Fault[];
}

const ALL_ACTIVE: Action[] = [
  'retry',
  'coerce_schema',
  'rollback_schema',
  'quarantine',
  'scale_resources',
  'defer',
];
/** The blast-radius limit the simulated pipelines declare (authority quarantineMaxFraction). */
export const SIM_QUARANTINE_LIMIT = 0.1;

/** Generates `count` incidents, deterministically for (seed, offset). */
export function generateIncidents(options: GenerateOptions): SimIncident[] {
  const out: SimIncident[] = [];
  const offset = options.offset ?? 0;
  for (let i = 0; i < options.count; i++) out.push(generateIncident(options, offset + i));
  return out;
}

/** Generates the incident with this index; its own RNG stream makes it independent of the others. */
export function generateIncident(options: Omit<GenerateOptions, 'count'>, index: number): SimIncident {
  const rng = createRng(mix(options.seed, index));
  const faults = options.faults ?? FAULTS;
  const fault = weighted(rng, faults);
  const protectedDataset = rng.next() < (options.protectedShare ?? 0.08);
  const misleading = rng.next() < 0.15;
  return inject(rng, fault, index, options.seed, options.rows ?? 500, protectedDataset, misleading);
}

/**
 * The last good batches of a table: per seed and table a few batches every incident draws from (as
 * incidents of one table on one day share its last good input). Cached: their profiles are too.
 */
const BASELINES_PER_TABLE = 8;
const baselines = new Map<string, Row[]>();
function baselineBatch(table: SimTable, seed: number, k: number, n: number): Row[] {
  const key = `${seed}|${table.name}|${k}|${n}`;
  let rows = baselines.get(key);
  if (!rows) {
    rows = makeRows(table, createRng(mix(seed ^ 0xba5e, k * 31 + table.name.length)), n, 0);
    if (baselines.size > 2000) baselines.clear();
    baselines.set(key, rows);
  }
  return rows;
}

function mix(seed: number, index: number): number {
  let h = (seed * 0x9e3779b1) ^ (index * 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  return (h ^ (h >>> 15)) >>> 0;
}

function weighted(rng: Rng, faults: readonly Fault[]): Fault {
  const total = faults.reduce((s, f) => s + FAULT_WEIGHT[f], 0);
  let x = rng.next() * total;
  for (const f of faults) {
    x -= FAULT_WEIGHT[f];
    if (x < 0) return f;
  }
  return faults[faults.length - 1]!;
}

function pickOf<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function withFields(schema: TableSchema, fields: SchemaField[], version?: string): TableSchema {
  return { name: schema.name, ...(version ? { version } : {}), fields };
}

interface Draft {
  currentRows?: Row[];
  currentSchema: TableSchema;
  currentFormat: string;
  schemaVersions: TableSchema[];
  causes: string[];
  wrapper?: string;
  style: LogStyle;
  anomalies: InjectedAnomaly[];
  fixing: Action[];
  unsafe: Action[];
  rowsLostBy: Partial<Record<Action, number>>;
  badRows: number;
  hard: string[];
  resources?: ResourceSettings;
  resourceNeed?: number;
  delaySeconds?: number;
}

/** What a run prints when its input is not there (yet), in its engine's own words. */
function missingInputError(style: LogStyle, bucket: string): string {
  return style === 'duckdb'
    ? `IO Error: No files found that match the pattern "${bucket}/*.parquet"`
    : `org.apache.spark.sql.AnalysisException: [PATH_NOT_FOUND] Path does not exist: ${bucket}.`;
}

function inject(
  rng: Rng,
  fault: Fault,
  index: number,
  seed: number,
  rowsBase: number,
  protectedDataset: boolean,
  misleading: boolean,
): SimIncident {
  const table = pickOf(
    rng,
    SIM_TABLES.filter((t) => supports(t, fault)),
  );
  const contractSchema = table.schema;
  const nBase = rowsBase;
  const nCur = Math.round(nBase * (0.85 + rng.next() * 0.3));
  const baselineRows = baselineBatch(table, seed, rng.int(BASELINES_PER_TABLE), nBase);
  const rows = makeRows(table, rng, nCur, nBase);
  // v0: the table before its last nullable column was added (an old, compatible evolution); v1: the contract.
  const added = contractSchema.fields.filter((f) => f.nullable && f.type !== 'struct').at(-1)?.path;
  const v0 = withFields(
    contractSchema,
    contractSchema.fields.filter((f) => f.path !== added),
    'v0',
  );
  const v1 = withFields(contractSchema, contractSchema.fields, 'v1');
  const bucket = `s3://acme-lake-raw/${table.name}/dt=2026-10-${String(1 + (index % 28)).padStart(2, '0')}`;
  const d: Draft = {
    currentRows: rows,
    currentSchema: withFields(contractSchema, contractSchema.fields),
    currentFormat: 'parquet',
    schemaVersions: [v0, v1],
    causes: [],
    style: pickOf(rng, ['glue_pyspark', 'glue_pyspark', 'spark', 'duckdb'] as const),
    anomalies: [],
    fixing: [],
    unsafe: [],
    rowsLostBy: {},
    badRows: 0,
    hard: [],
  };
  const scalarCols = contractSchema.fields.filter((f) => !f.path.includes('.') && f.type !== 'struct');

  const injectNulls = (fraction: number): string => {
    const col = pickOf(rng, table.required);
    const k = Math.max(1, Math.round(fraction * nCur));
    for (const i of sampleIndexes(rng, nCur, k)) rows[i]![col] = null;
    d.anomalies.push({ kind: 'null_rate_spike', column: col });
    d.badRows += k;
    return col;
  };
  const injectDuplicates = (fraction: number): string => {
    const key = table.keys[0]!;
    const k = Math.max(1, Math.round(fraction * nCur));
    // Replace k rows by copies of other rows' keys (a re-delivered upstream file).
    const targets = sampleIndexes(rng, nCur, k);
    for (const i of targets) {
      let j = rng.int(nCur);
      while (targets.includes(j)) j = rng.int(nCur);
      rows[i]![key] = rows[j]![key];
    }
    d.anomalies.push({ kind: 'duplicate_keys', column: table.keys.join(',') });
    d.badRows += k;
    return key;
  };

  // A condition that clears by itself after `seconds`: a retry rides it out within its backoff, a
  // defer within its bound (waiting needs the input's arrival or the throttle as its condition).
  const waitFor = (seconds: number) => {
    d.delaySeconds = seconds;
    if (seconds <= RETRY_WINDOW_SECONDS) d.fixing.push('retry');
    if (seconds <= SIM_AUTHORITY.defer.maxWaitSeconds) d.fixing.push('defer');
  };
  // The batch outgrew the job's memory by 20-90%: one step of scale_resources (a doubling within
  // the caps) fixes it; a job already at its caps has no step and needs a human.
  const needMore = (r: Rng, capacity: (s: ResourceSettings) => number) => {
    const have = capacity(d.resources!);
    d.resourceNeed = Math.round(have * (1.2 + r.next() * 0.7));
    const step = nextScaleStep(d.resources!, SIM_RESOURCE_CAPS);
    if (step && capacity(step.after) >= d.resourceNeed) d.fixing = ['scale_resources'];
  };

  switch (fault) {
    case 'throttling':
      d.causes.push(
        pickOf(rng, [
          'com.amazonaws.services.glue.model.AWSGlueException: Rate exceeded (Service: AWSGlue; Status Code: 400; Error Code: ThrottlingException; Request ID: 6f1c2b7e-9d4a-4c1e-8e2f-1a2b3c4d5e6f)',
          `com.amazonaws.services.s3.model.AmazonS3Exception: Please reduce your request rate. (Service: Amazon S3; Status Code: 503; Error Code: SlowDown; Request ID: ${hex(rng, 16)})`,
        ]),
      );
      // Most throttles pass within a retry's backoff; one in five is a storm that lasts minutes.
      waitFor(rng.next() < 0.8 ? 1 + rng.int(30) : 120 + rng.int(480));
      break;
    case 'timeout':
      d.causes.push(
        pickOf(rng, [
          'java.net.SocketTimeoutException: Read timed out',
          'java.util.concurrent.TimeoutException: Futures timed out after [300 seconds]',
        ]),
      );
      d.fixing = ['retry'];
      break;
    case 'concurrency_limit':
      d.style = 'glue_pyspark';
      d.causes.push(
        `com.amazonaws.services.glue.model.ConcurrentRunsExceededException: Concurrent runs exceeded for ${table.name}-etl (Service: AWSGlue; Status Code: 400)`,
      );
      // A slot frees when the running instance finishes: seconds to several minutes.
      waitFor(10 + rng.int(290));
      break;
    case 'disk_full':
      d.causes.push(`java.io.IOException: No space left on device`);
      d.wrapper =
        'org.apache.spark.SparkException: Job aborted due to stage failure: Task 31 in stage 7.0 failed 4 times';
      // Glue workers are ephemeral: the next run gets fresh local disks.
      d.fixing = ['retry'];
      break;
    case 'oom':
      d.causes.push(
        pickOf(rng, [
          'java.lang.OutOfMemoryError: Java heap space',
          'org.apache.spark.SparkException: Container killed by YARN for exceeding memory limits. 12.4 GB of 12 GB physical memory used.',
        ]),
      );
      // The same run on the same workers runs out of memory again; only more workers help.
      d.resources = { workers: pickOf(rng, [5, 10, 20, 40]), workerType: 'G.1X' };
      needMore(rng, (r) => (r.workers ?? 0) * DPU_PER_WORKER[r.workerType ?? 'G.1X']);
      break;
    case 'memory_pressure':
      // DuckDB's own error under a memory_limit with no temp_directory to spill to (real text).
      d.style = 'duckdb';
      // Threads are left alone: more threads need more memory, never less.
      d.resources = { memoryMb: pickOf(rng, [512, 1024, 2048, 4096, 8192]) };
      d.causes.push(
        `Out of Memory Error: failed to allocate data of size ${pickOf(rng, ['96.0 KiB', '256.0 KiB', '2.0 MiB'])} (${((d.resources.memoryMb ?? 0) / 1024 - 0.05).toFixed(1)} GiB/${((d.resources.memoryMb ?? 0) / 1024).toFixed(1)} GiB used)`,
      );
      needMore(rng, (r) => r.memoryMb ?? 0);
      break;
    case 'permission_denied':
      d.causes.push(
        `com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: ${hex(rng, 16)})`,
      );
      d.unsafe.push('retry');
      break;
    case 'expired_token':
      d.causes.push(
        'com.amazonaws.services.s3.model.AmazonS3Exception: The provided token has expired. (Service: Amazon S3; Status Code: 400; Error Code: ExpiredToken)',
      );
      d.unsafe.push('retry');
      break;
    case 'config_bad_argument':
      d.style = 'glue_pyspark';
      d.causes.push(
        pickOf(rng, [
          `${table.name}_etl.py: error: the following arguments are required: --target_path`,
          "org.apache.spark.sql.catalyst.parser.ParseException: [PARSE_SYNTAX_ERROR] Syntax error at or near 'FORM'",
        ]),
      );
      break;
    case 'upstream_not_ready':
      d.currentRows = undefined;
      d.causes.push(missingInputError(d.style, bucket));
      // The upstream partition lands within the retry backoff.
      waitFor(5 + rng.int(RETRY_WINDOW_SECONDS - 5));
      break;
    case 'late_upstream':
      d.currentRows = undefined;
      d.causes.push(missingInputError(d.style, bucket));
      // Minutes late (a defer within its bound waits for it); one in four lands hours late.
      waitFor(rng.next() < 0.75 ? 90 + rng.int(700) : 3600 + rng.int(7200));
      break;
    case 'unknown_error':
      d.causes.push(
        pickOf(rng, [
          `com.acme.lake.ReconcileException: ledger checksum ${hex(rng, 8)} does not match control total`,
          'java.lang.IllegalStateException: unexpected partition spec state in commit coordinator',
          `RuntimeError: vendored transform returned status 7 (${hex(rng, 6)})`,
        ]),
      );
      break;
    case 'rename': {
      const col = pickOf(
        rng,
        scalarCols.filter((f) => !table.keys.includes(f.path)),
      );
      const caseOnly = camel(col.path) !== col.path;
      const to = caseOnly ? camel(col.path) : `${col.path}_v2`;
      renameColumn(rows, d, col.path, to);
      d.causes.push(unresolved(col.path, d.currentSchema));
      if (caseOnly) {
        // Issue 2: a case/separator change with the same type and values is a rename; coercion maps it back.
        d.hard.push('subtle');
        d.anomalies.push({ kind: 'field_renamed', column: to });
        d.fixing = ['coerce_schema'];
      } else {
        // Any other new name is not evidence of a rename (issue 2): the honest finding is the old
        // field removed and a new one added, and no automatic coercion may guess the mapping. Coercing
        // would deliver the contract column empty (or be refused when it is required): unsafe, and
        // every value the renamed column carried is lost.
        d.anomalies.push({ kind: 'field_removed', column: col.path }, { kind: 'field_added', column: to });
        d.unsafe.push('coerce_schema');
        d.rowsLostBy.coerce_schema = rows.filter((r) => r[to] !== null && r[to] !== undefined).length;
      }
      break;
    }
    case 'drop_column': {
      const col = pickOf(
        rng,
        table.required.map((p) => contractSchema.fields.find((f) => f.path === p)!),
      );
      for (const r of rows) delete r[col.path];
      d.currentSchema = withFields(
        contractSchema,
        d.currentSchema.fields.filter((f) => f.path !== col.path),
      );
      d.anomalies.push({ kind: 'field_removed', column: col.path });
      d.causes.push(unresolved(col.path, d.currentSchema));
      // Coercion would deliver rows without a required column.
      d.unsafe.push('coerce_schema');
      break;
    }
    case 'add_column': {
      const col = pickOf(rng, ['source_system', 'ingest_batch', 'discount_code']);
      for (const r of rows) r[col] = rng.next() < 0.5 ? null : `x-${rng.int(50)}`;
      d.currentSchema = withFields(contractSchema, [...d.currentSchema.fields, field(col, 'string', true)]);
      d.anomalies.push({ kind: 'field_added', column: col });
      d.style = 'glue_pyspark';
      d.causes.push(
        `org.apache.spark.sql.AnalysisException: A schema mismatch detected when writing to the Delta table (Table ID: ${hex(rng, 8)}). To enable schema migration using DataFrameWriter or DataStreamWriter, please set: '.option("mergeSchema", "true")'.`,
      );
      // Projecting the batch onto the contract drops the unexpected column (it is not in the contract).
      d.fixing = ['coerce_schema'];
      d.hard.push('subtle');
      break;
    }
    case 'nested_change': {
      for (const r of rows) delete (r.address as Record<string, unknown>).zip;
      d.currentSchema = withFields(
        contractSchema,
        d.currentSchema.fields.filter((f) => f.path !== 'address.zip'),
      );
      d.anomalies.push({ kind: 'nested_changed', column: 'address.zip' });
      d.causes.push('org.apache.spark.sql.AnalysisException: No such struct field zip in city');
      d.unsafe.push('coerce_schema');
      break;
    }
    case 'catalog_bad_publish': {
      const col = pickOf(rng, table.required);
      const retype = rng.next() < 0.5;
      const bad = retype
        ? contractSchema.fields.map((f) =>
            f.path === col ? field(f.path, f.type === 'string' ? 'int64' : 'string', f.nullable) : f,
          )
        : contractSchema.fields.filter((f) => f.path !== col);
      d.schemaVersions = [v0, v1, withFields(contractSchema, bad, 'v2')];
      d.anomalies.push({ kind: retype ? 'type_changed' : 'field_removed', column: col });
      d.causes.push(
        retype
          ? `org.apache.spark.sql.execution.QueryExecutionException: Parquet column cannot be converted in file ${bucket}/part-00003.snappy.parquet. Column: [${col}], Expected: ${bad.find((f) => f.path === col)!.type}, Found: ${physical(contractSchema.fields.find((f) => f.path === col)!.type)}`
          : unresolved(col, withFields(contractSchema, bad)),
      );
      d.fixing = ['rollback_schema'];
      break;
    }
    case 'type_drift_lossless':
    case 'type_drift_lossy': {
      const lossy = fault === 'type_drift_lossy';
      // Lossy: an upstream writer rounded a double column to integers (the cents are gone).
      const candidates = contractSchema.fields.filter(
        (f) => f.type === 'double' || (!lossy && f.type === 'int64' && !table.keys.includes(f.path)),
      );
      const col = pickOf(rng, candidates);
      let to: LogicalType;
      let lost = 0;
      if (!lossy) {
        to = 'string';
        for (const r of rows) if (r[col.path] !== null) r[col.path] = String(r[col.path]);
      } else if (col.type === 'double') {
        to = 'int64';
        for (const r of rows) {
          const v = r[col.path];
          if (typeof v === 'number') {
            if (!Number.isInteger(v)) lost++;
            r[col.path] = Math.round(v);
          }
        }
      } else throw new Error(`sim: no lossy drift for ${col.path}`);
      d.currentSchema = withFields(
        contractSchema,
        d.currentSchema.fields.map((f) => (f.path === col.path ? field(f.path, to, f.nullable) : f)),
      );
      d.anomalies.push({ kind: 'type_changed', column: col.path });
      d.causes.push(
        `org.apache.spark.sql.execution.QueryExecutionException: Parquet column cannot be converted in file ${bucket}/part-00001.snappy.parquet. Column: [${col.path}], Expected: ${col.type}, Found: ${physical(to)}`,
      );
      if (lossy) {
        d.unsafe.push('coerce_schema');
        d.rowsLostBy.coerce_schema = lost;
      } else d.fixing = ['coerce_schema'];
      break;
    }
    case 'type_drift_stray_text': {
      // An upstream export turned a numeric column into text and writes a word where it has no
      // number (a cancelled flight's delay, a missing reading): most values still parse.
      const col = pickOf(
        rng,
        contractSchema.fields.filter(
          (f) => (f.type === 'double' || f.type === 'int64') && !table.keys.includes(f.path),
        ),
      );
      for (const r of rows) if (r[col.path] !== null) r[col.path] = String(r[col.path]);
      const fraction = rng.next() < 0.7 ? 0.02 + rng.next() * 0.06 : 0.15 + rng.next() * 0.4;
      const k = Math.max(1, Math.round(fraction * nCur));
      const word = pickOf(rng, ['CANCELLED', 'n/a', 'TBD', 'unknown', '-']);
      for (const i of sampleIndexes(rng, nCur, k)) rows[i]![col.path] = word;
      d.currentSchema = withFields(
        contractSchema,
        d.currentSchema.fields.map((f) => (f.path === col.path ? field(f.path, 'string', f.nullable) : f)),
      );
      d.anomalies.push(
        { kind: 'type_changed', column: col.path },
        { kind: 'validity_drop', column: col.path },
      );
      d.badRows += k;
      // What the engines really raise: the transform cannot aggregate text (DuckDB's binder), or the
      // Parquet reader finds a BINARY column where the table says a number.
      d.causes.push(
        d.style === 'duckdb'
          ? `Binder Error: No function matches the given name and argument types 'sum(VARCHAR)'. You might need to add explicit type casts.`
          : `org.apache.spark.sql.execution.QueryExecutionException: Parquet column cannot be converted in file ${bucket}/part-00002.snappy.parquet. Column: [${col.path}], Expected: ${col.type}, Found: BINARY`,
      );
      break;
    }
    case 'null_spike': {
      const near = rng.next() < 0.35;
      const fraction = near
        ? 0.06 + rng.next() * 0.06
        : pickOf(rng, [0.02 + rng.next() * 0.06, 0.15 + rng.next() * 0.6]);
      if (near) d.hard.push('near_threshold');
      const col = injectNulls(fraction);
      d.causes.push(
        d.style === 'duckdb'
          ? `Constraint Error: NOT NULL constraint failed: ${table.name}.${col}`
          : `java.lang.RuntimeException: Null value appeared in non-nullable field: top level row object, field ${col}`,
      );
      break;
    }
    case 'invalid_values': {
      const col = pickOf(rng, table.parseable);
      const fraction = rng.next() < 0.6 ? 0.02 + rng.next() * 0.07 : 0.12 + rng.next() * 0.5;
      const k = Math.max(1, Math.round(fraction * nCur));
      let example = '';
      for (const i of sampleIndexes(rng, nCur, k)) {
        const v = rows[i]![col];
        const bad =
          typeof v === 'number' ? `${v} USD` : `${String(v).slice(0, 10).split('-').reverse().join('/')}`;
        rows[i]![col] = bad;
        example ||= bad;
      }
      d.currentFormat = 'csv';
      d.anomalies.push({ kind: 'validity_drop', column: col });
      d.badRows += k;
      d.causes.push(
        contractSchema.fields.find((f) => f.path === col)!.type === 'double' ||
          contractSchema.fields.find((f) => f.path === col)!.type === 'int64'
          ? `java.lang.NumberFormatException: For input string: "${example}"`
          : `java.time.format.DateTimeParseException: Text '${example}' could not be parsed at index 0`,
      );
      break;
    }
    case 'duplicate_keys': {
      const fraction = rng.next() < 0.6 ? 0.01 + rng.next() * 0.07 : 0.12 + rng.next() * 0.3;
      const key = injectDuplicates(fraction);
      d.causes.push(
        d.style === 'duckdb'
          ? `Constraint Error: Duplicate key "${key}: ${valueAt(rows[0]!, key)}" violates primary key constraint.`
          : '[DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE] Cannot perform Merge as multiple source rows matched and attempted to modify the same target row in the Delta table in possibly conflicting ways.',
      );
      break;
    }
    case 'multi_quality': {
      d.hard.push('multi_fault');
      const col = injectNulls(0.01 + rng.next() * 0.05);
      injectDuplicates(0.01 + rng.next() * 0.04);
      d.causes.push(
        `java.lang.RuntimeException: Null value appeared in non-nullable field: top level row object, field ${col}`,
      );
      break;
    }
    case 'multi_schema': {
      d.hard.push('multi_fault');
      const numeric = contractSchema.fields.filter(
        (f) => (f.type === 'double' || f.type === 'int64') && !table.keys.includes(f.path),
      );
      const typed = pickOf(rng, numeric);
      for (const r of rows) if (r[typed.path] !== null) r[typed.path] = String(r[typed.path]);
      d.currentSchema = withFields(
        contractSchema,
        d.currentSchema.fields.map((f) => (f.path === typed.path ? field(f.path, 'string', f.nullable) : f)),
      );
      d.anomalies.push({ kind: 'type_changed', column: typed.path });
      const others = scalarCols.filter(
        (f) => f.path !== typed.path && !table.keys.includes(f.path) && camel(f.path) !== f.path,
      );
      const other = others.length ? pickOf(rng, others) : undefined;
      if (other) {
        renameColumn(rows, d, other.path, camel(other.path));
        d.anomalies.push({ kind: 'field_renamed', column: camel(other.path) });
      }
      d.causes.push(unresolved(other?.path ?? typed.path, d.currentSchema));
      d.fixing = ['coerce_schema'];
      break;
    }
    default:
      fault satisfies never;
  }

  const contract: DatasetContract = {
    dataset: table.name,
    schema: contractSchema,
    keys: table.keys,
    quality: {},
    protected: protectedDataset,
  };
  // Quality faults: quarantine fixes iff the bad rows stay under the pipeline's blast radius. The
  // share is counted on the rows as injected (faults can overlap on one row), by the contract.
  const badRowFraction =
    d.currentRows && d.badRows > 0 ? contractBadRows(rows, contract, d.currentSchema) / nCur : 0;
  if (d.badRows > 0) {
    // A stray-text drift is fixed by casting the column back, which either action does (both conform
    // the input to the contract), quarantining the words; beyond the limit neither may run.
    const conforming: Action[] =
      fault === 'type_drift_stray_text' ? ['coerce_schema', 'quarantine'] : ['quarantine'];
    if (badRowFraction < SIM_QUARANTINE_LIMIT) d.fixing = conforming;
    else d.unsafe.push(...conforming);
  }
  // Rolling back a catalog whose latest version is correct reverts a good schema for every consumer.
  if (!d.fixing.includes('rollback_schema')) d.unsafe.push('rollback_schema');
  if (protectedDataset) {
    d.fixing = [];
    d.unsafe = [...ALL_ACTIVE];
  }

  const misleadingLines: string[] = [];
  if (misleading) {
    d.hard.push('misleading_log');
    const family = FAULT_FAMILY[fault];
    if (family !== 'transient' && family !== 'permission')
      misleadingLines.push(
        'WARN S3AFileSystem: Retrying request after AmazonS3Exception: Slow Down (Service: Amazon S3; Status Code: 503; Error Code: SlowDown), attempt 1 of 10',
      );
    if (family !== 'permission' && family !== 'transient' && family !== 'resource')
      misleadingLines.push(
        'INFO MetricsPublisher: optional metrics sink s3://acme-metrics/ not configured, skipping',
      );
    misleadingLines.push(
      'WARN TaskSetManager: Lost task 4.0 in stage 2.0 (TID 19) (172.35.21.9 executor 1): FetchFailed, resubmitting',
    );
  }

  const at = new Date(Date.UTC(2026, 10, 1) + index * 97_000 + rng.int(60_000));
  const job = `${table.name}-etl-${index}`;
  const runId = `jr_${hex(rng, 12)}_${index}`;
  const spec: LogSpec = { style: d.style, job, runId, at, causes: d.causes, misleading: misleadingLines };
  if (d.wrapper) spec.wrapper = d.wrapper;
  const log = buildLog(rng, spec);
  const event: FailureEvent = {
    id: `sim-${seed}-${index}`,
    source: 'sim',
    pipeline: `${table.name}-etl`,
    job,
    runId,
    state: 'FAILED',
    occurredAt: at.toISOString(),
    errorMessage: d.causes.at(-1) ?? 'job failed',
    attempt: 1,
    datasets: [table.name],
  };
  return {
    id: event.id,
    index,
    table,
    event,
    log,
    contract,
    schemaVersions: d.schemaVersions,
    baselineRows,
    ...(d.currentRows ? { currentRows: d.currentRows } : {}),
    currentSchema: d.currentSchema,
    currentFormat: d.currentFormat,
    runMinutes: 1.5 + rng.next() * 3.5,
    ...(d.resources ? { resources: d.resources } : {}),
    truth: {
      fault,
      family: FAULT_FAMILY[fault],
      anomalies: d.anomalies,
      protectedDataset,
      badRowFraction,
      fixing: d.fixing,
      unsafe: [...new Set(d.unsafe)],
      rowsLostBy: d.rowsLostBy,
      hard: d.hard,
      ...(d.resourceNeed !== undefined ? { resourceNeed: d.resourceNeed } : {}),
      ...(d.delaySeconds !== undefined ? { delaySeconds: d.delaySeconds } : {}),
    },
  };
}

/** Tables a fault can be injected into (a nested change needs a struct; a type drift a numeric non-key column). */
function supports(table: SimTable, fault: Fault): boolean {
  if (fault === 'nested_change') return table.schema.fields.some((f) => f.type === 'struct');
  if (fault === 'type_drift_lossy') return table.schema.fields.some((f) => f.type === 'double');
  if (fault === 'type_drift_lossless' || fault === 'type_drift_stray_text' || fault === 'multi_schema')
    return table.schema.fields.some(
      (f) => (f.type === 'double' || f.type === 'int64') && !table.keys.includes(f.path),
    );
  return true;
}

function renameColumn(rows: Row[], d: Draft, from: string, to: string): void {
  for (const r of rows) {
    r[to] = r[from];
    delete r[from];
  }
  d.currentSchema = withFields(
    d.currentSchema,
    d.currentSchema.fields.map((f) => (f.path === from ? { ...f, path: to } : f)),
  );
}

function unresolved(col: string, schema: TableSchema): string {
  const have = schema.fields
    .filter((f) => !f.path.includes('.'))
    .map((f) => `\`${f.path}\``)
    .slice(0, 5)
    .join(', ');
  return `org.apache.spark.sql.AnalysisException: [UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function parameter with name \`${col}\` cannot be resolved. Did you mean one of the following? [${have}].`;
}

function physical(type: LogicalType): string {
  switch (type) {
    case 'string':
      return 'BINARY';
    case 'int64':
      return 'INT64';
    case 'int32':
      return 'INT32';
    case 'double':
      return 'DOUBLE';
    default:
      return type.toUpperCase();
  }
}

function hex(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[rng.int(16)];
  return s;
}

function sampleIndexes(rng: Rng, n: number, k: number): number[] {
  const chosen = new Set<number>();
  const want = Math.min(k, n);
  while (chosen.size < want) chosen.add(rng.int(n));
  return [...chosen];
}

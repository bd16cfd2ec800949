// The runner: executes a pipeline in DuckDB (sources staged as temp tables named after them, or
// handed over already conformed by a remediation; the SQL transform; a Parquet target staged and
// published by one commit of the intent journal, or left staged for a remediation's commit) and
// writes the run's log, as a Glue job writes CloudWatch Logs. On failure it returns a FailureEvent
// carrying the engine's own error message.

import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { classifyError } from '../../core/detect/error-classifier.js';
import { ContractViolationError, InputReadError, oneLine } from '../../core/errors.js';
import type { FailureEvent } from '../../core/event.js';
import { afterRun, type KeptChange, type KeptResources, planRun } from '../../core/kept-resources.js';
import type { ReadOptions } from '../../core/read-options.js';
import type { ResourceSettings } from '../../core/resources.js';
import type { SchemaField, TableSchema } from '../../core/schema.js';
import { crashPoint } from '../../crash-point.js';
import type { Clock } from '../../ports.js';
import { type CsvDialect, csvReadSql, malformedLines, readError, recordLines } from '../duckdb/csv-read.js';
import {
  type DataSource,
  type DuckdbDataEngine,
  type HeldText,
  withDialect,
} from '../duckdb/duckdb-data-engine.js';
import { duckdbTypeToLogical, logicalToDuckdb } from '../duckdb/duckdb-types.js';
import { quoteIdent, quoteLiteral } from '../duckdb/sql.js';
import { strictValue } from '../duckdb/strict-value.js';
import { fsyncFile, writeFileAtomic } from './atomic-file.js';
import { readProjection } from './catalog-projection.js';
import { checkContract, contractError } from './contract-check.js';
import { inputReadiness } from './defer-condition.js';
import { createSandboxedDuckdb, type DuckdbResources, duckdbConfig } from './duckdb-sandbox.js';
import { describeQuery, queryRows, readRelation } from './duckdb-sql.js';
import { type FaultInjector, formatFault } from './fault-injector.js';
import { type KeptRun, type KeptSource, type KeptText, keptTableName } from './kept-input.js';
import { type LocalCatalog, safeName, type TargetSnapshot } from './local-catalog.js';
import { emptyPublication, type LocalIntentJournal, type Publication } from './local-intent-journal.js';
import type { PipelineSpec, SourceSpec } from './pipeline-file.js';

export interface RunOptions {
  runId?: string;
  attempt?: number;
  /** Sources the caller stages itself on the run's connection (a conformed input), by name. */
  staged?: Record<string, StagedSource>;
  /** Called after the output is written and fsynced, before it is published (crash tests). */
  beforePublish?: () => Promise<void>;
  /**
   * Stage the output and the baselines in this folder and publish nothing: the outcome's
   * `publication` is what the caller's commit makes visible. Without it the run commits its own
   * output through the intent journal.
   */
  stagingDir?: string;
  /**
   * A failed run whose parsed input this run may reuse (kept-input.ts): a remediation's re-run
   * names the run it remediates. Sources whose files changed since are not offered.
   */
  adopt?: string;
  /**
   * Run with these settings (a `scale_resources` re-run) instead of the job's: the pipeline's own
   * `resources:`, or the setting healer keeps for the job (see core/kept-resources.ts).
   */
  resources?: DuckdbResources;
}

/**
 * Where the runner keeps the per-job settings a validated `scale_resources` left, and who hears of a
 * change (the audit). Optional: without it every plain run uses the pipeline's own settings.
 */
export interface KeptResourceStore {
  keptResources(job: string): Promise<KeptResources | undefined>;
  saveKeptResources(job: string, kept: KeptResources | undefined, at: Date): Promise<void>;
  /** Told of each change of a kept setting (a step down kept, or found still needed). */
  keptResourcesChanged?(job: string, change: KeptChange): Promise<void>;
}

/**
 * A source staged by the caller instead of read from its location: a remediation conforms the input
 * on the run's own connection, so the re-run reads the conformed rows without a round trip through
 * a file. The run projects the table through the catalog version and enforces NOT NULL as usual.
 */
export interface StagedSource {
  /** What the run log says it reads. */
  from: string;
  /**
   * Creates the temp table `table` on `conn`. `kept`: the failed run's parsed rows of this source
   * on `conn`, when the run adopted them (the file unchanged since); the callback may take them.
   */
  stage: (conn: DuckDBConnection, table: string, kept?: KeptSource) => Promise<void>;
  /** Where the run keeps the staged rows once it succeeds: the source's new baseline. */
  keepAt: string;
}

interface RunBase {
  runId: string;
  attempt: number;
  logFile: string;
  durationMs: number;
  /** What the transform's DuckDB ran with. */
  resources: DuckdbResources;
}

export type RunOutcome =
  | (RunBase & {
      status: 'succeeded';
      /** Rows read per source. */
      rowsIn: Record<string, number>;
      rowsOut: number;
      /** Where each source's rows are kept as its new baseline (once published). */
      baselines: Record<string, string>;
      /** What the run made visible, or (with `stagingDir`) what the caller's commit will. */
      publication: Publication;
      target: TargetSnapshot;
      targetSchema: TableSchema;
    })
  | (RunBase & {
      status: 'failed';
      errorMessage: string;
      /** Sources the failure is attributed to. */
      datasets: string[];
      event: FailureEvent;
    });

/** Where the log of a run lives. */
export function runLogPath(stateDir: string, pipeline: string, runId: string): string {
  return join(stateDir, 'logs', safeName(pipeline), `${safeName(runId)}.log`);
}

/** A new run id: time-ordered and unique. */
export function newRunId(now: Date): string {
  return `run-${now.toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Runs pipelines in an in-process DuckDB. Sources are staged as temp tables named after the source
 * (projected through the catalog's current schema version, with the contract's NOT NULL
 * constraints), the transform runs over them, and the output and baselines are staged and published
 * by one commit (see local-intent-journal.ts).
 *
 * @example
 * const outcome = await runner.run(spec);
 * if (outcome.status === 'failed') await handleIncident(outcome.event, env);
 */
export class DuckdbPipelineRunner {
  // DuckDB's memory_limit and threads are instance-wide (and the sandbox locks its configuration),
  // so each distinct setting gets its own instance.
  private readonly instances = new Map<string, Promise<DuckDBInstance>>();
  /** The last failed run's parsed input (kept-input.ts), until the next run or close. */
  private kept: KeptRun | undefined;
  /** The kept run's text offered to the data engine (HeldText), withdrawn with the run. */
  private held: HeldText | undefined;

  constructor(
    private readonly deps: {
      stateDir: string;
      catalog: LocalCatalog;
      engine: DuckdbDataEngine;
      clock: Clock;
      journal: LocalIntentJournal;
      faults?: FaultInjector;
      kept?: KeptResourceStore;
    },
  ) {}

  /**
   * Runs the pipeline once. A plain run (no `resources` option) uses the job's kept settings when
   * healer keeps some, and now and then tries one step down (see core/kept-resources.ts): a trial
   * that fails for a resource is run again at once at the kept setting, so a trial never fails a job.
   */
  async run(spec: PipelineSpec, options: RunOptions = {}): Promise<RunOutcome> {
    const base: DuckdbResources = spec.resources ?? {};
    const store = this.deps.kept;
    if (options.resources || !store) return this.runOnce(spec, options, options.resources ?? base);
    const kept = await store.keptResources(spec.name);
    const plan = planRun(kept, settingsOf(base));
    let outcome = await this.runOnce(spec, options, { ...base, ...plan.settings });
    const forResource =
      outcome.status === 'failed' && classifyError(outcome.errorMessage).family === 'resource';
    // A trial that failed for another reason (a bad input) says nothing about the setting.
    const next =
      plan.trial && outcome.status === 'failed' && !forResource
        ? { kept }
        : afterRun(kept, plan, settingsOf(base), outcome.status === 'succeeded');
    if (plan.trial && forResource)
      outcome = await this.runOnce(spec, options, { ...base, ...plan.trial.from });
    if (kept || next.kept) await store.saveKeptResources(spec.name, next.kept, this.deps.clock.now());
    if (next.change) await store.keptResourcesChanged?.(spec.name, next.change);
    return outcome;
  }

  private async runOnce(
    spec: PipelineSpec,
    options: RunOptions,
    resources: DuckdbResources,
  ): Promise<RunOutcome> {
    const { clock, catalog } = this.deps;
    const started = clock.now();
    const runId = options.runId ?? newRunId(started);
    const attempt = options.attempt ?? 1;
    const logFile = runLogPath(this.deps.stateDir, spec.name, runId);
    const lines: string[] = [];
    const log = (level: 'INFO' | 'WARN' | 'ERROR', message: string) =>
      lines.push(`${clock.now().toISOString()} ${level} [${spec.name}] ${message}`);
    log('INFO', `Starting job run ${runId} (attempt ${attempt}) of pipeline ${spec.name} from ${spec.file}`);
    if (resources.memoryMb !== undefined || resources.threads !== undefined || resources.spill === false)
      log('INFO', `Resources: ${describeResources(resources)}`);
    let stage = 'setup';
    let failedSource: string | undefined;
    const drifted = new Set<string>();
    // Everything this run writes is staged first and published by one commit.
    const deferred = options.stagingDir !== undefined;
    const staging = options.stagingDir ?? (await this.deps.journal.beginRun(runId));
    const publication = emptyPublication();
    // Confined to the pipeline's roots and the state folder: the transform is untrusted SQL.
    const key = JSON.stringify([spec.roots ?? null, resources.memoryMb, resources.threads, resources.spill]);
    let instance = this.instances.get(key);
    if (!instance) {
      instance = spec.roots
        ? createSandboxedDuckdb(spec.roots, this.deps.stateDir, resources)
        : DuckDBInstance.create(':memory:', duckdbConfig(resources, this.deps.stateDir));
      this.instances.set(key, instance);
    }
    // One kept run at a time: a run that does not adopt it releases it. Only a run on the same
    // instance (the same settings) adopts it.
    const adopted = await this.adopt(options.adopt, key);
    const conn = adopted?.conn ?? (await (await instance).connect());
    // Sources this run read whole before failing on nulls in required columns (kept-input.ts).
    const keep = new Map<string, KeptSource>();
    try {
      const rowsIn: Record<string, number> = {};
      for (const source of spec.sources) {
        stage = `read ${source.name}`;
        failedSource = source.name;
        const staged = options.staged?.[source.name];
        const location = source.location;
        if (source.contract && (await catalog.currentSchema(source.name)) === undefined) {
          await catalog.publishSchema(source.contract.schema, 'contract', clock.now());
          log('INFO', `Catalog: registered ${source.name} version 1 from the pipeline contract`);
        }
        const fault = this.deps.faults?.take({ pipeline: spec.name, runId, attempt, dataset: source.name });
        if (fault) {
          log('INFO', `Reading ${source.name} from ${fault.uri ?? location}`);
          // Injected: this runtime cannot produce the fault for real (see fault-injector.ts).
          throw new Error(formatFault(fault));
        }
        log('INFO', `Reading ${source.name} from ${staged ? staged.from : location}`);
        rowsIn[source.name] = await this.stage(conn, source, staged ?? location, log, drifted, {
          kept: adopted?.sources.get(source.name),
          keep: deferred || adopted ? undefined : keep,
        });
        failedSource = undefined;
      }
      stage = 'quality';
      for (const source of spec.sources) {
        failedSource = source.name;
        await this.checkQuality(conn, source, rowsIn[source.name] ?? 0, log);
        failedSource = undefined;
      }
      stage = 'transform';
      log('INFO', 'Running transform');
      const transform = spec.transform.trim().replace(/;+\s*$/, '');
      // The transform streams straight into the new snapshot (no intermediate table); its row count
      // is what COPY reports having written, and its columns come from binding the query.
      const targetFields = (await describeQuery(conn, `SELECT * FROM (${transform})`)).map(toField);
      const published = await catalog.currentSchema(spec.target.name);
      const changes = published ? targetSchemaChanges(published.fields, targetFields) : [];
      if (published && changes.length > 0) {
        // The published schema never changes silently: the output is kept aside as a proposal.
        failedSource = spec.target.name;
        const file = await catalog.newProposalPath(spec.target.name, runId);
        await conn.run(`COPY (${transform}) TO ${quoteLiteral(file)} (FORMAT parquet)`);
        await catalog.proposeSchema({
          schema: { name: spec.target.name, fields: targetFields },
          against: published.version,
          runId,
          file,
          at: clock.now().toISOString(),
        });
        throw new ContractViolationError(
          `${changes.map((c) => `Contract violation: ${spec.target.name}.${c} (target_schema): the transform's output differs from catalog version ${published.version}`).join('\n')}\n  adopt it with: healer catalog adopt ${spec.file}`,
          { context: { dataset: spec.target.name, rule: 'target_schema', count: changes.length } },
        );
      }
      stage = 'write';
      const file = await catalog.newSnapshotPath(spec.target.name, runId);
      const stagedFile = join(staging, 'target', `${safeName(runId)}.parquet`);
      await mkdir(dirname(stagedFile), { recursive: true });
      const written = await conn.runAndReadAll(
        `COPY (${transform}) TO ${quoteLiteral(stagedFile)} (FORMAT parquet)`,
      );
      crashPoint('snapshot-torn', stagedFile);
      const rowsOut = Number(written.getRows()[0]?.[0] ?? Number.NaN);
      if (!Number.isInteger(rowsOut)) throw new Error('COPY reported no row count for the target');
      await fsyncFile(stagedFile);
      crashPoint('snapshot-written');
      log('INFO', `Wrote ${rowsOut} rows to snapshot ${file} (staged)`);
      await options.beforePublish?.();
      const target: TargetSnapshot = { runId, file, publishedAt: clock.now().toISOString(), rows: rowsOut };
      await mkdir(dirname(spec.target.location), { recursive: true });
      publication.files.push({ from: stagedFile, to: file });
      publication.target = { name: spec.target.name, location: spec.target.location, snapshot: target };
      const targetSchema: TableSchema = { name: spec.target.name, fields: targetFields };
      publication.schemas.push({
        schema: targetSchema,
        reason: `run ${runId}`,
        at: clock.now().toISOString(),
      });
      // The output matched the published schema, so an earlier run's proposal is moot.
      await catalog.clearProposal(spec.target.name);
      stage = 'baseline';
      const baselines: Record<string, string> = {};
      for (const source of spec.sources) {
        if (!source.contract && (await catalog.currentSchema(source.name)) === undefined) {
          const fields = (await describeQuery(conn, `SELECT * FROM ${quoteIdent(source.name)}`)).map(toField);
          publication.schemas.push({
            schema: { name: source.name, fields },
            reason: `inferred by run ${runId}`,
            at: clock.now().toISOString(),
          });
        }
        const keepAt = options.staged?.[source.name]?.keepAt;
        const location = keepAt ?? (await catalog.newBaselinePath(source.name, runId));
        const stagedBaseline = join(staging, 'baselines', `${safeName(source.name)}.parquet`);
        await mkdir(dirname(stagedBaseline), { recursive: true });
        await conn.run(
          `COPY (SELECT * FROM ${quoteIdent(source.name)}) TO ${quoteLiteral(stagedBaseline)} (FORMAT parquet)`,
        );
        await fsyncFile(stagedBaseline);
        baselines[source.name] = location;
        publication.files.push({ from: stagedBaseline, to: location });
        publication.baselines.push({
          source: source.name,
          pointer: { location, runId, rows: rowsIn[source.name] ?? 0, at: clock.now().toISOString() },
        });
      }
      if (!deferred) {
        await this.deps.journal.commitRun(runId, publication);
        log('INFO', `Published target ${spec.target.name} at ${spec.target.location}`);
      } else log('INFO', `Staged target ${spec.target.name}: published when the remediation commits`);
      const durationMs = clock.now().getTime() - started.getTime();
      log('INFO', `Job run ${runId} SUCCEEDED in ${durationMs} ms`);
      await writeFileAtomic(logFile, `${lines.join('\n')}\n`);
      return {
        status: 'succeeded',
        runId,
        attempt,
        logFile,
        durationMs,
        resources,
        rowsIn,
        rowsOut,
        baselines,
        target,
        targetSchema,
        publication,
      };
    } catch (error) {
      if (keep.size > 0) this.keepRun({ runId, instance: key, conn, sources: keep });
      if (!deferred) await this.deps.journal.abortRun(runId);
      const message = error instanceof Error ? error.message : String(error);
      log('ERROR', `Job run ${runId} FAILED during ${stage}`);
      for (const line of message.split('\n')) if (line.trim() !== '') log('ERROR', line);
      const datasets = failedSource
        ? [failedSource]
        : drifted.size > 0
          ? [...drifted]
          : spec.sources.map((s) => s.name);
      log('INFO', `Attributed to dataset(s): ${datasets.join(', ')}`);
      await writeFileAtomic(logFile, `${lines.join('\n')}\n`);
      const occurredAt = clock.now().toISOString();
      const event: FailureEvent = {
        id: `local:${spec.name}:${runId}:${attempt}`,
        source: 'local',
        pipeline: spec.name,
        job: spec.name,
        runId,
        state: 'FAILED',
        occurredAt,
        errorMessage: oneLine(message).slice(0, 100_000),
        attempt,
        datasets,
        details: { stage, pipelineFile: spec.file },
      };
      return {
        status: 'failed',
        runId,
        attempt,
        logFile,
        resources,
        durationMs: clock.now().getTime() - started.getTime(),
        errorMessage: message,
        datasets,
        event,
      };
    } finally {
      if (this.kept?.conn !== conn) conn.closeSync();
    }
  }

  /**
   * Takes the kept run `runId` (its connection, its sources' tables renamed out of the way, every
   * other temp table and view dropped, sources whose files changed dropped too), or undefined.
   * Any other kept run is released.
   */
  private async adopt(runId: string | undefined, instance: string): Promise<KeptRun | undefined> {
    const kept = this.kept;
    this.kept = undefined;
    this.withdrawHeld();
    if (!kept) return undefined;
    // A profile the data engine is measuring on the held text finishes first.
    await kept.busy;
    if (runId === undefined || kept.runId !== runId || kept.instance !== instance) {
      kept.conn.closeSync();
      return undefined;
    }
    const { conn } = kept;
    try {
      const sources = new Map<string, KeptSource>();
      for (const [name, source] of kept.sources) {
        const table = keptTableName(name);
        if ((await this.deps.engine.fingerprint(source.location)) !== source.fingerprint) continue;
        await conn.run(`ALTER TABLE ${quoteIdent(source.table)} RENAME TO ${quoteIdent(table)}`);
        sources.set(name, { ...source, table });
      }
      const names = new Set([...sources.values()].map((s) => s.table));
      for (const r of await queryRows(
        conn,
        `SELECT view_name AS name, 'VIEW' AS kind FROM duckdb_views() WHERE temporary AND NOT internal UNION ALL SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE temporary AND NOT internal`,
      ))
        if (!names.has(String(r.name)))
          await conn.run(
            `DROP ${r.kind === 'VIEW' ? 'VIEW' : 'TABLE'} IF EXISTS ${quoteIdent(String(r.name))}`,
          );
      return { ...kept, sources };
    } catch {
      // Reuse is an optimization: anything unexpected and the re-run reads its input afresh.
      conn.closeSync();
      return undefined;
    }
  }

  /** Stages one source (read from its location, or by the caller); returns its row count. */
  private async stage(
    conn: DuckDBConnection,
    source: SourceSpec,
    from: string | StagedSource,
    log: (level: 'INFO' | 'WARN' | 'ERROR', message: string) => void,
    drifted: Set<string>,
    reuse: { kept?: KeptSource | undefined; keep?: Map<string, KeptSource> | undefined } = {},
  ): Promise<number> {
    const version = await this.deps.catalog.currentSchema(source.name);
    const columns = version ? topLevel(version.fields) : undefined;
    const projection = columns ? columns.map((f) => quoteIdent(f.path)).join(', ') : '*';
    if (version) log('INFO', `Projecting ${source.name} through catalog schema version ${version.version}`);
    const table = quoteIdent(source.name);
    // Where the NOT NULL constraints go: the source's table, or the table under its view.
    let constrained = table;
    let described: string;
    let lines: ((rows: number[]) => Promise<Map<number, number>>) | undefined;
    // The file's fingerprint, taken before a whole text read (undefined otherwise).
    let fingerprint: string | undefined;
    let whole = false;
    // How the CSV was read as text, and the table keeping that text while the contract is checked.
    let csvRead: Omit<KeptText, 'table'> | undefined;
    let textTable: string | undefined;
    if (typeof from === 'string') {
      // An input missing or older than its freshness is an upstream not ready (a dependency
      // failure `defer` can wait out), not a crash of the read.
      const readiness = await inputReadiness(
        { ...source, location: from },
        this.deps.engine,
        this.deps.clock,
      );
      if (readiness.state === 'missing')
        throw new InputReadError(`Input not ready: ${from} has not arrived (source ${source.name})`, {
          context: { file: from, dataset: source.name, ready: 'missing' },
        });
      if (readiness.state === 'stale')
        throw new InputReadError(
          `Input not ready: ${from} is older than its freshness (modified ${Math.round(readiness.ageMinutes)} min ago, contract maxAgeMinutes ${source.maxAgeMinutes})`,
          { context: { file: from, dataset: source.name, ready: 'stale' } },
        );
      const resolved = await this.deps.engine.resolve(from);
      const format = source.format ?? resolved.format;
      described = `${format}, ${resolved.files.length} file(s)`;
      // An adopted schema migration (a column read from its new name, or cast back on read) is read
      // through its projection; otherwise a CSV is staged as text and judged by value below.
      const migrated = columns?.some((f) => f.sourcePath !== undefined || f.castOnRead !== undefined);
      if (format === 'csv' && !migrated) {
        const text = await this.stageText(conn, source, { ...resolved, format }, columns, log);
        lines = text.lines;
        whole = text.whole;
        fingerprint = text.print;
        csvRead = text.csv;
      } else {
        // A column missing from the data fails here with DuckDB's own Binder Error.
        const read = columns ? readProjection(columns) : '*';
        await conn.run(
          `CREATE OR REPLACE TEMP TABLE ${table} AS SELECT ${read} FROM ${readRelation(resolved.files, format)}`,
        );
      }
    } else {
      described = 'staged by the remediation';
      await from.stage(conn, source.name, reuse.kept);
      const got = (await describeQuery(conn, `SELECT * FROM ${table}`)).map((c) => c.name);
      if (columns && got.join('\0') !== columns.map((f) => f.path).join('\0')) {
        // Same projection as a read, without copying the rows: the staged table is renamed and the
        // source becomes a view that selects the catalog's columns in the catalog's order (a
        // missing column fails here with the same Binder Error).
        const underlying = `__healer_staged_${source.name}`;
        await conn.run(`ALTER TABLE ${table} RENAME TO ${quoteIdent(underlying)}`);
        await conn.run(`CREATE TEMP VIEW ${table} AS SELECT ${projection} FROM ${quoteIdent(underlying)}`);
        constrained = quoteIdent(underlying);
      }
    }
    let staged = await describeQuery(conn, `SELECT * FROM ${table}`);
    // Text read through the catalog is judged by value below, not by its (text) type here.
    if (version && !lines) {
      const want = new Map(version.fields.map((f) => [f.path, f.type]));
      for (const c of staged)
        if (want.get(c.name) !== undefined && want.get(c.name) !== duckdbTypeToLogical(c.type)) {
          drifted.add(source.name);
          log(
            'WARN',
            `${source.name}.${c.name} is ${c.type}; catalog version ${version.version} says ${want.get(c.name)}`,
          );
        }
    }
    const [counted] = await queryRows(conn, `SELECT count(*) AS n FROM ${table}`);
    const rows = Number(counted?.n ?? 0);
    log('INFO', `Read ${rows} rows from ${source.name} (${described})`);
    if (rows === 0 && typeof from === 'string')
      throw new InputReadError(`Empty input: ${from} holds a header and no rows`, {
        context: { file: from, empty: 'header_only' },
      });
    if (version || source.contract) {
      const fields = version ? topLevel(version.fields) : (source.contract?.schema.fields ?? []);
      // One pass types every value exactly when all of them are of their type; the check then
      // runs on native columns. Otherwise the text stays for the check to name what breaks.
      // The text stays beside the typed table until the contract holds: a run failing it keeps it
      // for the evidence's profile (HeldText).
      textTable = csvRead ? `__healer_text_${source.name}` : undefined;
      if (typeof from === 'string' && (await this.typeStaged(conn, source, staged, fields, textTable)))
        staged = await describeQuery(conn, `SELECT * FROM ${table}`);
      else textTable = csvRead ? source.name : undefined;
      const violations = await checkContract({
        conn,
        table: source.name,
        dataset: source.name,
        columns: staged,
        fields,
        required: (source.contract?.schema.fields ?? []).filter((f) => !f.nullable).map((f) => f.path),
        keys: source.contract?.keys ?? [],
        formats: source.read ?? {},
        ...(lines ? { lines } : {}),
      });
      if (violations.length > 0) {
        // Every row read and typed to the contract, only nulls in required columns wrong: the
        // quarantine that follows can conform these rows instead of parsing the file again.
        const typedToContract = (source.contract?.schema.fields ?? []).every(
          (f) => duckdbTypeToLogical(staged.find((c) => c.name === f.path)?.type ?? '') === f.type,
        );
        if (
          reuse.keep &&
          fingerprint !== undefined &&
          typeof from === 'string' &&
          whole &&
          !source.read &&
          typedToContract &&
          staged.length === (source.contract?.schema.fields.length ?? -1) &&
          violations.every((v) => v.rule === 'not_null')
        )
          reuse.keep.set(source.name, {
            table: source.name,
            location: from,
            fingerprint,
            rows,
            ...(csvRead && textTable
              ? { text: { ...csvRead, table: textTable, ...uniqueKeys(source.contract?.keys ?? [], staged) } }
              : {}),
          });
        throw contractError(typeof from === 'string' ? from : from.from, violations);
      }
      log('INFO', `Contract holds for ${source.name}: types by value, required columns, keys`);
      if (textTable !== undefined && textTable !== source.name)
        await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(textTable)}`);
    }
    // The contract's required columns are enforced by DuckDB itself (Constraint Error on a null).
    for (const f of source.contract?.schema.fields ?? [])
      if (!f.nullable && staged.some((c) => c.name === f.path))
        await conn.run(`ALTER TABLE ${constrained} ALTER COLUMN ${quoteIdent(f.path)} SET NOT NULL`);
    return rows;
  }

  /**
   * Stages a CSV as text through the catalog's columns: the dialect declared or read from the header
   * (never sniffed from the data), malformed lines kept by DuckDB with their numbers (they fail the
   * run: `Malformed input`), an empty input failing as such. Returns the row-to-line mapping.
   */
  private async stageText(
    conn: DuckDBConnection,
    source: SourceSpec,
    resolved: DataSource,
    columns: SchemaField[] | undefined,
    log: (level: 'INFO' | 'WARN' | 'ERROR', message: string) => void,
  ): Promise<{
    lines: (rows: number[]) => Promise<Map<number, number>>;
    whole: boolean;
    print: string | undefined;
    csv: { location: string; dialect: CsvDialect; read: ReadOptions };
  }> {
    const expected = columns ?? source.contract?.schema.fields ?? [];
    const read = source.read ?? {};
    const csv = await withDialect(resolved, { read, expected: { name: source.name, fields: expected } });
    const dialect = csv.csv!.dialect;
    if (dialect.mixedLineEnds)
      log('WARN', `${source.name}: mixed line endings (CRLF and LF); read with strict_mode = false`);
    const n = ++rejectsSeq;
    const rejects = { table: `__healer_rejects_${n}`, scan: `__healer_rejects_scan_${n}` };
    const raw = quoteIdent(`__healer_raw_${source.name}`);
    // Taken before the read, so that a file changed during it is never taken for what was read
    // (by the evidence's read facts, or a quarantine reusing the parsed rows).
    const print = await this.deps.engine.fingerprint(resolved.location);
    try {
      await conn.run(
        `CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT * FROM ${csvReadSql(dialect, read, { allVarchar: columns !== undefined, rejects })}`,
      );
    } catch (error) {
      throw readError(error, resolved.location, 'csv');
    }
    const malformed = await malformedLines(conn, rejects, 5, dialect.groups.length);
    if (malformed.count > 0) {
      const [r] = await queryRows(conn, `SELECT count(*) AS n FROM ${raw}`);
      const total = Number(r?.n ?? 0) + malformed.count;
      throw new InputReadError(
        `Malformed input: ${malformed.count} of ${total} lines of ${resolved.location} cannot be read as rows (${malformed.first
          .map(
            (m) =>
              `${dialect.files.length > 1 ? `${m.file} ` : ''}line ${m.line}: ${m.reason} ${JSON.stringify(m.raw.slice(0, 120))}`,
          )
          .join('; ')})`,
        { context: { file: resolved.location, malformed: malformed.count } },
      );
    }
    if (columns !== undefined && print !== undefined) {
      // A whole, strict, all-text read without a malformed line: the evidence of the incident that
      // may follow needs not read the file again to establish as much (readFacts).
      const [counted] = await queryRows(conn, `SELECT count(*) AS n FROM ${raw}`);
      this.deps.engine.rememberRead(resolved.location, print, dialect, read, Number(counted?.n ?? 0));
    }
    const projection = columns ? columns.map((f) => quoteIdent(f.path)).join(', ') : '*';
    // Whole: the projection drops no column of the file (a reused table holds everything).
    const fileColumns = await describeQuery(conn, `SELECT * FROM ${raw}`);
    const whole = columns === undefined || fileColumns.every((c) => columns.some((f) => f.path === c.name));
    // A catalog column missing from the file fails here with DuckDB's own Binder Error.
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${quoteIdent(source.name)} AS SELECT ${projection} FROM ${raw}`,
    );
    await conn.run(`DROP TABLE ${raw}`);
    const file = dialect.files.length === 1 ? dialect.files[0] : undefined;
    return {
      lines: async (rows) => (file ? recordLines(file, dialect, read, rows) : new Map()),
      whole,
      print,
      csv: { location: resolved.location, dialect, read },
    };
  }

  /** Replaces the staged text table by its typed form (every value already checked). */
  private async typeStaged(
    conn: DuckDBConnection,
    source: SourceSpec,
    staged: { name: string; type: string }[],
    fields: SchemaField[],
    keepText?: string,
  ): Promise<boolean> {
    const typeOf = new Map(fields.map((f) => [f.path, f.type]));
    const select: string[] = [];
    const checked: string[] = [];
    for (const c of staged) {
      const type = typeOf.get(c.name);
      const v = quoteIdent(c.name);
      const duck = type === undefined ? undefined : logicalToDuckdb(type);
      if (
        type === undefined ||
        duck === undefined ||
        (duck === c.type && type !== 'double' && type !== 'float')
      ) {
        select.push(v);
        continue;
      }
      const typed = strictValue(v, c.type, type, source.read ?? {});
      select.push(`${typed} AS ${v}`);
      checked.push(v);
    }
    if (checked.length === 0) return false;
    const table = quoteIdent(source.name);
    const work = quoteIdent(`__healer_typed_${source.name}`);
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${work} AS SELECT ${select.join(', ')} FROM ${table}`);
    // A value lost in the typing was not of its type: nulls stay nulls, so the counts tell.
    const values = checked.map((v) => `count(${v})`).join(' + ');
    const [lost] = await queryRows(
      conn,
      `SELECT (SELECT ${values} FROM ${table}) - (SELECT ${values} FROM ${work}) AS n`,
    );
    if (Number(lost?.n ?? 0) !== 0) {
      await conn.run(`DROP TABLE ${work}`);
      return false;
    }
    if (keepText === undefined) await conn.run(`DROP TABLE ${table}`);
    else {
      await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(keepText)}`);
      await conn.run(`ALTER TABLE ${table} RENAME TO ${quoteIdent(keepText)}`);
    }
    await conn.run(`ALTER TABLE ${work} RENAME TO ${quoteIdent(source.name)}`);
    return true;
  }

  /** Contract thresholds, checked as a job with expectations would: a breach fails the run. */
  private async checkQuality(
    conn: DuckDBConnection,
    source: SourceSpec,
    rows: number,
    log: (level: 'INFO' | 'WARN' | 'ERROR', message: string) => void,
  ): Promise<void> {
    const q = source.contract?.quality;
    if (!q || rows === 0) return;
    const table = quoteIdent(source.name);
    const problems: string[] = [];
    for (const [column, max] of Object.entries(q.maxNullRate ?? {})) {
      const [r] = await queryRows(
        conn,
        `SELECT count(*) - count(${quoteIdent(column)}) AS nulls FROM ${table}`,
      );
      const rate = Number(r?.nulls ?? 0) / rows;
      if (rate > max)
        problems.push(
          `${column} null rate ${rate.toFixed(4)} > max ${max} (${Number(r?.nulls ?? 0)} of ${rows} rows)`,
        );
    }
    if (q.maxVolumeChange !== undefined) {
      const baseline = await this.deps.catalog.baseline(source.name);
      if (baseline && baseline.rows > 0) {
        const change = Math.abs(rows - baseline.rows) / baseline.rows;
        if (change > q.maxVolumeChange)
          problems.push(
            `row count ${rows} against ${baseline.rows} last good (change ${change.toFixed(3)} > ${q.maxVolumeChange})`,
          );
      }
    }
    if (problems.length > 0)
      throw new Error(`Data quality check failed for ${source.name}: ${problems.join('; ')}`);
    log('INFO', `Quality thresholds hold for ${source.name}`);
  }

  /**
   * Keeps a failed run's connection and parsed sources, and offers the data engine the text of its
   * input (HeldText) for the evidence's profile, until the run is adopted or released.
   */
  private keepRun(kept: KeptRun): void {
    this.kept = kept;
    for (const source of kept.sources.values()) {
      const text = source.text;
      if (text === undefined) continue;
      const held: HeldText = {
        location: text.location,
        fingerprint: source.fingerprint,
        dialect: text.dialect,
        read: text.read,
        ...(text.uniqueKeys ? { uniqueKeys: text.uniqueKeys } : {}),
        use: async (query) => {
          if (this.kept !== kept) return undefined;
          // One query at a time on the connection; release waits for it (adopt, close).
          const done = (kept.busy ?? Promise.resolve()).then(() =>
            query(kept.conn, text.table, source.table),
          );
          kept.busy = done.catch(() => undefined);
          return done;
        },
      };
      this.deps.engine.holdText(held);
      this.held = held;
      return;
    }
  }

  private withdrawHeld(): void {
    if (this.held) this.deps.engine.holdText(undefined, this.held);
    this.held = undefined;
  }

  /** Closes the runner's in-memory databases (after a query running on the kept run's text). */
  close(): void {
    const kept = this.kept;
    this.kept = undefined;
    this.withdrawHeld();
    const idle = kept?.busy ?? Promise.resolve();
    if (kept) void idle.then(() => kept.conn.closeSync());
    const instances = [...this.instances.values()];
    this.instances.clear();
    for (const instance of instances) void idle.then(() => instance).then((i) => i.closeSync());
  }
}

/**
 * The contract keys a failed contract check found no value of repeated (it failed on nulls alone),
 * with the type it compared each key column by; nothing when it did not compare them.
 */
function uniqueKeys(
  keys: readonly string[],
  staged: readonly { name: string; type: string }[],
): Pick<KeptText, 'uniqueKeys'> {
  const types = new Map(staged.map((c) => [c.name, c.type]));
  if (keys.length === 0 || !keys.every((k) => types.has(k))) return {};
  return { uniqueKeys: { keys: [...keys], types: Object.fromEntries(keys.map((k) => [k, types.get(k)!])) } };
}

/** `memory_limit 64 MB, threads 2, spilling off`: what a run log and a step say. */
export function describeResources(r: DuckdbResources): string {
  const parts: string[] = [];
  if (r.memoryMb !== undefined) parts.push(`memory_limit ${r.memoryMb} MB`);
  if (r.threads !== undefined) parts.push(`threads ${r.threads}`);
  parts.push(r.spill === false ? 'spilling off' : 'spilling on');
  return parts.join(', ');
}

function settingsOf(r: DuckdbResources): ResourceSettings {
  return {
    ...(r.memoryMb !== undefined ? { memoryMb: r.memoryMb } : {}),
    ...(r.threads !== undefined ? { threads: r.threads } : {}),
  };
}

let rejectsSeq = 0;

/** How the output differs from the published fields: `<column>: <what>`, by name and logical type. */
export function targetSchemaChanges(published: SchemaField[], output: SchemaField[]): string[] {
  const was = new Map(topLevel(published).map((f) => [f.path, f.type]));
  const now = new Map(output.map((f) => [f.path, f.type]));
  const changes: string[] = [];
  for (const [path, type] of now) {
    const before = was.get(path);
    if (before === undefined) changes.push(`${path}: field_added (${type})`);
    else if (before !== type) changes.push(`${path}: type_changed ${before} → ${type}`);
  }
  for (const [path, type] of was) if (!now.has(path)) changes.push(`${path}: field_removed (was ${type})`);
  return changes;
}

function toField(c: { name: string; type: string }): SchemaField {
  return { path: c.name, type: duckdbTypeToLogical(c.type), rawType: c.type, nullable: true };
}

function topLevel(fields: SchemaField[]): SchemaField[] {
  const structs = fields.filter((f) => f.type === 'struct').map((f) => `${f.path}.`);
  return fields.filter((f) => !structs.some((s) => f.path.startsWith(s)));
}

// Executes healer's active actions through the Glue API, one executor per action: `retry`
// (StartJobRun with the run's arguments, bounded backoff), `rollback_schema` (UpdateTable with the
// previous version's TableInput; Glue archives the bad version, so it stays reversible),
// `coerce_schema` and `quarantine` (the shipped PySpark remediation job, then the original job
// re-runs on the remediated input). Validation polls GetJobRun until terminal through the Clock.

import { Glue, type Table, type TableInput } from '@aws-sdk/client-glue';
import { S3 } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { Action } from '../../core/action.js';
import { badRowCapabilities } from '../../core/bad-rows.js';
import { planCoercion } from '../../core/coercion.js';
import type { DatasetContract } from '../../core/contract.js';
import type { Capabilities, Diagnosis } from '../../core/decision.js';
import { HealerError, oneLine } from '../../core/errors.js';
import type { DatasetEvidence, Evidence } from '../../core/evidence.js';
import type { RemediationResult, RemediationStep, RowAccounting } from '../../core/outcome.js';
import type { TableSchema } from '../../core/schema.js';
import { withArticle } from '../../core/words.js';
import type { Clock, RemediationContext, Remediator } from '../../ports.js';
import { AwsRemoteError, awsCall, isRetryableAwsError } from './aws-errors.js';
import { glueTableToSchema, resolveTable } from './glue-catalog.js';
import { rerunArguments } from './glue-event.js';
import { joinS3, parseS3Uri } from './s3-uri.js';

/** The Glue calls the remediator uses. */
export type GlueRemediatorClientLike = Pick<
  Glue,
  'startJobRun' | 'getJobRun' | 'getTable' | 'getTableVersions' | 'updateTable'
>;
/** The S3 call used to read the remediation job's row accounting. */
export type S3AccountingReaderLike = Pick<S3, 'getObject'>;

export interface GlueRemediatorOptions {
  glue?: GlueRemediatorClientLike;
  s3?: S3AccountingReaderLike;
  clock: Clock;
  /** Glue database for dataset names without a `db.` prefix. */
  database: string;
  /** Dataset → `table` or `db.table`, when they differ. */
  tables?: Record<string, string>;
  /** Name of the deployed remediation job (remediation/glue_remediate.py); coerce/quarantine need it. */
  remediationJobName?: string;
  /** s3:// prefix for quarantined rows; quarantine needs it. */
  quarantineUri?: string;
  /** s3:// prefix for remediated input. */
  remediatedUri?: string;
  /** Name of the job argument that carries the input location (overridden on re-run). Default `--input_path`. */
  inputArgument?: string;
  /** StartJobRun attempts on throttling/concurrency errors. Default 4. */
  startAttempts?: number;
  /** Backoff base and cap, ms. Defaults 1000 and 30000. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** GetJobRun polling interval and overall bound, ms. Defaults 15000 and 600000. */
  pollIntervalMs?: number;
  pollTimeoutMs?: number;
  /** Jitter source in [0,1); injected for tests. */
  random?: () => number;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMEOUT', 'STOPPED', 'ERROR', 'EXPIRED']);
/** Families no retry can fix: the executor refuses them even if asked (the guard forbids them too). */
const NEVER_RETRY = new Set(['permission', 'config', 'unknown']);

const accountingSchema = z
  .object({ rowsIn: z.number().int(), rowsDelivered: z.number().int(), rowsQuarantined: z.number().int() })
  .loose();

/**
 * Remediator over Glue.
 *
 * @example
 * const remediator = new GlueRemediator({ clock, database: 'sales', remediationJobName: 'healer-remediate' });
 * const result = await remediator.execute('rollback_schema', ctx);
 */
export class GlueRemediator implements Remediator {
  private readonly glue: GlueRemediatorClientLike;
  private readonly s3: S3AccountingReaderLike;
  private readonly o: Required<
    Omit<GlueRemediatorOptions, 'glue' | 's3' | 'remediationJobName' | 'quarantineUri' | 'remediatedUri'>
  > &
    Pick<GlueRemediatorOptions, 'remediationJobName' | 'quarantineUri' | 'remediatedUri'>;

  constructor(options: GlueRemediatorOptions) {
    this.glue = options.glue ?? new Glue({});
    this.s3 = options.s3 ?? new S3({});
    this.o = {
      tables: {},
      inputArgument: '--input_path',
      startAttempts: 4,
      backoffBaseMs: 1000,
      backoffMaxMs: 30_000,
      pollIntervalMs: 15_000,
      pollTimeoutMs: 600_000,
      random: Math.random,
      ...options,
    };
  }

  async capabilities(
    context: Omit<RemediationContext, 'decision'> & { diagnosis: Diagnosis },
  ): Promise<Capabilities> {
    const supported: Action[] = ['retry', 'rollback_schema', 'escalate', 'log_only'];
    if (this.o.remediationJobName) supported.push('coerce_schema');
    if (this.o.remediationJobName && this.o.quarantineUri) supported.push('quarantine');
    const target = pickDataset(context.evidence);
    const current = target?.currentSchema ?? target?.schemaVersions.at(-1);
    let coercionSafe = false;
    let renamedTo: string[] = [];
    if (target?.contract && current) {
      const plan = planCoercion(target.contract.schema, current, context.diagnosis.findings);
      coercionSafe = plan.safe;
      renamedTo = plan.renames.map((r) => r.to);
    }
    return {
      supported,
      hasPreviousSchemaVersion: context.evidence.datasets.some((d) => d.schemaVersions.length >= 2),
      coercionSafe,
      hasQuarantineStore: Boolean(this.o.remediationJobName && this.o.quarantineUri),
      // Measured by the sampler on HEALER_SAMPLE_ROWS rows, as the core defines a bad row.
      ...badRowCapabilities(target?.contract ? target.currentProfile?.badRows : undefined, renamedTo),
    };
  }

  async execute(action: Action, context: RemediationContext): Promise<RemediationResult> {
    switch (action) {
      case 'retry':
        return this.retry(context);
      case 'rollback_schema':
        return this.rollbackSchema(context);
      case 'coerce_schema':
      case 'quarantine':
        return this.remediate(action, context);
      case 'scale_resources':
        return refused(action, 'scale_resources is not supported by the Glue remediator');
      case 'escalate':
      case 'log_only':
      case 'defer':
        return {
          action,
          steps: [{ name: action, status: 'skipped', detail: 'passive: nothing to execute' }],
        };
      default:
        return action satisfies never;
    }
  }

  /** `retry`: StartJobRun with the failed run's own arguments, then wait for the new run to end. */
  private async retry(ctx: RemediationContext): Promise<RemediationResult> {
    const family = ctx.decision.diagnosis.classification.family;
    if (NEVER_RETRY.has(family))
      return refused('retry', `${withArticle(family)} failure is never retried blindly`);
    const args = rerunArguments(ctx.event);
    if (!args) return refused('retry', 'the failed run arguments are unknown (too large to carry)');
    const steps: RemediationStep[] = [];
    const runId = await this.startRun(ctx.event.job, args, steps);
    if (!runId) return { action: 'retry', steps, error: { code: 'E_REMOTE', message: last(steps) } };
    const rerun = await this.waitForRun(ctx.event.job, runId, steps);
    return { action: 'retry', steps, rerun, artifacts: { rerunId: runId } };
  }

  /** `rollback_schema`: UpdateTable with the previous version's TableInput, then re-run the job. */
  private async rollbackSchema(ctx: RemediationContext): Promise<RemediationResult> {
    const steps: RemediationStep[] = [];
    const target = ctx.evidence.datasets.find((d) => d.schemaVersions.length >= 2);
    if (!target) return refused('rollback_schema', 'no dataset has a previous catalog version');
    const { database, table } = resolveTable(target.dataset, this.o.database, this.o.tables);
    const resource = `${database}.${table}`;
    try {
      const versions = await awsCall('glue:GetTableVersions', resource, () =>
        this.glue.getTableVersions({ DatabaseName: database, TableName: table }),
      );
      const ordered = (versions.TableVersions ?? [])
        .filter((v) => v.Table && v.VersionId !== undefined)
        .sort((a, b) => Number(a.VersionId) - Number(b.VersionId));
      const current = ordered.at(-1);
      const previous = ordered.at(-2);
      if (!current || !previous?.Table)
        return refused('rollback_schema', `${resource} has no previous version`);
      await awsCall('glue:UpdateTable', resource, () =>
        this.glue.updateTable({
          DatabaseName: database,
          TableInput: tableInputOf(previous.Table!),
          // Optimistic concurrency: fail if someone changed the table since we read it.
          VersionId: current.VersionId,
        }),
      );
      steps.push({
        name: 'update_table',
        status: 'applied',
        detail: `${resource}: restored version ${previous.VersionId} (bad version ${current.VersionId} archived)`,
      });
      const after = await awsCall('glue:GetTable', resource, () =>
        this.glue.getTable({ DatabaseName: database, Name: table }),
      );
      const schema = after.Table
        ? glueTableToSchema(target.dataset, after.Table, after.Table.VersionId)
        : undefined;
      const args = rerunArguments(ctx.event);
      if (!args) steps.push({ name: 'rerun', status: 'skipped', detail: 'run arguments unknown' });
      const runId = args ? await this.startRun(ctx.event.job, args, steps) : undefined;
      const rerun = runId ? await this.waitForRun(ctx.event.job, runId, steps) : undefined;
      return {
        action: 'rollback_schema',
        steps,
        rerun,
        artifacts: {
          table: resource,
          restoredFromVersion: previous.VersionId!,
          archivedVersion: current.VersionId!,
          ...(runId ? { rerunId: runId } : {}),
        },
        output: { dataset: target.dataset, schema },
      };
    } catch (error) {
      steps.push({ name: 'rollback_schema', status: 'failed', detail: oneLine(error) });
      return { action: 'rollback_schema', steps, error: errorOf(error) };
    }
  }

  /** `coerce_schema` / `quarantine`: run the remediation job, read its accounting, re-run the job. */
  private async remediate(action: 'coerce_schema' | 'quarantine', ctx: RemediationContext) {
    const job = this.o.remediationJobName;
    if (!job) return refused(action, 'no remediation job is configured (HEALER_REMEDIATION_JOB)');
    if (action === 'quarantine' && !this.o.quarantineUri)
      return refused(action, 'no quarantine store is configured');
    const target = pickDataset(ctx.evidence);
    const binding = ctx.pipeline.datasets.find((d) => d.dataset === target?.dataset);
    if (!target?.contract || !binding) return refused(action, 'no dataset with a contract to remediate');
    const current = target.currentSchema ?? target.schemaVersions.at(-1);
    const steps: RemediationStep[] = [];
    const base = this.o.remediatedUri ?? this.o.quarantineUri;
    if (!base) return refused(action, 'no remediated location is configured');
    const remediated = joinS3(base, `remediated/${ctx.incidentId}/`);
    const quarantine = joinS3(this.o.quarantineUri ?? base, `quarantine/${ctx.incidentId}/`);
    const args: Record<string, string> = {
      '--healer_action': action,
      '--incident_id': ctx.incidentId,
      '--input_path': binding.location,
      '--remediated_path': remediated,
      '--quarantine_path': quarantine,
      '--contract': JSON.stringify(remediationContract(target.contract, current, ctx.decision.diagnosis)),
    };
    const runId = await this.startRun(job, args, steps);
    if (!runId) return { action, steps, error: { code: 'E_REMOTE', message: last(steps) } };
    const remediation = await this.waitForRun(job, runId, steps);
    const artifacts: Record<string, string> = { remediationRunId: runId, remediated, quarantine };
    if (remediation.status !== 'succeeded')
      return {
        action,
        steps,
        artifacts,
        error: { code: 'E_REMOTE', message: `remediation job ${runId} failed` },
      };
    const rows = await this.readAccounting(joinS3(remediated, '_healer_accounting.json'), steps);
    const rerunArgs = rerunArguments(ctx.event, { [this.o.inputArgument]: remediated });
    if (!rerunArgs) steps.push({ name: 'rerun', status: 'skipped', detail: 'run arguments unknown' });
    const rerunId = rerunArgs ? await this.startRun(ctx.event.job, rerunArgs, steps) : undefined;
    const rerun = rerunId ? await this.waitForRun(ctx.event.job, rerunId, steps) : undefined;
    if (rerunId) artifacts.rerunId = rerunId;
    return {
      action,
      steps,
      rows,
      rerun,
      artifacts,
      output: { dataset: target.dataset, schema: target.contract.schema },
    };
  }

  /** StartJobRun with bounded exponential backoff and full jitter on retryable errors. */
  private async startRun(job: string, args: Record<string, string>, steps: RemediationStep[]) {
    for (let attempt = 1; ; attempt++) {
      try {
        const started = await awsCall('glue:StartJobRun', job, () =>
          this.glue.startJobRun({ JobName: job, Arguments: args }),
        );
        steps.push({ name: `start_job_run:${job}`, status: 'applied', detail: started.JobRunId });
        return started.JobRunId;
      } catch (error) {
        if (!isRetryableAwsError(error) || attempt >= this.o.startAttempts) {
          steps.push({ name: `start_job_run:${job}`, status: 'failed', detail: oneLine(error) });
          return undefined;
        }
        const cap = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** (attempt - 1));
        await this.o.clock.sleep(Math.floor(this.o.random() * cap));
      }
    }
  }

  /** Polls GetJobRun until a terminal state or the bound; a run still going counts as failed. */
  private async waitForRun(job: string, runId: string, steps: RemediationStep[]) {
    const deadline = this.o.clock.now().getTime() + this.o.pollTimeoutMs;
    for (;;) {
      const got = await awsCall('glue:GetJobRun', `${job}/${runId}`, () =>
        this.glue.getJobRun({ JobName: job, RunId: runId }),
      );
      const state = got.JobRun?.JobRunState ?? 'UNKNOWN';
      if (TERMINAL.has(state)) {
        const ok = state === 'SUCCEEDED';
        steps.push({
          name: `job_run:${job}`,
          status: ok ? 'applied' : 'failed',
          detail: `${runId} ${state}`,
        });
        return {
          runId,
          status: ok ? ('succeeded' as const) : ('failed' as const),
          errorMessage: got.JobRun?.ErrorMessage,
        };
      }
      if (this.o.clock.now().getTime() >= deadline) {
        steps.push({
          name: `job_run:${job}`,
          status: 'failed',
          detail: `${runId} still ${state} after the poll bound`,
        });
        return {
          runId,
          status: 'failed' as const,
          errorMessage: `still ${state} after ${this.o.pollTimeoutMs} ms`,
        };
      }
      await this.o.clock.sleep(this.o.pollIntervalMs);
    }
  }

  private async readAccounting(uri: string, steps: RemediationStep[]): Promise<RowAccounting | undefined> {
    const { bucket, key } = parseS3Uri(uri);
    try {
      const got = await awsCall('s3:GetObject', uri, () => this.s3.getObject({ Bucket: bucket, Key: key }));
      const parsed = accountingSchema.parse(JSON.parse((await got.Body?.transformToString()) ?? ''));
      steps.push({ name: 'row_accounting', status: 'applied', detail: JSON.stringify(parsed) });
      return {
        rowsIn: parsed.rowsIn,
        rowsDelivered: parsed.rowsDelivered,
        rowsQuarantined: parsed.rowsQuarantined,
      };
    } catch (error) {
      steps.push({ name: 'row_accounting', status: 'failed', detail: oneLine(error) });
      return undefined;
    }
  }
}

/** What the PySpark remediation script reads from `--contract`. */
export interface RemediationContract {
  dataset: string;
  columns: { name: string; type: string; nullable: boolean }[];
  renames: { from: string; to: string }[];
}

/** The contract's top-level columns plus the renames that map current names back to contract names. */
export function remediationContract(
  contract: DatasetContract,
  current: TableSchema | undefined,
  diagnosis: Diagnosis,
): RemediationContract {
  const plan = current ? planCoercion(contract.schema, current, diagnosis.findings) : undefined;
  return {
    dataset: contract.dataset,
    columns: contract.schema.fields
      .filter((f) => !f.path.includes('.'))
      .map((f) => ({ name: f.path, type: f.type, nullable: f.nullable })),
    renames: plan?.renames ?? [],
  };
}

/** Glue's GetTable output minus the read-only fields UpdateTable rejects. */
export function tableInputOf(table: Table): TableInput {
  return {
    Name: table.Name,
    Description: table.Description,
    Owner: table.Owner,
    LastAccessTime: table.LastAccessTime,
    LastAnalyzedTime: table.LastAnalyzedTime,
    Retention: table.Retention,
    StorageDescriptor: table.StorageDescriptor,
    PartitionKeys: table.PartitionKeys,
    ViewOriginalText: table.ViewOriginalText,
    ViewExpandedText: table.ViewExpandedText,
    TableType: table.TableType,
    Parameters: table.Parameters,
    TargetTable: table.TargetTable,
  };
}

function pickDataset(evidence: Evidence): DatasetEvidence | undefined {
  return evidence.datasets.find((d) => d.contract) ?? evidence.datasets[0];
}

function refused(action: Action, reason: string): RemediationResult {
  return {
    action,
    steps: [{ name: action, status: 'skipped', detail: reason }],
    error: { code: 'E_REFUSED', message: reason },
  };
}

function last(steps: RemediationStep[]): string {
  return steps.at(-1)?.detail ?? 'unknown';
}

function errorOf(error: unknown) {
  return {
    code:
      error instanceof HealerError ? error.code : error instanceof AwsRemoteError ? 'E_REMOTE' : 'E_INTERNAL',
    message: oneLine(error),
  };
}

// Executes healer's active actions through the Glue API, one executor per action: `retry`,
// `scale_resources` and `defer` live in glue-actions/; here `rollback_schema` (UpdateTable with the
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
import { oneLine } from '../../core/errors.js';
import type { DatasetEvidence, Evidence } from '../../core/evidence.js';
import type { RemediationResult, RemediationStep, RowAccounting } from '../../core/outcome.js';
import { passiveResult, refusedResult } from '../../core/outcome.js';
import type { TableSchema } from '../../core/schema.js';
import type { Clock, RemediationContext, Remediator } from '../../ports.js';
import { awsCall } from './aws-errors.js';
import { glueDefer, glueDeferCondition, type SchedulerClientLike } from './glue-actions/defer.js';
import { errorOf, GlueJobRuns, lastDetail as last } from './glue-actions/job-runs.js';
import { glueRetry } from './glue-actions/retry.js';
import { glueScaleResources, glueScaleStep } from './glue-actions/scale-resources.js';
import { glueTableToSchema, resolveTable } from './glue-catalog.js';
import { rerunArguments } from './glue-event.js';
import { joinS3, parseS3Uri } from './s3-uri.js';

/** The Glue calls the remediator uses. */
export type GlueRemediatorClientLike = Pick<
  Glue,
  'startJobRun' | 'getJobRun' | 'getJob' | 'getTable' | 'getTableVersions' | 'updateTable'
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
  /** EventBridge Scheduler client; with `schedulerRoleArn`, `defer` schedules the rerun. */
  scheduler?: SchedulerClientLike;
  /** Role the schedule assumes to call glue:StartJobRun (HEALER_SCHEDULER_ROLE_ARN). */
  schedulerRoleArn?: string;
  /** Schedule group of deferred reruns; default `default`. */
  scheduleGroup?: string;
  /** First `defer` delay, seconds, doubled per deferral of a run chain. Default 60. */
  deferBaseSeconds?: number;
}

/** Settings without a default: each one absent turns a feature off. */
type OptionalSetting =
  | 'remediationJobName'
  | 'quarantineUri'
  | 'remediatedUri'
  | 'scheduler'
  | 'schedulerRoleArn'
  | 'scheduleGroup';

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
  private readonly runs: GlueJobRuns;
  private readonly o: Required<Omit<GlueRemediatorOptions, 'glue' | 's3' | OptionalSetting>> &
    Pick<GlueRemediatorOptions, OptionalSetting>;

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
      deferBaseSeconds: 60,
      ...options,
    };
    this.runs = new GlueJobRuns(this.glue, this.o.clock, this.o);
  }

  async capabilities(
    context: Omit<RemediationContext, 'decision'> & { diagnosis: Diagnosis },
  ): Promise<Capabilities> {
    const supported: Action[] = [
      'retry',
      'rollback_schema',
      'scale_resources',
      'defer',
      'escalate',
      'log_only',
    ];
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
    // Capacity unreadable (a job Glue does not know, no glue:GetJob): no step, so G17 vetoes scaling.
    const scaleStep = await glueScaleStep(this.glue, context).catch(() => undefined);
    const deferCondition = glueDeferCondition(context.event.job, context.diagnosis);
    return {
      supported,
      ...(scaleStep ? { scaleStep } : {}),
      ...(deferCondition ? { deferCondition } : {}),
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
        return glueRetry(this.runs, context);
      case 'rollback_schema':
        return this.rollbackSchema(context);
      case 'coerce_schema':
      case 'quarantine':
        return this.remediate(action, context);
      case 'scale_resources':
        return glueScaleResources(this.glue, this.runs, context);
      case 'defer':
        return glueDefer(
          this.runs,
          {
            clock: this.o.clock,
            baseDelaySeconds: this.o.deferBaseSeconds,
            scheduler: this.o.scheduler,
            roleArn: this.o.schedulerRoleArn,
            group: this.o.scheduleGroup,
          },
          context,
        );
      case 'escalate':
      case 'log_only':
        return passiveResult(action);
      default:
        return action satisfies never;
    }
  }

  /** `rollback_schema`: UpdateTable with the previous version's TableInput, then re-run the job. */
  private async rollbackSchema(ctx: RemediationContext): Promise<RemediationResult> {
    const steps: RemediationStep[] = [];
    const target = ctx.evidence.datasets.find((d) => d.schemaVersions.length >= 2);
    if (!target) return refusedResult('rollback_schema', 'no dataset has a previous catalog version');
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
        return refusedResult('rollback_schema', `${resource} has no previous version`);
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
      const runId = args ? await this.runs.start(ctx.event.job, args, steps) : undefined;
      const rerun = runId ? await this.runs.wait(ctx.event.job, runId, steps) : undefined;
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
    if (!job) return refusedResult(action, 'no remediation job is configured (HEALER_REMEDIATION_JOB)');
    if (action === 'quarantine' && !this.o.quarantineUri)
      return refusedResult(action, 'no quarantine store is configured');
    const target = pickDataset(ctx.evidence);
    const binding = ctx.pipeline.datasets.find((d) => d.dataset === target?.dataset);
    if (!target?.contract || !binding)
      return refusedResult(action, 'no dataset with a contract to remediate');
    const current = target.currentSchema ?? target.schemaVersions.at(-1);
    const steps: RemediationStep[] = [];
    const base = this.o.remediatedUri ?? this.o.quarantineUri;
    if (!base) return refusedResult(action, 'no remediated location is configured');
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
    const runId = await this.runs.start(job, args, steps);
    if (!runId) return { action, steps, error: { code: 'E_REMOTE', message: last(steps) } };
    const remediation = await this.runs.wait(job, runId, steps);
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
    const rerunId = rerunArgs ? await this.runs.start(ctx.event.job, rerunArgs, steps) : undefined;
    const rerun = rerunId ? await this.runs.wait(ctx.event.job, rerunId, steps) : undefined;
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

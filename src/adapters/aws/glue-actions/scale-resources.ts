// `scale_resources` on Glue: the job's current capacity (the failed run's NumberOfWorkers and
// WorkerType, else the job's), one step up within the authority's caps (core nextScaleStep), its
// cost estimated in DPU-hours, and a rerun with those capacity overrides. Before/after settings and
// the cost go into the result, so the audit's action record carries them.

import type { Glue } from '@aws-sdk/client-glue';
import type { Diagnosis } from '../../../core/decision.js';
import type { RemediationResult, RemediationStep } from '../../../core/outcome.js';
import { refusedResult } from '../../../core/outcome.js';
import {
  capViolation,
  DPU_PER_WORKER,
  dpuHours,
  effectiveCaps,
  nextScaleStep,
  type ResourceCaps,
  type ResourceSettings,
  type ScaleStep,
  WORKER_TYPES,
  type WorkerType,
} from '../../../core/resources.js';
import type { RemediationContext } from '../../../ports.js';
import { awsCall } from '../aws-errors.js';
import { rerunArguments } from '../glue-event.js';
import { isCapacityLimit } from './capacity-limit.js';
import { errorOf, type GlueJobRuns, lastDetail } from './job-runs.js';

/** The Glue reads that tell a job's capacity and how long its failed run took. */
export type GlueCapacityReaderLike = Pick<Glue, 'getJob' | 'getJobRun'>;

/** Glue's default job timeout, minutes: the bound on a run's duration when nothing better is known. */
const GLUE_DEFAULT_TIMEOUT_MINUTES = 2880;

/** What a job ran with, and the hours one run is estimated to take (with where that came from). */
export interface GlueCapacity {
  settings: ResourceSettings;
  hours: number;
  hoursBasis: string;
}

/**
 * The capacity the failed run had: its own NumberOfWorkers/WorkerType (StartJobRun overrides
 * included), else the job's. Undefined when the job uses a worker type healer does not size
 * (Standard, MaxCapacity, Ray/Z types): healer never guesses a capacity it cannot price.
 */
export async function glueCapacity(
  glue: GlueCapacityReaderLike,
  job: string,
  runId: string,
): Promise<GlueCapacity | undefined> {
  const run = await awsCall('glue:GetJobRun', `${job}/${runId}`, () =>
    glue.getJobRun({ JobName: job, RunId: runId }),
  ).then(
    (r) => r.JobRun,
    // An event for a run Glue no longer knows: the job's settings still tell the capacity.
    () => undefined,
  );
  const definition = (await awsCall('glue:GetJob', job, () => glue.getJob({ JobName: job }))).Job;
  const workers = run?.NumberOfWorkers ?? definition?.NumberOfWorkers;
  const workerType = run?.WorkerType ?? definition?.WorkerType;
  if (workers === undefined || !isWorkerType(workerType)) return undefined;
  const seconds = run?.ExecutionTime ?? 0;
  const timeout = run?.Timeout ?? definition?.Timeout ?? GLUE_DEFAULT_TIMEOUT_MINUTES;
  return {
    settings: { workers, workerType },
    ...(seconds > 0
      ? { hours: seconds / 3600, hoursBasis: `the failed run's execution time (${seconds} s)` }
      : { hours: timeout / 60, hoursBasis: `the job timeout (${timeout} min)` }),
  };
}

/**
 * The step `scale_resources` would take for this failure, with its cost: only for a resource
 * failure that more capacity can fix (not a concurrency or account limit), only with caps.
 *
 * @example
 * const step = await glueScaleStep(glue, ctx); // { before: {workers: 2, ...}, after: {workers: 4, ...}, costDpuHours }
 */
export async function glueScaleStep(
  glue: GlueCapacityReaderLike,
  ctx: Pick<RemediationContext, 'event' | 'pipeline'> & { diagnosis: Diagnosis },
): Promise<(ScaleStep & { hoursBasis: string }) | undefined> {
  if (ctx.diagnosis.classification.family !== 'resource' || isCapacityLimit(ctx.diagnosis)) return undefined;
  const caps = ctx.pipeline.authority.resources;
  if (!caps) return undefined;
  const capacity = await glueCapacity(glue, ctx.event.job, ctx.event.runId);
  if (!capacity) return undefined;
  const step = nextScaleStep(capacity.settings, caps);
  if (!step) return undefined;
  const cost = dpuHours(step.after, capacity.hours);
  return {
    ...step,
    // Rounded up to a thousandth, so rounding never lets a step slip under the budget.
    ...(cost === undefined ? {} : { costDpuHours: Math.ceil(cost * 1000) / 1000 }),
    hoursBasis: capacity.hoursBasis,
  };
}

/**
 * Re-runs the failed job run with one step more capacity. Refuses (as the guard would) anything
 * but a resource failure, a step outside the caps, or a cost over the budget.
 *
 * @example
 * const result = await glueScaleResources(glue, runs, ctx);
 * result.artifacts?.settingsAfter // '{"workers":4,"workerType":"G.1X"}'
 */
export async function glueScaleResources(
  glue: GlueCapacityReaderLike,
  runs: GlueJobRuns,
  ctx: RemediationContext,
): Promise<RemediationResult> {
  const diagnosis = ctx.decision.diagnosis;
  if (diagnosis.classification.family !== 'resource' || isCapacityLimit(diagnosis))
    return refusedResult('scale_resources', 'more capacity fixes only a job short of memory or disk');
  const caps = ctx.pipeline.authority.resources;
  if (!caps) return refusedResult('scale_resources', 'the authority sets no resource caps');
  let step: Awaited<ReturnType<typeof glueScaleStep>>;
  try {
    step = await glueScaleStep(glue, { event: ctx.event, pipeline: ctx.pipeline, diagnosis });
  } catch (error) {
    return {
      action: 'scale_resources',
      steps: [{ name: 'read_capacity', status: 'failed', detail: errorOf(error).message }],
      error: errorOf(error),
    };
  }
  if (!step)
    return refusedResult(
      'scale_resources',
      'no step up: the capacity is unknown or every setting is at its cap',
    );
  const refusal = outsideCaps(step, caps);
  if (refusal) return refusedResult('scale_resources', refusal);
  const args = rerunArguments(ctx.event);
  if (!args)
    return refusedResult('scale_resources', 'the failed run arguments are unknown (too large to carry)');

  const steps: RemediationStep[] = [
    {
      name: 'scale_resources',
      status: 'applied',
      detail: `${describe(step.before)} → ${describe(step.after)}, estimated ${step.costDpuHours ?? '?'} DPU-hours from ${step.hoursBasis}`,
    },
  ];
  const artifacts: Record<string, string> = {
    settingsBefore: JSON.stringify(step.before),
    settingsAfter: JSON.stringify(step.after),
    costBasis: step.hoursBasis,
  };
  if (step.costDpuHours !== undefined) artifacts.costDpuHours = String(step.costDpuHours);
  const runId = await runs.start(ctx.event.job, args, steps, {
    NumberOfWorkers: step.after.workers,
    WorkerType: step.after.workerType,
  });
  if (!runId)
    return {
      action: 'scale_resources',
      steps,
      artifacts,
      error: { code: 'E_REMOTE', message: lastDetail(steps) },
    };
  artifacts.rerunId = runId;
  const rerun = await runs.wait(ctx.event.job, runId, steps);
  return { action: 'scale_resources', steps, rerun, artifacts };
}

/** Why the step may not be taken (caps, cost budget), or undefined: the guard's G17/G19 once more. */
function outsideCaps(step: ScaleStep, caps: ResourceCaps): string | undefined {
  const violation = capViolation(step, effectiveCaps(caps));
  if (violation) return violation;
  const budget = caps.maxDpuHoursPerRun;
  if (budget === undefined) return undefined;
  if (step.costDpuHours === undefined)
    return 'the cost of the scaled run is unknown and a cost budget is set';
  if (step.costDpuHours > budget)
    return `the scaled run would cost ${step.costDpuHours} DPU-hours (budget ${budget})`;
  return undefined;
}

function isWorkerType(value: string | undefined): value is WorkerType {
  return (WORKER_TYPES as readonly string[]).includes(value ?? '');
}

function describe(settings: ResourceSettings): string {
  const type = settings.workerType;
  return type === undefined
    ? `${settings.workers} workers`
    : `${settings.workers} × ${type} (${(settings.workers ?? 0) * DPU_PER_WORKER[type]} DPU)`;
}

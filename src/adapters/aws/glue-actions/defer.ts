// `defer` on Glue: instead of re-running at once, re-run after a delay that doubles with each
// deferral of the run chain, within the authority's total wait bound. With a scheduler role
// configured, the rerun is a one-time EventBridge Scheduler schedule (`at(...)`) that calls Glue
// StartJobRun, named after the chain and the deferral so a redelivered event cannot schedule it
// twice; without one, the executor waits on the Clock and re-runs itself. The chain's deferrals
// and the time already waited travel in the rerun's arguments, so the bound holds across runs.

import { createHash } from 'node:crypto';
import type { Scheduler } from '@aws-sdk/client-scheduler';
import type { Diagnosis } from '../../../core/decision.js';
import { HealerError } from '../../../core/errors.js';
import type { RemediationResult, RemediationStep } from '../../../core/outcome.js';
import { refusedResult } from '../../../core/outcome.js';
import { effectiveDeferBounds } from '../../../core/resources.js';
import type { Clock, RemediationContext } from '../../../ports.js';
import { awsCall } from '../aws-errors.js';
import { rerunArguments, runArguments } from '../glue-event.js';
import { isCapacityLimit } from './capacity-limit.js';
import { errorOf, type GlueJobRuns, lastDetail } from './job-runs.js';

/** The scheduler call `defer` uses. */
export type SchedulerClientLike = Pick<Scheduler, 'createSchedule'>;

/** Job arguments that carry a chain's deferrals and the seconds it has waited so far. */
export const DEFERRALS_ARGUMENT = '--healer_deferrals';
export const DEFERRED_SECONDS_ARGUMENT = '--healer_deferred_seconds';

/** EventBridge Scheduler's universal target for Glue StartJobRun. */
export const GLUE_START_JOB_RUN_TARGET = 'arn:aws:scheduler:::aws-sdk:glue:startJobRun';

export interface GlueDeferOptions {
  clock: Clock;
  /** First delay, seconds; each further deferral of the chain doubles it. */
  baseDelaySeconds: number;
  /** Schedules the rerun when set (with `roleArn`); otherwise the executor waits and re-runs. */
  scheduler?: SchedulerClientLike;
  /** Role EventBridge Scheduler assumes to call glue:StartJobRun. */
  roleArn?: string;
  /** Schedule group; default `default`. */
  group?: string;
}

/**
 * What `defer` would wait for, or undefined when waiting cannot help: throttling to pass, a free
 * run slot or capacity, the upstream input to be ready.
 *
 * @example
 * glueDeferCondition('orders-etl', diagnosis) // 'a free run slot or capacity for orders-etl'
 */
export function glueDeferCondition(job: string, diagnosis: Diagnosis): string | undefined {
  switch (diagnosis.classification.family) {
    case 'transient':
      return `throttling or the transient fault on ${job} to pass`;
    case 'dependency':
      return `the upstream input of ${job} to be ready`;
    case 'resource':
      return isCapacityLimit(diagnosis) ? `a free run slot or capacity for ${job}` : undefined;
    default:
      return undefined;
  }
}

/** How far the chain has deferred already, read from the failed run's arguments. */
export function deferralsSoFar(ctx: Pick<RemediationContext, 'event'>): {
  deferrals: number;
  waitedSeconds: number;
} {
  const args = runArguments(ctx.event) ?? {};
  const count = (value: string | undefined) => {
    const n = Number(value ?? 0);
    return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
  };
  return {
    deferrals: count(args[DEFERRALS_ARGUMENT]),
    waitedSeconds: count(args[DEFERRED_SECONDS_ARGUMENT]),
  };
}

/**
 * Defers the rerun of the failed job run. The result is an error (the incident escalates) when the
 * chain has already waited its whole bound.
 *
 * @example
 * const result = await glueDefer(runs, { clock, baseDelaySeconds: 60, scheduler, roleArn }, ctx);
 * result.artifacts?.scheduledAt // '2026-11-22T12:01:00Z'
 */
export async function glueDefer(
  runs: GlueJobRuns,
  options: GlueDeferOptions,
  ctx: RemediationContext,
): Promise<RemediationResult> {
  const job = ctx.event.job;
  const condition = glueDeferCondition(job, ctx.decision.diagnosis);
  if (!condition) return refusedResult('defer', 'waiting does not fix this failure');
  const bounds = effectiveDeferBounds(ctx.pipeline.authority.defer);
  const sofar = deferralsSoFar(ctx);
  const remaining = bounds.maxWaitSeconds - sofar.waitedSeconds;
  if (remaining <= 0 || sofar.deferrals >= bounds.maxDeferralsPerRun) {
    const message = `the run chain has deferred ${sofar.deferrals} time(s) and waited ${sofar.waitedSeconds} s (bound ${bounds.maxDeferralsPerRun} deferrals, ${bounds.maxWaitSeconds} s): a human decides`;
    return {
      action: 'defer',
      steps: [{ name: 'defer', status: 'failed', detail: message }],
      error: { code: 'E_BUDGET', message },
    };
  }
  const deferral = sofar.deferrals + 1;
  const delaySeconds = Math.min(options.baseDelaySeconds * 2 ** sofar.deferrals, remaining);
  const args = rerunArguments(ctx.event, {
    [DEFERRALS_ARGUMENT]: String(deferral),
    [DEFERRED_SECONDS_ARGUMENT]: String(sofar.waitedSeconds + delaySeconds),
  });
  if (!args) return refusedResult('defer', 'the failed run arguments are unknown (too large to carry)');
  const at = new Date(options.clock.now().getTime() + delaySeconds * 1000);
  const artifacts: Record<string, string> = {
    condition,
    deferral: String(deferral),
    delaySeconds: String(delaySeconds),
    scheduledAt: `${at.toISOString().slice(0, 19)}Z`,
  };
  const steps: RemediationStep[] = [];
  if (options.scheduler && options.roleArn)
    return schedule(
      options,
      { job, args, at, deferral, rootRunId: args['--healer_root_run_id'] ?? '' },
      steps,
      artifacts,
    );

  // No scheduler: wait here, then run; the run itself shows whether the condition has passed.
  await options.clock.sleep(delaySeconds * 1000);
  steps.push({ name: 'wait', status: 'applied', detail: `waited ${delaySeconds} s for ${condition}` });
  const runId = await runs.start(job, args, steps);
  if (!runId)
    return { action: 'defer', steps, artifacts, error: { code: 'E_REMOTE', message: lastDetail(steps) } };
  artifacts.rerunId = runId;
  const rerun = await runs.wait(job, runId, steps);
  return { action: 'defer', steps, rerun, artifacts };
}

/** CreateSchedule for the rerun; a schedule of the same name means an earlier delivery made it. */
async function schedule(
  options: GlueDeferOptions,
  run: { job: string; args: Record<string, string>; at: Date; deferral: number; rootRunId: string },
  steps: RemediationStep[],
  artifacts: Record<string, string>,
): Promise<RemediationResult> {
  const name = scheduleName(run.job, run.rootRunId, run.deferral);
  artifacts.schedule = name;
  try {
    await awsCall('scheduler:CreateSchedule', name, () =>
      options.scheduler!.createSchedule({
        Name: name,
        GroupName: options.group,
        ScheduleExpression: `at(${run.at.toISOString().slice(0, 19)})`,
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Description: `healer: deferred rerun ${run.deferral} of ${run.job} (chain ${run.rootRunId})`,
        Target: {
          Arn: GLUE_START_JOB_RUN_TARGET,
          RoleArn: options.roleArn!,
          Input: JSON.stringify({ JobName: run.job, Arguments: run.args }),
        },
      }),
    );
    steps.push({ name: 'schedule_rerun', status: 'applied', detail: `${name} at ${artifacts.scheduledAt}` });
  } catch (error) {
    if (error instanceof HealerError && error.context.awsError === 'ConflictException') {
      steps.push({
        name: 'schedule_rerun',
        status: 'skipped',
        detail: `${name} already exists: an earlier delivery of this event scheduled the rerun`,
      });
    } else {
      steps.push({ name: 'schedule_rerun', status: 'failed', detail: errorOf(error).message });
      return { action: 'defer', steps, artifacts, error: errorOf(error) };
    }
  }
  return { action: 'defer', steps, artifacts };
}

/**
 * One name per chain and deferral (Scheduler names: 1-64 of `[0-9A-Za-z_.-]`): the job for people,
 * a hash of job, chain and deferral for uniqueness.
 */
export function scheduleName(job: string, rootRunId: string, deferral: number): string {
  const hash = createHash('sha256').update(`${job}\n${rootRunId}\n${deferral}`).digest('hex').slice(0, 16);
  return `healer-defer-${job.replace(/[^0-9A-Za-z_.-]/g, '-').slice(0, 30)}-${deferral}-${hash}`;
}

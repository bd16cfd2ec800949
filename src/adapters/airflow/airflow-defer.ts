// `defer` on Airflow: the failed task instance runs again later instead of at once. The delay
// doubles with each deferral of the instance chain and the chain's total wait stays within the
// authority's `defer.maxWaitSeconds`. A delay the watcher can wait out (up to `clearWithinSeconds`)
// is waited on the Clock, then the instance is cleared and its new try followed, like `retry`;
// Airflow's clear has no "start later" setting, so a longer delay triggers a new DAG run whose
// `run_after` is the deferred time (the scheduler starts no queued run before its `run_after`).
// That run is a new instance chain for the state store, so its id carries the deferral number and
// a failure of it counts on from there: the bound holds across deferred runs too.

import { createHash } from 'node:crypto';
import type { Diagnosis } from '../../core/decision.js';
import { HealerError } from '../../core/errors.js';
import type { RemediationResult, RemediationStep } from '../../core/outcome.js';
import { effectiveDeferBounds } from '../../core/resources.js';
import type { Clock, RemediationContext } from '../../ports.js';
import type { AirflowClientLike, AirflowTaskInstance } from './airflow-client.js';
import { instanceKey, type TaskInstanceRef, taskInstanceOf } from './airflow-event.js';

export interface AirflowDeferOptions {
  client: AirflowClientLike;
  clock: Clock;
  /** The first deferral's delay, seconds; each further deferral of the chain doubles it. */
  baseSeconds: number;
  /** Delays up to this are waited by the watcher and end in a clear; longer ones trigger a later run. */
  clearWithinSeconds: number;
  /**
   * The deferrals of this instance chain counted so far, this one included (the agent counts a
   * `defer` before it executes it). Undefined or failing: this is taken as the first.
   */
  deferralsSoFar?: (ctx: RemediationContext) => Promise<number>;
  /** Follows the try after `previousTry` to its end (the remediator's own follow-up of a clear). */
  follow: (
    ti: TaskInstanceRef,
    previousTry: number,
    steps: RemediationStep[],
  ) => Promise<NonNullable<RemediationResult['rerun']>>;
}

/**
 * What waiting would be for, or undefined when waiting cannot fix the failure: a throttle or a
 * transient fault to pass, or the upstream input to be delivered.
 *
 * @example
 * airflowDeferCondition('partner_feed/wait_and_load', diagnosis) // 'the upstream input of … to be ready'
 */
export function airflowDeferCondition(pipeline: string, diagnosis: Diagnosis): string | undefined {
  switch (diagnosis.classification.family) {
    case 'transient':
      return `throttling or the transient fault on ${pipeline} to pass`;
    case 'dependency':
      return `the upstream input of ${pipeline} to be ready`;
    default:
      return undefined;
  }
}

/** The delay of deferral `n` (1-based) and the wait the chain has already spent before it. */
export function deferralDelay(
  n: number,
  baseSeconds: number,
): { delaySeconds: number; waitedBeforeSeconds: number } {
  const k = Math.max(1, Math.floor(n));
  return { delaySeconds: baseSeconds * 2 ** (k - 1), waitedBeforeSeconds: baseSeconds * (2 ** (k - 1) - 1) };
}

/** Executes `defer` for the failed try in `ctx` (see the file header). */
export async function airflowDefer(
  o: AirflowDeferOptions,
  ctx: RemediationContext,
): Promise<RemediationResult> {
  const condition = airflowDeferCondition(ctx.event.pipeline, ctx.decision.diagnosis);
  if (!condition) return stop([], 'E_REFUSED', 'waiting does not fix this failure', 'skipped');
  const bounds = effectiveDeferBounds(ctx.pipeline.authority.defer);
  const ti = taskInstanceOf(ctx.event);
  const counted = await (o.deferralsSoFar?.(ctx) ?? Promise.resolve(1)).catch(() => 1);
  const n = carriedDeferrals(ti.runId) + Math.max(1, counted);
  const { delaySeconds: wanted, waitedBeforeSeconds } = deferralDelay(n, o.baseSeconds);
  const remaining = bounds.maxWaitSeconds - waitedBeforeSeconds;
  // Checked here too (the guard checks the count): the time bound depends on the chain's history.
  if (remaining <= 0 || n > bounds.maxDeferralsPerRun)
    return stop(
      [],
      'E_BUDGET',
      `the instance has deferred ${n - 1} time(s) and waited ${waitedBeforeSeconds} s (bound ${bounds.maxDeferralsPerRun} deferrals, ${bounds.maxWaitSeconds} s): a human decides`,
    );
  const delaySeconds = Math.min(wanted, remaining);
  const steps: RemediationStep[] = [];
  const at = new Date(o.clock.now().getTime() + delaySeconds * 1000);
  const artifacts: Record<string, string> = {
    condition,
    deferral: String(n),
    delaySeconds: String(delaySeconds),
    deferredUntil: at.toISOString(),
  };
  const deferral = { condition, waitedMs: 0, polls: 0, met: false };

  if (delaySeconds > o.clearWithinSeconds) {
    const runId = deferredRunId(ti, n);
    artifacts.dagRunId = runId;
    try {
      await o.client.triggerDagRun(
        ti.dagId,
        runId,
        at,
        `healer ${ctx.incidentId}: deferral ${n} of ${instanceKey(ti)} (waiting for ${condition})`,
      );
      steps.push({
        name: 'trigger_deferred_run',
        status: 'applied',
        detail: `${runId} runs after ${artifacts.deferredUntil}`,
      });
    } catch (error) {
      // The same run id exists: an earlier delivery of this event triggered it already.
      if (error instanceof HealerError && error.context.status === 409)
        steps.push({ name: 'trigger_deferred_run', status: 'skipped', detail: `${runId} exists already` });
      else
        return {
          ...stop(steps, codeOf(error), messageOf(error), 'failed', 'trigger_deferred_run'),
          artifacts,
        };
    }
    return { action: 'defer', steps, artifacts, deferral };
  }

  // Short enough to wait here; the instance must still be the failed try when the wait is over.
  await o.clock.sleep(delaySeconds * 1000);
  steps.push({ name: 'wait', status: 'applied', detail: `waited ${delaySeconds} s for ${condition}` });
  deferral.waitedMs = delaySeconds * 1000;
  let before: AirflowTaskInstance;
  try {
    before = await o.client.getTaskInstance(ti.dagId, ti.runId, ti.taskId, ti.mapIndex);
  } catch (error) {
    return {
      ...stop(steps, codeOf(error), messageOf(error), 'failed', 'read_task_instance'),
      artifacts,
      deferral,
    };
  }
  if (before.state !== 'failed' || before.try_number !== ti.tryNumber)
    return {
      ...stop(
        steps,
        'E_REFUSED',
        `the instance moved while healer waited (instance ${before.state ?? 'none'}, try ${before.try_number})`,
        'skipped',
        'clear_task_instance',
      ),
      artifacts,
      deferral,
    };
  try {
    const cleared = await o.client.clearTaskInstance(ti.dagId, ti.runId, ti.taskId, ti.mapIndex);
    steps.push({
      name: 'clear_task_instance',
      status: 'applied',
      detail: `${ti.dagId}.${ti.taskId} in ${ti.runId}: ${cleared.length} instance(s) cleared after ${delaySeconds} s`,
    });
  } catch (error) {
    return {
      ...stop(steps, codeOf(error), messageOf(error), 'failed', 'clear_task_instance'),
      artifacts,
      deferral,
    };
  }
  const rerun = await o.follow(ti, before.try_number, steps);
  deferral.met = rerun.status === 'succeeded';
  deferral.polls = 1;
  artifacts.rerunId = rerun.runId;
  return { action: 'defer', steps, rerun, artifacts, deferral };
}

/**
 * One DAG run id per instance chain and deferral, so a redelivered event cannot trigger it twice
 * (Airflow answers 409 for an existing id).
 */
export function deferredRunId(ti: TaskInstanceRef, deferral: number): string {
  const hash = createHash('sha256')
    .update(`${instanceKey(ti)}\n${deferral}`)
    .digest('hex')
    .slice(0, 16);
  return `healer_defer__${ti.taskId.slice(0, 60)}__${deferral}__${hash}`;
}

/** The deferrals behind a DAG run healer triggered (its id says which one it was); 0 for others. */
export function carriedDeferrals(runId: string): number {
  const match = /^healer_defer__.*__(\d{1,3})__[0-9a-f]{16}$/.exec(runId);
  return match ? Number(match[1]) : 0;
}

function stop(
  steps: RemediationStep[],
  code: string,
  message: string,
  status: 'failed' | 'skipped' = 'failed',
  name = 'defer',
): RemediationResult {
  return {
    action: 'defer',
    steps: [...steps, { name, status, detail: message }],
    error: { code, message },
  };
}

const codeOf = (error: unknown) => (error instanceof HealerError ? error.code : 'E_INTERNAL');
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

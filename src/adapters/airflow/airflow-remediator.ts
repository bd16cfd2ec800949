// Actions on Airflow. `retry` clears the failed task instance so the scheduler runs a new try, and
// only when Airflow's own retries are spent (the instance is `failed` now, not `up_for_retry`);
// the data actions run through the embedded runtime when the task declares a healer pipeline file
// (an injected Remediator); `defer` clears it later or triggers a later DAG run (airflow-defer.ts).
// Partial failure is reported as steps, not thrown.

import type { Action } from '../../core/action.js';
import type { Capabilities, Diagnosis } from '../../core/decision.js';
import { HealerError } from '../../core/errors.js';
import type { RemediationResult, RemediationStep } from '../../core/outcome.js';
import { passiveResult, refusedResult } from '../../core/outcome.js';
import { NO_RETRY_FAMILIES } from '../../core/safety/rules.js';
import type { Clock, RemediationContext, Remediator } from '../../ports.js';
import type { AirflowClientLike, AirflowTaskInstance } from './airflow-client.js';
import { airflowDefer, airflowDeferCondition } from './airflow-defer.js';
import { instanceKey, type TaskInstanceRef, taskInstanceOf } from './airflow-event.js';

/** The data actions the embedded runtime executes for tasks with a healer pipeline file. */
export const DATA_ACTIONS: readonly Action[] = ['coerce_schema', 'rollback_schema', 'quarantine'];

/** Instance states after which a cleared try has ended. `up_for_retry`: it failed, Airflow retries. */
const ENDED = new Set(['success', 'failed', 'up_for_retry', 'upstream_failed', 'skipped', 'removed']);

export interface AirflowRemediatorOptions {
  client: AirflowClientLike;
  clock: Clock;
  /** Executes data actions for a pipeline (the embedded runtime), when the task has a pipeline file. */
  data?: (pipeline: string) => Promise<Remediator | undefined>;
  /** How long a cleared try is followed, and how often it is polled. */
  rerunTimeoutMs: number;
  pollIntervalMs: number;
  /** `defer`: the first deferral's delay and the longest delay waited before a clear (seconds). */
  defer?: { baseSeconds: number; clearWithinSeconds: number };
  /** The deferrals of the event's instance chain so far, the one executing included. */
  deferralsSoFar?: (context: RemediationContext) => Promise<number>;
}

/** Acts on Airflow task instances. */
export class AirflowRemediator implements Remediator {
  constructor(private readonly o: AirflowRemediatorOptions) {}

  async capabilities(
    context: Omit<RemediationContext, 'decision'> & { diagnosis: Diagnosis },
  ): Promise<Capabilities> {
    const data = await this.o.data?.(context.event.pipeline);
    const base: Capabilities = data
      ? await data.capabilities(context)
      : { supported: [], hasPreviousSchemaVersion: false, coercionSafe: false, hasQuarantineStore: false };
    const supported = base.supported.filter((a) => DATA_ACTIONS.includes(a));
    // Airflow's own retry comes first: healer clears only an instance whose retries are spent.
    const spent = (await this.airflowRetryPending(context.event)) === false;
    if (spent) supported.push('retry');
    const deferCondition = spent
      ? airflowDeferCondition(context.event.pipeline, context.diagnosis)
      : undefined;
    if (deferCondition) supported.push('defer');
    return { ...base, supported, ...(deferCondition ? { deferCondition } : {}) };
  }

  async plannedWrites(action: Action, context: RemediationContext): Promise<string[]> {
    if (!DATA_ACTIONS.includes(action)) return [];
    return (await (await this.o.data?.(context.event.pipeline))?.plannedWrites?.(action, context)) ?? [];
  }

  async execute(action: Action, context: RemediationContext): Promise<RemediationResult> {
    switch (action) {
      case 'retry':
        return this.retry(context);
      case 'coerce_schema':
      case 'rollback_schema':
      case 'quarantine':
        return this.dataAction(action, context);
      case 'defer':
        return airflowDefer(
          {
            client: this.o.client,
            clock: this.o.clock,
            baseSeconds: this.o.defer?.baseSeconds ?? 60,
            clearWithinSeconds: this.o.defer?.clearWithinSeconds ?? 300,
            ...(this.o.deferralsSoFar ? { deferralsSoFar: this.o.deferralsSoFar } : {}),
            follow: (ti, previousTry, steps) => this.follow(ti, previousTry, steps),
          },
          context,
        );
      case 'scale_resources':
        return refusedResult(action, `${action} is not executed on Airflow by this adapter`);
      case 'escalate':
      case 'log_only':
        return passiveResult(action);
      default:
        return action satisfies never;
    }
  }

  /** True while Airflow will run the instance again itself; undefined when Airflow cannot be asked. */
  private async airflowRetryPending(event: RemediationContext['event']): Promise<boolean | undefined> {
    const ti = taskInstanceOf(event);
    try {
      const now = await this.o.client.getTaskInstance(ti.dagId, ti.runId, ti.taskId, ti.mapIndex);
      return now.state !== 'failed' || now.try_number !== ti.tryNumber;
    } catch {
      return undefined;
    }
  }

  /** `retry`: clear the failed instance (a new try), then follow that try to its end. */
  private async retry(ctx: RemediationContext): Promise<RemediationResult> {
    const family = ctx.decision.diagnosis.classification.family;
    if ((NO_RETRY_FAMILIES as readonly string[]).includes(family))
      return refusedResult('retry', `a ${family} failure is never retried`);
    const ti = taskInstanceOf(ctx.event);
    const steps: RemediationStep[] = [];
    let before: AirflowTaskInstance;
    try {
      before = await this.o.client.getTaskInstance(ti.dagId, ti.runId, ti.taskId, ti.mapIndex);
    } catch (error) {
      return failed('retry', steps, 'read_task_instance', error);
    }
    // Checked again at the moment of acting: the instance may have moved since the decision.
    if (before.state !== 'failed' || before.try_number !== ti.tryNumber)
      return refusedResult(
        'retry',
        `Airflow's own retry is pending or done (instance ${before.state ?? 'none'}, try ${before.try_number})`,
      );
    try {
      const cleared = await this.o.client.clearTaskInstance(ti.dagId, ti.runId, ti.taskId, ti.mapIndex);
      steps.push({
        name: 'clear_task_instance',
        status: 'applied',
        detail: `${ti.dagId}.${ti.taskId} in ${ti.runId}: ${cleared.length} instance(s) cleared`,
      });
    } catch (error) {
      return failed('retry', steps, 'clear_task_instance', error);
    }
    const rerun = await this.follow(ti, before.try_number, steps);
    return {
      action: 'retry',
      steps,
      rerun,
      artifacts: { clearedInstance: instanceKey(ti), rerunId: rerun.runId },
    };
  }

  /** Polls the instance until the try after `previousTry` has ended, within the bound. */
  private async follow(
    ti: TaskInstanceRef,
    previousTry: number,
    steps: RemediationStep[],
  ): Promise<NonNullable<RemediationResult['rerun']>> {
    const deadline = this.o.clock.now().getTime() + this.o.rerunTimeoutMs;
    let last = 'cleared';
    let tryNumber = previousTry + 1;
    for (;;) {
      try {
        const now = await this.o.client.getTaskInstance(ti.dagId, ti.runId, ti.taskId, ti.mapIndex);
        last = now.state ?? 'none';
        tryNumber = now.try_number;
        if (now.try_number > previousTry && ENDED.has(last)) {
          const ok = last === 'success';
          steps.push({
            name: 'task_instance_try',
            status: ok ? 'applied' : 'failed',
            detail: `try ${tryNumber} ${last}`,
          });
          return {
            runId: `${instanceKey(ti)}/try${tryNumber}`,
            status: ok ? 'succeeded' : 'failed',
            ...(ok ? {} : { errorMessage: `try ${tryNumber} ended ${last}` }),
          };
        }
      } catch (error) {
        last = `unreadable (${error instanceof Error ? error.message : String(error)})`;
      }
      if (this.o.clock.now().getTime() >= deadline) {
        steps.push({ name: 'task_instance_try', status: 'failed', detail: `try ${tryNumber} still ${last}` });
        return {
          runId: `${instanceKey(ti)}/try${tryNumber}`,
          status: 'failed',
          errorMessage: `still ${last} after ${this.o.rerunTimeoutMs} ms`,
        };
      }
      await this.o.clock.sleep(this.o.pollIntervalMs);
    }
  }

  /**
   * A data action through the embedded runtime. Airflow's instance is marked success only after the
   * agent validated and published the result (the watcher does it), never from here.
   */
  private async dataAction(action: Action, ctx: RemediationContext): Promise<RemediationResult> {
    const data = await this.o.data?.(ctx.event.pipeline);
    if (!data) return refusedResult(action, 'the task declares no healer pipeline file');
    return data.execute(action, ctx);
  }
}

function failed(action: Action, steps: RemediationStep[], step: string, error: unknown): RemediationResult {
  steps.push({ name: step, status: 'failed', detail: message(error) });
  return {
    action,
    steps,
    error: { code: error instanceof HealerError ? error.code : 'E_INTERNAL', message: message(error) },
  };
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

// Starting a Glue job run and waiting for it to end, shared by every action that re-runs a job:
// StartJobRun with bounded exponential backoff and full jitter on throttling or concurrency errors,
// then GetJobRun polled through the Clock until a terminal state or the poll bound.

import type { Glue, StartJobRunCommandInput } from '@aws-sdk/client-glue';
import { HealerError, oneLine } from '../../../core/errors.js';
import type { RemediationStep } from '../../../core/outcome.js';
import type { Clock } from '../../../ports.js';
import { AwsRemoteError, awsCall, isRetryableAwsError } from '../aws-errors.js';

/** The Glue calls a run needs. */
export type GlueRunClientLike = Pick<Glue, 'startJobRun' | 'getJobRun'>;

/** How StartJobRun backs off and GetJobRun polls. */
export interface JobRunTiming {
  startAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  pollIntervalMs: number;
  pollTimeoutMs: number;
  random: () => number;
}

/** Capacity overrides of one run (`scale_resources`); absent: the job's own settings. */
export type RunCapacity = Pick<StartJobRunCommandInput, 'NumberOfWorkers' | 'WorkerType'>;

/** How a re-run ended, as validation reads it. */
export interface RerunOutcome {
  runId: string;
  status: 'succeeded' | 'failed';
  errorMessage?: string;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMEOUT', 'STOPPED', 'ERROR', 'EXPIRED']);

/**
 * Starts and follows Glue job runs, reporting each call as a remediation step.
 *
 * @example
 * const runs = new GlueJobRuns(glue, clock, timing);
 * const runId = await runs.start('orders-etl', args, steps);
 * const rerun = runId ? await runs.wait('orders-etl', runId, steps) : undefined;
 */
export class GlueJobRuns {
  constructor(
    private readonly glue: GlueRunClientLike,
    private readonly clock: Clock,
    private readonly timing: JobRunTiming,
  ) {}

  /** StartJobRun with bounded backoff; the run id, or undefined (the failure is in `steps`). */
  async start(
    job: string,
    args: Record<string, string>,
    steps: RemediationStep[],
    capacity: RunCapacity = {},
  ): Promise<string | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const started = await awsCall('glue:StartJobRun', job, () =>
          this.glue.startJobRun({ JobName: job, Arguments: args, ...capacity }),
        );
        steps.push({ name: `start_job_run:${job}`, status: 'applied', detail: started.JobRunId });
        return started.JobRunId;
      } catch (error) {
        if (!isRetryableAwsError(error) || attempt >= this.timing.startAttempts) {
          steps.push({ name: `start_job_run:${job}`, status: 'failed', detail: oneLine(error) });
          return undefined;
        }
        const cap = Math.min(this.timing.backoffMaxMs, this.timing.backoffBaseMs * 2 ** (attempt - 1));
        await this.clock.sleep(Math.floor(this.timing.random() * cap));
      }
    }
  }

  /** Polls GetJobRun until a terminal state or the bound; a run still going counts as failed. */
  async wait(job: string, runId: string, steps: RemediationStep[]): Promise<RerunOutcome> {
    const deadline = this.clock.now().getTime() + this.timing.pollTimeoutMs;
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
        return { runId, status: ok ? 'succeeded' : 'failed', errorMessage: got.JobRun?.ErrorMessage };
      }
      if (this.clock.now().getTime() >= deadline) {
        steps.push({
          name: `job_run:${job}`,
          status: 'failed',
          detail: `${runId} still ${state} after the poll bound`,
        });
        return {
          runId,
          status: 'failed',
          errorMessage: `still ${state} after ${this.timing.pollTimeoutMs} ms`,
        };
      }
      await this.clock.sleep(this.timing.pollIntervalMs);
    }
  }
}

/** The detail of the last step: what went wrong when a run could not start. */
export function lastDetail(steps: RemediationStep[]): string {
  return steps.at(-1)?.detail ?? 'unknown';
}

/** A thrown error as a result's `error`: domain errors keep their code, AWS errors are E_REMOTE. */
export function errorOf(error: unknown): { code: string; message: string } {
  return {
    code:
      error instanceof HealerError ? error.code : error instanceof AwsRemoteError ? 'E_REMOTE' : 'E_INTERNAL',
    message: oneLine(error),
  };
}

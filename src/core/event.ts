// The FailureEvent: what every runtime (local runner, Glue via EventBridge, simulator) turns its
// failure notification into. Parsed with zod because events cross a trust boundary.

import { z } from 'zod';
import { InvalidEventError } from './errors.js';

export const failureEventSchema = z
  .object({
    /** Unique id of this event (idempotency key material). */
    id: z.string().min(1).max(256),
    /** Which runtime emitted it: `local`, `glue`, `sim`. */
    source: z.string().min(1).max(64),
    /** Pipeline (or Glue job) name, used to look up authority. */
    pipeline: z.string().min(1).max(256),
    /** The job that failed (for Glue: the job name; locally: the pipeline step). */
    job: z.string().min(1).max(256),
    /** The run that failed. */
    runId: z.string().min(1).max(256),
    /**
     * The first run of the chain when this run is healer's rerun of an earlier one. Retry budgets and
     * the circuit breaker count the whole chain, so a rerun never gets a fresh budget.
     */
    rootRunId: z.string().min(1).max(256).optional(),
    state: z.enum(['FAILED', 'TIMEOUT', 'SUCCEEDED']),
    /** ISO 8601 time of the failure. */
    occurredAt: z.string().datetime({ offset: true }),
    /** The engine's error message, when the event carries one. */
    errorMessage: z.string().max(100_000).optional(),
    /** 1-based attempt number of this run. */
    attempt: z.number().int().min(1).max(1000).optional(),
    /** Datasets the run reads (names as in the pipeline or catalog). */
    datasets: z.array(z.string().min(1).max(512)).max(100).optional(),
    /** Free-form extras from the runtime (log group, previous run id). Strings only. */
    details: z.record(z.string(), z.string().max(10_000)).optional(),
  })
  .strict();

export type FailureEvent = z.infer<typeof failureEventSchema>;

/** The run whose retry budget this event spends: the chain's first run. */
export function rootRunOf(event: Pick<FailureEvent, 'runId' | 'rootRunId'>): string {
  return event.rootRunId ?? event.runId;
}

/** Parses untrusted input into a FailureEvent or throws an InvalidEventError naming the field. */
export function parseFailureEvent(input: unknown, where = 'event'): FailureEvent {
  const result = failureEventSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : '(root)';
  throw new InvalidEventError(`${where}: ${path}: ${issue?.message ?? 'invalid'}`, {
    context: { where, path },
  });
}

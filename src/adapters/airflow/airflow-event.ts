// The failure of one task-instance try, as the listener plugin spools it (or the poller builds it),
// and its translation into a FailureEvent. Names are chosen so that the same try always maps to the
// same event id and claim key, whichever path delivered it.

import { z } from 'zod';
import { InvalidEventError } from '../../core/errors.js';
import { type FailureEvent, parseFailureEvent } from '../../core/event.js';

export const SPOOL_SCHEMA = 'healer.airflow.task_failed/1';

/** What `airflow/healer_listener.py` writes, one JSON object per failed try. */
export const airflowFailureSchema = z
  .object({
    schema: z.literal(SPOOL_SCHEMA),
    dag_id: z.string().min(1).max(250),
    run_id: z.string().min(1).max(250),
    task_id: z.string().min(1).max(250),
    map_index: z.number().int().min(-1).default(-1),
    try_number: z.number().int().min(1).max(1000),
    max_tries: z.number().int().min(0).max(1000).optional(),
    /** The operator's own retries. */
    retries: z.number().int().min(0).max(1000).optional(),
    /** `up_for_retry`: Airflow will try again itself; `failed`: its retries are spent. */
    state: z.enum(['failed', 'up_for_retry']),
    error: z.string().max(100_000).default(''),
    operator: z.string().max(250).optional(),
    /** Airflow assets the task declares it reads and writes (URIs). */
    inlets: z.array(z.string().max(512)).max(100).default([]),
    outlets: z.array(z.string().max(512)).max(100).default([]),
    occurred_at: z.string().datetime({ offset: true }),
  })
  .strict();
export type AirflowFailure = z.infer<typeof airflowFailureSchema>;

/** Where one task instance lives in Airflow. */
export interface TaskInstanceRef {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
}

/** healer's pipeline name for a task: `dag_id/task_id` (neither may contain a slash in Airflow). */
export function pipelineName(dagId: string, taskId: string): string {
  return `${dagId}/${taskId}`;
}

/** The instance chain (every try of one task instance): retry budgets count the whole chain. */
export function instanceKey(ref: TaskInstanceRef): string {
  return `${ref.dagId}/${ref.runId}/${ref.taskId}/${ref.mapIndex}`;
}

/** The FailureEvent for one failed try; the try is part of the run id, so each try is one event. */
export function toFailureEvent(failure: AirflowFailure): FailureEvent {
  const ref = {
    dagId: failure.dag_id,
    runId: failure.run_id,
    taskId: failure.task_id,
    mapIndex: failure.map_index,
  };
  const details: Record<string, string> = {
    dag_id: failure.dag_id,
    dag_run_id: failure.run_id,
    task_id: failure.task_id,
    map_index: String(failure.map_index),
    try_number: String(failure.try_number),
    airflow_state: failure.state,
  };
  if (failure.retries !== undefined) details.retries = String(failure.retries);
  if (failure.max_tries !== undefined) details.max_tries = String(failure.max_tries);
  if (failure.operator) details.operator = failure.operator;
  // Airflow assets are URIs, not healer dataset names: they go with the event as facts, and the
  // datasets healer profiles come from the task's pipeline file.
  if (failure.inlets.length > 0) details.inlets = failure.inlets.join(' ').slice(0, 10_000);
  if (failure.outlets.length > 0) details.outlets = failure.outlets.join(' ').slice(0, 10_000);
  return parseFailureEvent(
    {
      id: `airflow:${instanceKey(ref)}/try${failure.try_number}`,
      source: 'airflow',
      pipeline: pipelineName(failure.dag_id, failure.task_id),
      job: pipelineName(failure.dag_id, failure.task_id),
      runId: `${instanceKey(ref)}/try${failure.try_number}`,
      rootRunId: instanceKey(ref),
      state: 'FAILED',
      occurredAt: failure.occurred_at,
      ...(failure.error ? { errorMessage: failure.error } : {}),
      attempt: failure.try_number,
      details,
    },
    'airflow event',
  );
}

/** The task instance an Airflow FailureEvent is about (from its details). */
export function taskInstanceOf(event: FailureEvent): TaskInstanceRef & { tryNumber: number } {
  const d = event.details ?? {};
  if (!d.dag_id || !d.dag_run_id || !d.task_id)
    throw new InvalidEventError(`event ${event.id} is not an Airflow event (no dag_id/dag_run_id/task_id)`, {
      context: { event: event.id },
    });
  return {
    dagId: d.dag_id,
    runId: d.dag_run_id,
    taskId: d.task_id,
    mapIndex: Number(d.map_index ?? -1),
    tryNumber: Number(d.try_number ?? event.attempt ?? 1),
  };
}

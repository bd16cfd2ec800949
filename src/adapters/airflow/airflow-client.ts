// The Airflow REST client (API v2, Airflow 3): a JWT from `POST /auth/token`, then the few calls
// healer makes. Every answer is parsed with zod (it crosses a trust boundary); every failure becomes
// an `AirflowRemoteError` with retry meaning as data.

import { z } from 'zod';
import { AirflowRemoteError } from './airflow-errors.js';

/** Task-instance states as Airflow names them (null: cleared, not yet scheduled). */
export const taskInstanceSchema = z.object({
  dag_id: z.string(),
  dag_run_id: z.string(),
  task_id: z.string(),
  map_index: z.number().int(),
  state: z.string().nullable(),
  try_number: z.number().int(),
  max_tries: z.number().int(),
  operator: z.string().nullable().optional(),
  start_date: z.string().nullable().optional(),
  end_date: z.string().nullable().optional(),
  note: z.string().nullable().optional(),
});
export type AirflowTaskInstance = z.infer<typeof taskInstanceSchema>;

/** The task's declaration: the operator's own retry settings among it. */
export const taskSchema = z.object({
  task_id: z.string(),
  retries: z.number().nullable().optional(),
  retry_delay: z.object({ days: z.number(), seconds: z.number() }).partial().nullable().optional(),
  retry_exponential_backoff: z.union([z.number(), z.boolean()]).nullable().optional(),
  operator_name: z.string().nullable().optional(),
  downstream_task_ids: z.array(z.string()).optional(),
  doc_md: z.string().nullable().optional(),
});
export type AirflowTask = z.infer<typeof taskSchema>;

const logLineSchema = z
  .object({
    timestamp: z.string().optional(),
    event: z.string().optional(),
    level: z.string().optional(),
    error_detail: z
      .array(z.object({ exc_type: z.string().optional(), exc_value: z.string().optional() }).passthrough())
      .optional(),
  })
  .passthrough();
const logSchema = z.object({ content: z.array(logLineSchema).or(z.string()) });

const dagRunSchema = z
  .object({ dag_run_id: z.string(), state: z.string().nullable().optional() })
  .passthrough();

/** States in which Airflow itself will still run the task instance (its own retry, or a queued try). */
export const AIRFLOW_PENDING_STATES = [
  'up_for_retry',
  'queued',
  'scheduled',
  'running',
  'restarting',
  'deferred',
  'up_for_reschedule',
] as const;

export interface AirflowClientOptions {
  /** Base URL of the API server, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  username: string;
  password: string;
  /** Per-request bound (default 15 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The calls the adapter makes; tests and other adapters of this folder depend on this shape only. */
export type AirflowClientLike = Pick<
  AirflowClient,
  | 'getTaskInstance'
  | 'getTask'
  | 'getTaskLog'
  | 'clearTaskInstance'
  | 'markTaskInstance'
  | 'triggerDagRun'
  | 'listTaskInstances'
>;

/** A small, typed client over Airflow's stable REST API v2. */
export class AirflowClient {
  private token: string | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly base: string;

  constructor(private readonly o: AirflowClientOptions) {
    this.fetchImpl = o.fetch ?? fetch;
    this.base = o.baseUrl.replace(/\/+$/, '');
  }

  /** One task instance as Airflow shows it now. */
  async getTaskInstance(
    dagId: string,
    runId: string,
    taskId: string,
    mapIndex = -1,
  ): Promise<AirflowTaskInstance> {
    const path = `/api/v2/dags/${enc(dagId)}/dagRuns/${enc(runId)}/taskInstances/${enc(taskId)}${mapIndex >= 0 ? `/${mapIndex}` : ''}`;
    return taskInstanceSchema.parse(await this.call('GET', path));
  }

  /** The task's declaration (retries, retry delay, operator). */
  async getTask(dagId: string, taskId: string): Promise<AirflowTask> {
    return taskSchema.parse(await this.call('GET', `/api/v2/dags/${enc(dagId)}/tasks/${enc(taskId)}`));
  }

  /** The log of one try, as text lines (`time level message`, exceptions as `Type: value`). */
  async getTaskLog(
    dagId: string,
    runId: string,
    taskId: string,
    tryNumber: number,
    mapIndex = -1,
  ): Promise<string> {
    const query = mapIndex >= 0 ? `?map_index=${mapIndex}` : '';
    const path = `/api/v2/dags/${enc(dagId)}/dagRuns/${enc(runId)}/taskInstances/${enc(taskId)}/logs/${tryNumber}${query}`;
    const parsed = logSchema.parse(await this.call('GET', path));
    if (typeof parsed.content === 'string') return parsed.content;
    const lines: string[] = [];
    for (const line of parsed.content) {
      const head = [line.timestamp, line.level?.toUpperCase()].filter(Boolean).join(' ');
      lines.push(`${head ? `${head} ` : ''}${line.event ?? ''}`);
      for (const e of line.error_detail ?? []) lines.push(`${e.exc_type ?? 'Error'}: ${e.exc_value ?? ''}`);
    }
    return lines.join('\n');
  }

  /**
   * Clears one failed task instance so the scheduler runs it again (a new try). Airflow raises the
   * instance's `max_tries` by its retries, and the DAG run goes back to running.
   */
  async clearTaskInstance(
    dagId: string,
    runId: string,
    taskId: string,
    mapIndex = -1,
  ): Promise<AirflowTaskInstance[]> {
    const body = {
      dry_run: false,
      dag_run_id: runId,
      task_ids: mapIndex >= 0 ? [[taskId, mapIndex]] : [taskId],
      only_failed: true,
      reset_dag_runs: true,
      include_downstream: true,
      include_upstream: false,
    };
    const got = z
      .object({ task_instances: z.array(taskInstanceSchema.partial().passthrough()) })
      .parse(await this.call('POST', `/api/v2/dags/${enc(dagId)}/clearTaskInstances`, body));
    return got.task_instances as AirflowTaskInstance[];
  }

  /** Sets a task instance's state (healer marks `success` after healing its data), with a note. */
  async markTaskInstance(
    dagId: string,
    runId: string,
    taskId: string,
    mapIndex: number,
    state: 'success' | 'failed',
    note: string,
  ): Promise<void> {
    const query = mapIndex >= 0 ? `?map_index=${mapIndex}` : '';
    const path = `/api/v2/dags/${enc(dagId)}/dagRuns/${enc(runId)}/taskInstances/${enc(taskId)}${query}`;
    await this.call('PATCH', path, { new_state: state, note });
  }

  /** Triggers a new DAG run that starts no earlier than `runAfter` (a deferred run). */
  async triggerDagRun(dagId: string, runId: string, runAfter: Date, note?: string): Promise<string> {
    const body = {
      dag_run_id: runId,
      logical_date: null,
      run_after: runAfter.toISOString(),
      ...(note ? { note } : {}),
    };
    return dagRunSchema.parse(await this.call('POST', `/api/v2/dags/${enc(dagId)}/dagRuns`, body)).dag_run_id;
  }

  /** Task instances in the given states across DAGs (newest first), for the poller. */
  async listTaskInstances(options: {
    states: string[];
    endDateGte?: Date;
    limit?: number;
  }): Promise<AirflowTaskInstance[]> {
    const params = new URLSearchParams();
    for (const s of options.states) params.append('state', s);
    if (options.endDateGte) params.set('end_date_gte', options.endDateGte.toISOString());
    params.set('limit', String(options.limit ?? 100));
    params.set('order_by', '-end_date');
    const got = z
      .object({ task_instances: z.array(taskInstanceSchema) })
      .parse(await this.call('GET', `/api/v2/dags/~/dagRuns/~/taskInstances?${params}`));
    return got.task_instances;
  }

  private async authenticate(): Promise<string> {
    const res = await this.send(
      'POST',
      '/auth/token',
      { username: this.o.username, password: this.o.password },
      false,
    );
    const parsed = z.object({ access_token: z.string().min(1) }).safeParse(res);
    if (!parsed.success) throw new AirflowRemoteError('POST /auth/token: no access_token in the answer');
    return parsed.data.access_token;
  }

  private async call(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<unknown> {
    this.token ??= await this.authenticate();
    try {
      return await this.send(method, path, body, true);
    } catch (error) {
      // A token that expired is renewed once; any other refusal is the caller's to handle.
      if (error instanceof AirflowRemoteError && error.context.status === 401) {
        this.token = await this.authenticate();
        return this.send(method, path, body, true);
      }
      throw error;
    }
  }

  private async send(method: string, path: string, body: unknown, auth: boolean): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth && this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 15_000),
      });
    } catch (error) {
      throw new AirflowRemoteError(
        `${method} ${path}: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
          retryable: true,
          context: { path },
        },
      );
    }
    const text = await res.text();
    if (!res.ok) {
      throw new AirflowRemoteError(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`, {
        retryable: res.status === 429 || res.status >= 500,
        context: { path, status: res.status },
      });
    }
    try {
      return text === '' ? {} : JSON.parse(text);
    } catch (error) {
      throw new AirflowRemoteError(`${method} ${path}: the answer is not JSON`, {
        cause: error,
        context: { path },
      });
    }
  }
}

const enc = (s: string) => encodeURIComponent(s);

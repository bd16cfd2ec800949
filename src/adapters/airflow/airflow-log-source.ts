// The failed try's task log, read through Airflow's REST API and cut to its tail, with the task's
// own retry settings and the instance's state put in front, so the evidence shows what Airflow
// was going to do next.

import type { FailureEvent } from '../../core/event.js';
import type { LogSource } from '../../ports.js';
import type { AirflowClientLike } from './airflow-client.js';
import { taskInstanceOf } from './airflow-event.js';

export interface AirflowLogSourceOptions {
  client: AirflowClientLike;
  /** The log is cut to its last this-many characters (default 200 000). */
  maxChars?: number;
}

/** Reads one try's log from Airflow. */
export class AirflowLogSource implements LogSource {
  constructor(private readonly o: AirflowLogSourceOptions) {}

  async fetchRunLog(event: FailureEvent): Promise<{ text: string; truncated: boolean }> {
    const ti = taskInstanceOf(event);
    const [log, task, instance] = await Promise.all([
      this.o.client.getTaskLog(ti.dagId, ti.runId, ti.taskId, ti.tryNumber, ti.mapIndex),
      this.o.client.getTask(ti.dagId, ti.taskId).catch(() => undefined),
      this.o.client.getTaskInstance(ti.dagId, ti.runId, ti.taskId, ti.mapIndex).catch(() => undefined),
    ]);
    const header = [
      `airflow task ${ti.dagId}.${ti.taskId} run ${ti.runId} try ${ti.tryNumber}`,
      task
        ? `operator ${task.operator_name ?? '?'} retries ${task.retries ?? 0}`
        : 'task declaration unavailable',
      instance
        ? `instance now ${instance.state ?? 'none'} (try ${instance.try_number} of max ${instance.max_tries + 1})`
        : '',
    ]
      .filter(Boolean)
      .join('\n');
    const body =
      event.errorMessage && !log.includes(event.errorMessage) ? `${log}\n${event.errorMessage}` : log;
    const max = this.o.maxChars ?? 200_000;
    const truncated = body.length > max;
    return { text: `${header}\n${truncated ? body.slice(-max) : body}`, truncated };
  }
}

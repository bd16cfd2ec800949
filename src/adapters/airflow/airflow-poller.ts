// The poller, for deployments that cannot install the listener plugin: failed and up-for-retry
// task instances that ended recently, turned into the same failure records the plugin spools (the
// same try gives the same event id, so a failure seen both ways is handled once).

import type { Clock } from '../../ports.js';
import type { AirflowClientLike } from './airflow-client.js';
import { type AirflowFailure, SPOOL_SCHEMA } from './airflow-event.js';

export interface AirflowPollerOptions {
  client: AirflowClientLike;
  clock: Clock;
  lookbackMinutes: number;
}

/** Lists recent failed tries through the REST API. */
export class AirflowPoller {
  private readonly retries = new Map<string, number | undefined>();

  constructor(private readonly o: AirflowPollerOptions) {}

  async poll(): Promise<AirflowFailure[]> {
    const since = new Date(this.o.clock.now().getTime() - this.o.lookbackMinutes * 60_000);
    const instances = await this.o.client.listTaskInstances({
      states: ['failed', 'up_for_retry'],
      endDateGte: since,
      limit: 100,
    });
    const out: AirflowFailure[] = [];
    for (const ti of instances) {
      const retries = await this.retriesOf(ti.dag_id, ti.task_id);
      out.push({
        schema: SPOOL_SCHEMA,
        dag_id: ti.dag_id,
        run_id: ti.dag_run_id,
        task_id: ti.task_id,
        map_index: ti.map_index,
        try_number: Math.max(1, ti.try_number),
        max_tries: ti.max_tries,
        ...(retries === undefined ? {} : { retries }),
        state: ti.state === 'up_for_retry' ? 'up_for_retry' : 'failed',
        // The poller has no exception text: the evidence reads it from the try's log.
        error: '',
        ...(ti.operator ? { operator: ti.operator } : {}),
        inlets: [],
        outlets: [],
        occurred_at: ti.end_date ?? this.o.clock.now().toISOString(),
      });
    }
    return out;
  }

  private async retriesOf(dagId: string, taskId: string): Promise<number | undefined> {
    const key = `${dagId}/${taskId}`;
    if (!this.retries.has(key)) {
      const task = await this.o.client.getTask(dagId, taskId).catch(() => undefined);
      this.retries.set(key, task?.retries == null ? undefined : Math.round(task.retries));
    }
    return this.retries.get(key);
  }
}

// The Airflow event intake of `healer serve`: a posted failure is validated with the plugin's own
// schema and written to the spool folder `healer airflow watch` reads, under the plugin's file
// name for the try, so the watcher handles it once whichever path delivered it.

import {
  type AirflowFailure,
  airflowFailureSchema,
  toFailureEvent,
} from '../adapters/airflow/airflow-event.js';
import { SpoolEventSource } from '../adapters/airflow/spool-event-source.js';
import type { EventIntake } from '../server/events-api.js';

/** An intake writing to `spoolDir`. */
export function airflowEventIntake(spoolDir: string): EventIntake<AirflowFailure> {
  const spool = new SpoolEventSource(spoolDir);
  return {
    schema: airflowFailureSchema,
    async accept(failure) {
      const queued = await spool.write(failure);
      return { id: toFailureEvent(failure).id, queued };
    },
  };
}

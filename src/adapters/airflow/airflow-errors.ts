// Airflow's refusals and outages as healer's domain errors, with retry meaning as data.

import { HealerError, type HealerErrorOptions } from '../../core/errors.js';

/** An Airflow REST call failed. `retryable` says whether the same call may succeed later. */
export class AirflowRemoteError extends HealerError {
  constructor(message: string, options: HealerErrorOptions = {}) {
    super('E_REMOTE', message, options);
  }
}

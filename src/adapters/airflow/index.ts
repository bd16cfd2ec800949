/**
 * healer on Apache Airflow 3: the REST API v2 client, the listener plugin's spool and the poller as
 * event sources, the task log as evidence, the remediator (clear a task instance; data actions
 * through an injected embedded runtime), authority per DAG and task, and the watcher's pass.
 *
 * @module etl-healer/airflow
 */

export {
  AIRFLOW_PENDING_STATES,
  AirflowClient,
  type AirflowClientLike,
  type AirflowClientOptions,
  type AirflowTask,
  type AirflowTaskInstance,
} from './airflow-client.js';
export {
  type AirflowConfig,
  airflowConfigSchema,
  authorityFor,
  type LoadedAirflowConfig,
  loadAirflowConfig,
  parseAirflowConfig,
  pipelineFileFor,
  UNDECLARED_AUTHORITY,
} from './airflow-config.js';
export { AirflowRemoteError } from './airflow-errors.js';
export {
  type AirflowFailure,
  airflowFailureSchema,
  instanceKey,
  pipelineName,
  SPOOL_SCHEMA,
  type TaskInstanceRef,
  taskInstanceOf,
  toFailureEvent,
} from './airflow-event.js';
export { AirflowLogSource } from './airflow-log-source.js';
export { AirflowPipelineRegistry } from './airflow-pipeline-registry.js';
export { AirflowPoller } from './airflow-poller.js';
export { AirflowRemediator, DATA_ACTIONS } from './airflow-remediator.js';
export { type AirflowWatcherDeps, type WatchOutcome, watchOnce } from './airflow-watcher.js';
export { type RejectedSpoolFile, SpoolEventSource, type SpooledFailure } from './spool-event-source.js';

/**
 * The embedded runtime: pipelines on DuckDB and files, with the local catalog, runner, stores,
 * notifiers and action executors.
 *
 * @module etl-healer/local
 */

export { publishFileAtomic, writeFileAtomic } from './atomic-file.js';
export type { AuditHead, AuditHeadStore } from './audit-head-store.js';
export {
  AuditAnchorFile,
  auditAnchorDir,
  auditKeyFilePath,
  configDir,
  loadAuditKeys,
  rotateKeyFile,
} from './audit-key-file.js';
export { CompositeNotifier } from './composite-notifier.js';
export { type DeferCondition, deferCondition, deferConditionMet, inputReadiness } from './defer-condition.js';
export {
  DuckdbPipelineRunner,
  describeResources,
  type KeptResourceStore,
  newRunId,
  type RunOptions,
  type RunOutcome,
  runLogPath,
} from './duckdb-pipeline-runner.js';
export { defer, deferDelay } from './executors/defer.js';
export { backoffDelay } from './executors/retry.js';
export { currentResources, scaleResources, scaleStepFor } from './executors/scale-resources.js';
export { type FaultInjector, formatFault, type InjectedFault, ScriptedFaults } from './fault-injector.js';
export { FileLogSource } from './file-log-source.js';
export { FileNotifier } from './file-notifier.js';
export { FilePipelineRegistry } from './file-pipeline-registry.js';
export {
  type AuditAnchor,
  type AuditVerification,
  auditScope,
  forgetAuditAnchor,
  JsonlAuditLog,
  openJsonlAuditLog,
} from './jsonl-audit-log.js';
export { LocalCatalog, type StoredSchemaVersion, type TargetSnapshot } from './local-catalog.js';
export { emptyPublication, LocalIntentJournal, type Publication } from './local-intent-journal.js';
export { LocalRemediator } from './local-remediator.js';
export { loadPipelineFile, type PipelineSpec, parsePipeline, type SourceSpec } from './pipeline-file.js';
export { currentProcess, isProcessAlive, type ProcessIdentity } from './process-identity.js';
export { currentOwner, ownerIsGone, type ProcessOwner } from './process-owner.js';
export { SqliteStateStore, type SqliteStateStoreOptions, STATE_FILE } from './sqlite-state-store.js';
export { SystemClock } from './system-clock.js';
export { TerminalNotifier } from './terminal-notifier.js';
export { pagerdutyBody, slackBody, type WebhookConfig, WebhookNotifier } from './webhook-notifier.js';

/**
 * etl-healer: the public entry point. The core (pure), the ports, and the agent loop. Runtime
 * adapters are subpath exports (`etl-healer/local`, `etl-healer/aws`) so importing this never
 * loads DuckDB or the AWS SDK.
 *
 * @module etl-healer
 */

export {
  type DecisionContext,
  decideIncident,
  executeDecision,
  gatherEvidence,
  type HandleIncidentOptions,
  handleIncident,
  type Reconciliation,
  reconcile,
} from './agent.js';
export {
  type ApprovalResult,
  type ApproveOptions,
  approveIncident,
  isExpired,
  type RejectOptions,
  rejectIncident,
} from './approval.js';
export { autonomyStatus, type FamilyAutonomy } from './autonomy.js';
export * from './core/index.js';
export { labelIncident, observationsOf } from './label.js';
export type * from './ports.js';

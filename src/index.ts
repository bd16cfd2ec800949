/**
 * etl-healer: the public entry point. The core (pure), the ports, and the agent loop. Runtime
 * adapters are subpath exports (`etl-healer/local`, `etl-healer/aws`) so importing this never
 * loads DuckDB or the AWS SDK.
 *
 * @module etl-healer
 */

export {
  gatherEvidence,
  type HandleIncidentOptions,
  handleIncident,
  type Reconciliation,
  reconcile,
} from './agent.js';
export * from './core/index.js';
export type * from './ports.js';

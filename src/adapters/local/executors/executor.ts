// What every action executor receives: the pipeline, the runner and the local stores.

import type { DuckDBInstance } from '@duckdb/node-api';
import type { BudgetUsage } from '../../../core/decision.js';
import type { RemediationResult } from '../../../core/outcome.js';
import type { Clock, RemediationContext, StateStore } from '../../../ports.js';
import type { DuckdbDataEngine } from '../../duckdb/duckdb-data-engine.js';
import type { DuckdbPipelineRunner, KeptResourceStore, RunOutcome } from '../duckdb-pipeline-runner.js';
import type { LocalCatalog } from '../local-catalog.js';
import type { LocalIntentJournal } from '../local-intent-journal.js';
import type { PipelineSpec, SourceSpec } from '../pipeline-file.js';

export interface ExecutorDeps {
  stateDir: string;
  runner: DuckdbPipelineRunner;
  catalog: LocalCatalog;
  engine: DuckdbDataEngine;
  duckdb: () => Promise<DuckDBInstance>;
  clock: Clock;
  state: StateStore;
  /** Where an incident's writes are staged until the agent commits them. */
  journal: LocalIntentJournal;
  /** Uniform in [0, 1): the jitter source (seeded in tests). */
  random: () => number;
  /** Per-job kept resource settings (`scale_resources`); absent: nothing is kept. */
  kept?: KeptResourceStore;
}

export type Executor = (
  ctx: RemediationContext,
  spec: PipelineSpec,
  deps: ExecutorDeps,
) => Promise<RemediationResult>;

/** The sources the incident is about (event.datasets), else all. */
export function affectedSources(ctx: RemediationContext, spec: PipelineSpec): SourceSpec[] {
  const wanted = ctx.event.datasets;
  return wanted?.length ? spec.sources.filter((s) => wanted.includes(s.name)) : spec.sources;
}

/** Re-run outcome as the core's `rerun` record. */
export function rerunOf(outcome: RunOutcome): NonNullable<RemediationResult['rerun']> {
  return outcome.status === 'succeeded'
    ? { runId: outcome.runId, status: 'succeeded' }
    : { runId: outcome.runId, status: 'failed', errorMessage: outcome.errorMessage.split('\n')[0] ?? '' };
}

/** Rows for an action that reads every row and changes none (retry, rollback). */
export function passThroughRows(outcome: RunOutcome): RemediationResult['rows'] {
  if (outcome.status !== 'succeeded') return undefined;
  const rowsIn = Object.values(outcome.rowsIn).reduce((a, b) => a + b, 0);
  return { rowsIn, rowsDelivered: rowsIn, rowsQuarantined: 0 };
}

export type { BudgetUsage };

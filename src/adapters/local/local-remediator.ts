// Remediator for the embedded runtime: one executor per action (./executors/), and the facts the
// guard needs (capabilities) measured on the real files with DuckDB.

import type { DuckDBInstance } from '@duckdb/node-api';
import { DuckDBInstance as Instance } from '@duckdb/node-api';
import type { Action } from '../../core/action.js';
import { planCoercion } from '../../core/coercion.js';
import type { Capabilities, Diagnosis } from '../../core/decision.js';
import type { RemediationResult } from '../../core/outcome.js';
import type { Clock, RemediationContext, Remediator, StateStore } from '../../ports.js';
import type { DuckdbDataEngine } from '../duckdb/duckdb-data-engine.js';
import type { DuckdbPipelineRunner } from './duckdb-pipeline-runner.js';
import { coerceSchema } from './executors/coerce-schema.js';
import { badRowFraction } from './executors/conform-input.js';
import { affectedSources, type Executor, type ExecutorDeps } from './executors/executor.js';
import { quarantine } from './executors/quarantine.js';
import { retry } from './executors/retry.js';
import { rollbackSchema } from './executors/rollback-schema.js';
import type { LocalCatalog } from './local-catalog.js';
import type { PipelineSpec } from './pipeline-file.js';

const EXECUTORS: Partial<Record<Action, Executor>> = {
  retry,
  coerce_schema: coerceSchema,
  rollback_schema: rollbackSchema,
  quarantine,
};

/**
 * @example
 * const remediator = new LocalRemediator({ specs, runner, catalog, engine, clock, state, stateDir });
 * const result = await remediator.execute('quarantine', ctx);
 */
export class LocalRemediator implements Remediator {
  private instance: Promise<DuckDBInstance> | undefined;
  private readonly deps: ExecutorDeps;

  constructor(
    private readonly options: {
      specs: (pipeline: string) => Promise<PipelineSpec>;
      runner: DuckdbPipelineRunner;
      catalog: LocalCatalog;
      engine: DuckdbDataEngine;
      clock: Clock;
      state: StateStore;
      stateDir: string;
      random?: () => number;
    },
  ) {
    this.deps = {
      stateDir: options.stateDir,
      runner: options.runner,
      catalog: options.catalog,
      engine: options.engine,
      clock: options.clock,
      state: options.state,
      random: options.random ?? Math.random,
      duckdb: () => {
        this.instance ??= Instance.create(':memory:');
        return this.instance;
      },
    };
  }

  async capabilities(
    ctx: Omit<RemediationContext, 'decision'> & { diagnosis: Diagnosis },
  ): Promise<Capabilities> {
    const spec = await this.options.specs(ctx.event.pipeline);
    const sources = affectedSources({ ...ctx, decision: undefined as never }, spec);
    let hasPrevious = false;
    let coercionSafe = sources.length > 0;
    let bad: number | undefined = 0;
    let coercionBad: number | undefined = 0;
    const worst = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined ? undefined : Math.max(a, b);
    const conn = await (await this.deps.duckdb()).connect();
    try {
      for (const s of sources) {
        if ((await this.options.catalog.listSchemaVersions(s.name)).length >= 2) hasPrevious = true;
        const current = ctx.evidence.datasets.find((d) => d.dataset === s.name)?.currentSchema;
        if (!s.contract || !current) {
          coercionSafe = false;
          bad = undefined;
          coercionBad = undefined;
          continue;
        }
        const contract = s.contract;
        const plan = planCoercion(contract.schema, current, ctx.diagnosis.findings);
        if (!plan.safe) coercionSafe = false;
        const measure = (renames: { from: string; to: string }[]) =>
          badRowFraction(conn, this.options.engine, s.location, contract, { renames }, s.read);
        const fraction = await measure([]);
        bad = worst(bad, fraction);
        // What coerce_schema would quarantine: the same count with the renames mapped back.
        coercionBad = worst(coercionBad, plan.renames.length ? await measure(plan.renames) : fraction);
      }
    } finally {
      conn.closeSync();
    }
    return {
      supported: Object.keys(EXECUTORS) as Action[],
      hasPreviousSchemaVersion: hasPrevious,
      coercionSafe,
      hasQuarantineStore: true,
      ...(bad === undefined ? {} : { badRowFraction: bad }),
      ...(coercionBad === undefined ? {} : { coercionBadRowFraction: coercionBad }),
    };
  }

  async execute(action: Action, ctx: RemediationContext): Promise<RemediationResult> {
    const executor = EXECUTORS[action];
    if (!executor)
      return {
        action,
        steps: [{ name: action, status: 'failed', detail: 'no local executor' }],
        error: { code: 'E_CONFIG', message: `the local runtime has no executor for ${action}` },
      };
    const spec = await this.options.specs(ctx.event.pipeline);
    return executor(ctx, spec, this.deps);
  }
}

// Remediator for the embedded runtime: one executor per action (./executors/), the facts the guard
// needs (capabilities) measured on the real files with DuckDB, and where an action will write
// (its intent). Executors stage their writes; the agent's commit through the journal publishes them.

import type { DuckDBInstance } from '@duckdb/node-api';
import { DuckDBInstance as Instance } from '@duckdb/node-api';
import type { Action } from '../../core/action.js';
import { type BadRowMeasurement, badRowCapabilities, badRowShare } from '../../core/bad-rows.js';
import { planCoercion } from '../../core/coercion.js';
import type { Capabilities, Diagnosis } from '../../core/decision.js';
import type { RemediationResult } from '../../core/outcome.js';
import type { Clock, RemediationContext, Remediator, StateStore } from '../../ports.js';
import type { DuckdbDataEngine } from '../duckdb/duckdb-data-engine.js';
import { deferCondition, deferConditionMet } from './defer-condition.js';
import type { DuckdbPipelineRunner, KeptResourceStore } from './duckdb-pipeline-runner.js';
import { coerceSchema } from './executors/coerce-schema.js';
import { quarantinePath, remediatedPath } from './executors/conform-input.js';
import { defer } from './executors/defer.js';
import { affectedSources, type Executor, type ExecutorDeps } from './executors/executor.js';
import { quarantine } from './executors/quarantine.js';
import { retry } from './executors/retry.js';
import { rollbackSchema } from './executors/rollback-schema.js';
import { scaleResources, scaleStepFor } from './executors/scale-resources.js';
import type { LocalCatalog } from './local-catalog.js';
import type { LocalIntentJournal } from './local-intent-journal.js';
import type { PipelineSpec } from './pipeline-file.js';

const EXECUTORS: Partial<Record<Action, Executor>> = {
  retry,
  coerce_schema: coerceSchema,
  rollback_schema: rollbackSchema,
  quarantine,
  scale_resources: scaleResources,
  defer,
};

/** The run id suffix of each action's re-run (retry numbers its attempts). */
const RUN_SUFFIX: Partial<Record<Action, string>> = {
  quarantine: 'quarantine',
  coerce_schema: 'coerce',
  rollback_schema: 'rollback',
  scale_resources: 'scale',
  defer: 'defer',
};

/**
 * @example
 * const remediator = new LocalRemediator({ specs, runner, catalog, engine, clock, state, stateDir, journal });
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
      journal: LocalIntentJournal;
      random?: () => number;
      /** Per-job kept resource settings (`scale_resources`); absent: none are kept. */
      kept?: KeptResourceStore;
    },
  ) {
    this.deps = {
      stateDir: options.stateDir,
      journal: options.journal,
      runner: options.runner,
      catalog: options.catalog,
      engine: options.engine,
      clock: options.clock,
      state: options.state,
      random: options.random ?? Math.random,
      ...(options.kept ? { kept: options.kept } : {}),
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
    // The worst source bounds the action; unknown for one source is unknown for all.
    let bad: BadRowMeasurement | undefined;
    let coercionBad: BadRowMeasurement | undefined;
    let known = true;
    const worse = (a: BadRowMeasurement | undefined, b: BadRowMeasurement) =>
      a === undefined || badRowShare(b) > badRowShare(a) ? b : a;
    for (const s of sources) {
      if ((await this.options.catalog.listSchemaVersions(s.name)).length >= 2) hasPrevious = true;
      const evidence = ctx.evidence.datasets.find((d) => d.dataset === s.name);
      const current = evidence?.currentSchema;
      if (!s.contract || !current) {
        coercionSafe = false;
        known = false;
        continue;
      }
      const contract = s.contract;
      const plan = planCoercion(contract.schema, current, ctx.diagnosis.findings);
      if (!plan.safe) coercionSafe = false;
      // Lines that could not be read as rows are quarantined too: bad rows of the input.
      const malformed = evidence?.read?.malformedCount ?? 0;
      const withMalformed = (m: BadRowMeasurement): BadRowMeasurement =>
        malformed === 0 || m.sampled
          ? m
          : { ...m, rowsMeasured: m.rowsMeasured + malformed, badRows: m.badRows + malformed };
      try {
        // The evidence measured the input against this contract already (one read): reuse it.
        const measured = withMalformed(
          evidence?.currentProfile?.badRows ??
            (await this.options.engine.measureBadRows(s.location, contract, [], undefined, s.read)),
        );
        bad = worse(bad, measured);
        // What coerce_schema would quarantine: the same definition with the renames mapped back.
        coercionBad = worse(
          coercionBad,
          plan.renames.length
            ? withMalformed(
                await this.options.engine.measureBadRows(
                  s.location,
                  contract,
                  plan.renames,
                  undefined,
                  s.read,
                ),
              )
            : measured,
        );
      } catch {
        known = false;
      }
    }
    const fractions = known && bad && coercionBad ? badRowCapabilities(bad) : {};
    // Resource actions: a step only for a resource failure, a condition only where waiting helps.
    const family = ctx.diagnosis.classification.family;
    const scaleStep = family === 'resource' ? await scaleStepFor(spec, this.options.kept) : undefined;
    const waitFor = await deferCondition(
      ctx.diagnosis.classification,
      sources,
      this.options.engine,
      this.options.clock,
    );
    // Nothing to wait for because the late input is there now: a fact, so a learned wait can run instead.
    const met = waitFor
      ? undefined
      : await deferConditionMet(
          ctx.diagnosis.classification,
          sources,
          this.options.engine,
          this.options.clock,
        );
    return {
      ...(scaleStep ? { scaleStep } : {}),
      ...(waitFor ? { deferCondition: waitFor.description } : {}),
      ...(met ? { deferConditionMet: met } : {}),
      supported: Object.keys(EXECUTORS) as Action[],
      hasPreviousSchemaVersion: hasPrevious,
      coercionSafe,
      hasQuarantineStore: true,
      ...fractions,
      ...(known && coercionBad ? { coercionBadRowFraction: badRowShare(coercionBad) } : {}),
    };
  }

  async plannedWrites(action: Action, ctx: RemediationContext): Promise<string[]> {
    const spec = await this.options.specs(ctx.event.pipeline);
    const { catalog } = this.options;
    const runIds =
      action === 'retry'
        ? Array.from({ length: spec.retry.maxAttempts }, (_, n) => `${ctx.event.runId}-retry${n + 1}`)
        : [`${ctx.event.runId}-${RUN_SUFFIX[action] ?? 'rollback'}`];
    const writes: string[] = [];
    if (action === 'quarantine' || action === 'coerce_schema')
      for (const s of affectedSources({ ...ctx }, spec))
        if (s.contract)
          writes.push(
            quarantinePath(this.options.stateDir, s.contract.dataset, ctx.incidentId),
            remediatedPath(this.options.stateDir, s.name, ctx.incidentId),
          );
    if (action === 'rollback_schema')
      for (const s of affectedSources({ ...ctx }, spec)) writes.push(`catalog schema HEAD of ${s.name}`);
    writes.push(
      ...runIds.map((r) => catalog.snapshotPath(spec.target.name, r)),
      spec.target.location,
      catalog.targetHeadPath(spec.target.name),
      ...spec.sources.map((s) => catalog.baselinePointerPath(s.name)),
    );
    return writes;
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

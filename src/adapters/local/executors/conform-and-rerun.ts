// The shared body of `coerce_schema` and `quarantine`: re-run the pipeline with each affected source
// conformed to its contract on the re-run's own connection (quarantine written first, the conformed
// rows staged as the source's table), then keep the conformed rows as the source's new baseline.
// Every file is written under the incident's staging folder; the agent's commit publishes them.

import { join } from 'node:path';
import type { Action } from '../../../core/action.js';
import type { DatasetContract } from '../../../core/contract.js';
import type { RemediationResult, RemediationStep } from '../../../core/outcome.js';
import type { RemediationContext } from '../../../ports.js';
import type { StagedSource } from '../duckdb-pipeline-runner.js';
import { safeName } from '../local-catalog.js';
import type { PipelineSpec } from '../pipeline-file.js';
import {
  type ConformPlan,
  quarantinePath,
  remediatedPath,
  type StagedConform,
  stageConformed,
} from './conform-input.js';
import { affectedSources, type ExecutorDeps, rerunOf } from './executor.js';

/**
 * Whether the evidence read one of the contract's columns as another type (the engine infers types
 * from every value, so a single word in a number column shows up here).
 */
function retyped(ctx: RemediationContext, source: string, contract: DatasetContract): boolean {
  const evidence = ctx.evidence.datasets.find((d) => d.dataset === source);
  // A value that is not of its type (DuckDB's typed CSV read would round 1.5 into a BIGINT).
  const misfits = evidence?.currentProfile?.badRows?.byReason;
  if (misfits && misfits.unparseable + misfits.out_of_range > 0) return true;
  const current = evidence?.currentSchema;
  if (!current) return false;
  return contract.schema.fields.some((f) => {
    const seen = current.fields.find((c) => c.path === f.path);
    return seen !== undefined && seen.type !== f.type;
  });
}

export async function conformAndRerun(
  action: Extract<Action, 'coerce_schema' | 'quarantine'>,
  ctx: RemediationContext,
  spec: PipelineSpec,
  deps: ExecutorDeps,
  planFor: (source: string) => ConformPlan,
): Promise<RemediationResult> {
  const steps: RemediationStep[] = [];
  const staged: Record<string, StagedSource> = {};
  const done = new Map<string, { plan: ConformPlan; result?: StagedConform; final: string }>();
  const staging = deps.journal.stagingDir(ctx.incidentId);
  for (const source of affectedSources(ctx, spec)) {
    const contract = source.contract;
    if (!contract) {
      steps.push({ name: `${action} ${source.name}`, status: 'skipped', detail: 'no contract' });
      continue;
    }
    const plan = planFor(source.name);
    const entry: { plan: ConformPlan; result?: StagedConform; final: string } = {
      plan,
      final: quarantinePath(deps.stateDir, contract.dataset, ctx.incidentId),
    };
    done.set(source.name, entry);
    staged[source.name] = {
      from: `${source.location}, conformed to its contract by incident ${ctx.incidentId}`,
      keepAt: remediatedPath(deps.stateDir, source.name, ctx.incidentId),
      stage: async (conn, table, kept) => {
        entry.result = await stageConformed({
          conn,
          table,
          engine: deps.engine,
          stateDir: deps.stateDir,
          incidentId: ctx.incidentId,
          location: source.location,
          contract,
          plan,
          at: deps.clock.now(),
          // A quarantine's bad rows are usually nulls or duplicates: a typed read finds them in one
          // parse. A coercion is about values that do not parse as the contract type, and so is a
          // quarantine whose evidence read a contract column as another type: text first.
          typedFirst: action === 'quarantine' && !retyped(ctx, source.name, contract),
          quarantineAt: join(staging, 'quarantine', `${safeName(contract.dataset)}.parquet`),
          ...(source.read ? { read: source.read } : {}),
          ...(kept ? { kept } : {}),
        });
      },
    };
  }
  if (done.size === 0)
    return { action, steps, error: { code: 'E_CONFIG', message: 'no affected source has a contract' } };

  const started = performance.now();
  const outcome = await deps.runner.run(spec, {
    runId: `${ctx.event.runId}-${action === 'quarantine' ? 'quarantine' : 'coerce'}`,
    attempt: (ctx.event.attempt ?? 1) + 1,
    staged,
    stagingDir: staging,
    // The failed run's parsed rows, when the runner kept them and the input is unchanged.
    adopt: ctx.event.runId,
  });
  const rerunMs = performance.now() - started;

  const rows = { rowsIn: 0, rowsDelivered: 0, rowsQuarantined: 0 };
  const artifacts: Record<string, string> = {};
  let output: RemediationResult['output'];
  let conformMs = 0;
  for (const [name, { plan, result, final }] of done) {
    if (!result) {
      // The re-run failed before this source was conformed (an earlier source, or reading it).
      steps.push({
        name: `${action} ${name}`,
        status: 'failed',
        detail: 'not conformed: the re-run failed first',
      });
      continue;
    }
    rows.rowsIn += result.rows.rowsIn;
    rows.rowsDelivered += result.rows.rowsDelivered;
    rows.rowsQuarantined += result.rows.rowsQuarantined;
    artifacts[`${name}.quarantine`] = final;
    const kept = outcome.status === 'succeeded' ? outcome.baselines[name] : undefined;
    if (kept) artifacts[`${name}.remediated`] = kept;
    for (const phase of result.phases) {
      conformMs += phase.ms;
      steps.push({
        name: `${action} ${name}: ${phase.name}`,
        status: 'applied',
        durationMs: Math.round(phase.ms),
      });
    }
    const renames = plan.renames.map((r) => `${r.from}→${r.to}`).join(', ');
    steps.push({
      name: `${action} ${name}`,
      status: 'applied',
      detail: `${result.rows.rowsDelivered} delivered, ${result.rows.rowsQuarantined} quarantined (${result.read} read)${renames ? `; renamed ${renames}` : ''}${result.sampleReasons.length ? `; e.g. ${result.sampleReasons[0]}` : ''}`,
    });
    output = { dataset: name, schema: result.schema, quality: result.quality };
  }
  steps.push({
    name: 'rerun on the conformed rows (transform, target, baseline)',
    status: outcome.status === 'succeeded' ? 'applied' : 'failed',
    detail: outcome.runId,
    durationMs: Math.round(rerunMs - conformMs),
  });
  if (outcome.status === 'succeeded') {
    artifacts.target = spec.target.location;
    // The quarantine files join the re-run's output in one publication: visible together at commit.
    const publication = outcome.publication;
    for (const { result, final } of done.values())
      if (result) publication.files.unshift({ from: result.quarantine, to: final });
    await deps.journal.stage(ctx.incidentId, publication);
  }
  const anyConformed = [...done.values()].some((d) => d.result);
  return {
    action,
    steps,
    ...(anyConformed ? { rows } : {}),
    rerun: rerunOf(outcome),
    artifacts,
    ...(output ? { output } : {}),
  };
}

// The shared body of `coerce_schema` and `quarantine`: conform each affected source to its contract
// (new files), re-run on the remediated input, and describe the delivered input for validation.

import type { Action } from '../../../core/action.js';
import type { RemediationResult, RemediationStep } from '../../../core/outcome.js';
import type { RemediationContext } from '../../../ports.js';
import type { PipelineSpec } from '../pipeline-file.js';
import { type ConformPlan, conformInput } from './conform-input.js';
import { affectedSources, type ExecutorDeps, rerunOf } from './executor.js';

export async function conformAndRerun(
  action: Extract<Action, 'coerce_schema' | 'quarantine'>,
  ctx: RemediationContext,
  spec: PipelineSpec,
  deps: ExecutorDeps,
  planFor: (source: string) => ConformPlan,
): Promise<RemediationResult> {
  const steps: RemediationStep[] = [];
  const artifacts: Record<string, string> = {};
  const inputs: Record<string, string> = {};
  const rows = { rowsIn: 0, rowsDelivered: 0, rowsQuarantined: 0 };
  let output: RemediationResult['output'];
  // The delivered input is described while the pipeline re-runs (separate DuckDB instances).
  const describeOutput: (() => Promise<void>)[] = [];
  const conn = await (await deps.duckdb()).connect();
  try {
    for (const source of affectedSources(ctx, spec)) {
      if (!source.contract) {
        steps.push({ name: `${action} ${source.name}`, status: 'skipped', detail: 'no contract' });
        continue;
      }
      const plan = planFor(source.name);
      const done = await conformInput({
        conn,
        engine: deps.engine,
        stateDir: deps.stateDir,
        incidentId: ctx.incidentId,
        location: source.location,
        contract: source.contract,
        plan,
        at: deps.clock.now(),
      });
      rows.rowsIn += done.rows.rowsIn;
      rows.rowsDelivered += done.rows.rowsDelivered;
      rows.rowsQuarantined += done.rows.rowsQuarantined;
      inputs[source.name] = done.remediated;
      artifacts[`${source.name}.remediated`] = done.remediated;
      artifacts[`${source.name}.quarantine`] = done.quarantine;
      for (const phase of done.phases)
        steps.push({
          name: `${action} ${source.name}: ${phase.name}`,
          status: 'applied',
          durationMs: Math.round(phase.ms),
        });
      const renames = plan.renames.map((r) => `${r.from}→${r.to}`).join(', ');
      steps.push({
        name: `${action} ${source.name}`,
        status: 'applied',
        detail: `${done.rows.rowsDelivered} delivered, ${done.rows.rowsQuarantined} quarantined${renames ? `; renamed ${renames}` : ''}${done.sampleReasons.length ? `; e.g. ${done.sampleReasons[0]}` : ''}`,
      });
      const contract = source.contract;
      describeOutput.push(async () => {
        output = {
          dataset: source.name,
          schema: await deps.engine.inferSchema(done.remediated, source.name),
          profile: await deps.engine.profile(done.remediated, {
            keys: contract.keys,
            expected: contract.schema,
            // Exact, not sampled: on a typed file a full scan costs less than a reservoir sample,
            // and validate() then checks the null rates of every delivered row.
          }),
        };
      });
    }
  } finally {
    conn.closeSync();
  }
  if (Object.keys(inputs).length === 0)
    return { action, steps, error: { code: 'E_CONFIG', message: 'no affected source has a contract' } };
  const rerunStarted = performance.now();
  const profiled = Promise.all(describeOutput.map((d) => d()));
  const outcome = await deps.runner.run(spec, {
    runId: `${ctx.event.runId}-${action === 'quarantine' ? 'quarantine' : 'coerce'}`,
    attempt: (ctx.event.attempt ?? 1) + 1,
    inputs,
  });
  const rerunMs = performance.now() - rerunStarted;
  await profiled;
  // The profile of the delivered input runs alongside the re-run; this is the time it adds after.
  steps.push({
    name: 'profile delivered input (alongside)',
    status: 'applied',
    durationMs: Math.round(performance.now() - rerunStarted - rerunMs),
  });
  steps.push({
    name: 'rerun',
    status: outcome.status === 'succeeded' ? 'applied' : 'failed',
    detail: outcome.runId,
    durationMs: Math.round(rerunMs),
  });
  if (outcome.status === 'succeeded') artifacts.target = spec.target.location;
  return { action, steps, rows, rerun: rerunOf(outcome), artifacts, ...(output ? { output } : {}) };
}

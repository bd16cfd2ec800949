// `scale_resources` on the embedded runtime: re-runs the job once with one step more of DuckDB
// `memory_limit` (then `threads`) within the authority's caps (core/resources.ts `nextScaleStep`),
// staged through the intent journal like `retry`. A successful re-run stages the raised setting with
// its output: the agent's commit (after validation) keeps it for the job's later runs, and a re-run
// that is not committed keeps nothing (core/kept-resources.ts decides when it is no longer needed).

import type { RemediationResult } from '../../../core/outcome.js';
import { nextScaleStep, type ResourceSettings, type ScaleStep } from '../../../core/resources.js';
import { describeResources, type KeptResourceStore } from '../duckdb-pipeline-runner.js';
import type { PipelineSpec } from '../pipeline-file.js';
import { type Executor, passThroughRows, rerunOf } from './executor.js';

/** What the job runs with now: the pipeline's own settings raised by what healer keeps. */
export async function currentResources(
  spec: PipelineSpec,
  kept: KeptResourceStore | undefined,
): Promise<ResourceSettings> {
  const own: ResourceSettings = {};
  if (spec.resources?.memoryMb !== undefined) own.memoryMb = spec.resources.memoryMb;
  if (spec.resources?.threads !== undefined) own.threads = spec.resources.threads;
  const k = await kept?.keptResources(spec.name);
  return { ...own, ...(k?.settings ?? {}) };
}

/** The step `scale_resources` would take for this job, or undefined (no caps, or all at their cap). */
export async function scaleStepFor(
  spec: PipelineSpec,
  kept: KeptResourceStore | undefined,
): Promise<ScaleStep | undefined> {
  const caps = spec.authority.resources;
  return caps ? nextScaleStep(await currentResources(spec, kept), caps) : undefined;
}

export const scaleResources: Executor = async (ctx, spec, deps) => {
  const { event } = ctx;
  const step = await scaleStepFor(spec, deps.kept);
  if (!step)
    return {
      action: 'scale_resources',
      steps: [{ name: 'scale_resources', status: 'failed', detail: 'no step within the caps' }],
      error: { code: 'E_CAPS', message: 'every resource is at its cap (authority.resources)' },
    };
  const spill = spec.resources?.spill ?? true;
  const outcome = await deps.runner.run(spec, {
    runId: `${event.runId}-scale`,
    attempt: (event.attempt ?? 1) + 1,
    stagingDir: deps.journal.stagingDir(ctx.incidentId),
    resources: { ...step.after, spill },
  });
  const change = `${describeResources({ ...step.before, spill })} → ${describeResources({ ...step.after, spill })}`;
  const result: RemediationResult = {
    action: 'scale_resources',
    steps: [
      {
        name: 'scale_resources',
        status: outcome.status === 'succeeded' ? 'applied' : 'failed',
        detail: `${change}; run ${outcome.runId} ${outcome.status}`,
      },
    ],
    scale: step,
    rerun: rerunOf(outcome),
    artifacts: { log: outcome.logFile },
  };
  if (outcome.status === 'succeeded') {
    // Later runs of the job start at the raised setting until a run shows it is not needed; it is
    // part of the publication, so only the incident's commit keeps it.
    const keep = deps.kept
      ? { job: spec.name, settings: step.after, at: deps.clock.now().toISOString() }
      : undefined;
    await deps.journal.stage(ctx.incidentId, {
      ...outcome.publication,
      ...(keep ? { keptResources: keep } : {}),
    });
    if (keep)
      result.steps.push({
        name: 'keep setting',
        status: 'applied',
        detail: `later runs of ${spec.name} use ${describeResources({ ...step.after, spill })} once this is committed`,
      });
    const rows = passThroughRows(outcome);
    if (rows) result.rows = rows;
  }
  return result;
};

// `rollback_schema`: retires the bad catalog version of each affected source (the previous one
// becomes current again; the bad one stays on disk, marked rolled back), restores the last target
// snapshot published before the bad version when a run wrote output under it, and re-runs.

import type { RemediationResult, RemediationStep } from '../../../core/outcome.js';
import { affectedSources, type Executor, passThroughRows, rerunOf } from './executor.js';

export const rollbackSchema: Executor = async (ctx, spec, deps) => {
  const steps: RemediationStep[] = [];
  const artifacts: Record<string, string> = {};
  for (const source of affectedSources(ctx, spec)) {
    const versions = await deps.catalog.listSchemaVersions(source.name);
    if (versions.length < 2) {
      steps.push({ name: `rollback ${source.name}`, status: 'skipped', detail: 'no previous version' });
      continue;
    }
    const [bad, good] = await deps.catalog.rollbackSchema(source.name);
    steps.push({
      name: `rollback ${source.name}`,
      status: 'applied',
      detail: `version ${bad.version} retired; version ${good.version} is current`,
    });
    artifacts[`${source.name}.schemaVersion`] = good.version;
    // Output written under the bad version is not trusted: restore the last snapshot before it.
    const current = await deps.catalog.currentTarget(spec.target.name);
    if (current && current.publishedAt >= bad.publishedAt) {
      const history = await deps.catalog.targetHistory(spec.target.name);
      const before = history.filter((s) => s.publishedAt < bad.publishedAt).at(-1);
      if (before) {
        await deps.catalog.restoreTarget(spec.target.name, spec.target.location, before);
        steps.push({ name: 'restore target', status: 'applied', detail: `snapshot of run ${before.runId}` });
        artifacts.restoredSnapshot = before.file;
      }
    }
  }
  if (!steps.some((s) => s.status === 'applied'))
    return {
      action: 'rollback_schema',
      steps,
      error: { code: 'E_NOT_FOUND', message: 'nothing to roll back' },
    };
  // The catalog pointer and a restored snapshot move before the re-run (it must read the previous
  // version); the re-run's output and baselines are staged and published by the agent's commit.
  const outcome = await deps.runner.run(spec, {
    runId: `${ctx.event.runId}-rollback`,
    attempt: (ctx.event.attempt ?? 1) + 1,
    stagingDir: deps.journal.stagingDir(ctx.incidentId),
  });
  if (outcome.status === 'succeeded') await deps.journal.stage(ctx.incidentId, outcome.publication);
  steps.push({
    name: 'rerun',
    status: outcome.status === 'succeeded' ? 'applied' : 'failed',
    detail: outcome.runId,
  });
  const result: RemediationResult = { action: 'rollback_schema', steps, rerun: rerunOf(outcome), artifacts };
  const rows = passThroughRows(outcome);
  if (rows) result.rows = rows;
  return result;
};

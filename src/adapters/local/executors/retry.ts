// `retry`: re-runs the pipeline with exponential backoff and full jitter (AWS architecture blog's
// "full jitter": sleep uniform in [0, min(cap, base·2^attempt)]), bounded by the pipeline's
// attempts and by the authority's per-run and per-job-per-hour retry budgets.

import { effectiveBudgets } from '../../../core/authority.js';
import { rootRunOf } from '../../../core/event.js';
import type { RemediationResult, RemediationStep } from '../../../core/outcome.js';
import type { RunOutcome } from '../duckdb-pipeline-runner.js';
import { type Executor, passThroughRows, rerunOf } from './executor.js';

/** The full-jitter delay before attempt `n` (0-based). */
export function backoffDelay(n: number, baseMs: number, capMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** n));
}

export const retry: Executor = async (ctx, spec, deps) => {
  const { event } = ctx;
  const budgets = effectiveBudgets(spec.authority.budgets);
  const steps: RemediationStep[] = [];
  let outcome: RunOutcome | undefined;
  for (let n = 0; n < spec.retry.maxAttempts; n++) {
    if (n > 0) {
      // The agent recorded the first retry; each further attempt spends budget too.
      const usage = await deps.state.usage(event.job, rootRunOf(event), deps.clock.now());
      if (
        usage.retriesThisRun >= budgets.maxRetriesPerRun ||
        usage.retriesThisJobLastHour >= budgets.maxRetriesPerJobPerHour
      ) {
        steps.push({ name: `attempt ${n + 1}`, status: 'skipped', detail: 'retry budget spent' });
        break;
      }
      await deps.state.recordRetry(event.job, rootRunOf(event), deps.clock.now());
    }
    const wait = backoffDelay(n, spec.retry.baseDelayMs, spec.retry.maxDelayMs, deps.random);
    await deps.clock.sleep(wait);
    outcome = await deps.runner.run(spec, {
      // Budgets count every attempt against the chain's first run (`rootRunOf`), never per attempt.
      runId: `${event.runId}-retry${n + 1}`,
      attempt: (event.attempt ?? 1) + n + 1,
      stagingDir: deps.journal.stagingDir(ctx.incidentId),
    });
    steps.push({
      name: `attempt ${n + 1}`,
      status: outcome.status === 'succeeded' ? 'applied' : 'failed',
      detail: `waited ${wait} ms; run ${outcome.runId} ${outcome.status}`,
    });
    if (outcome.status === 'succeeded') break;
  }
  // Earlier failed attempts are history, not failures of the action, once one attempt succeeded.
  const succeeded = outcome?.status === 'succeeded';
  const result: RemediationResult = {
    action: 'retry',
    steps: succeeded ? steps.map((s) => (s.status === 'failed' ? { ...s, status: 'skipped' } : s)) : steps,
  };
  if (outcome?.status === 'succeeded') await deps.journal.stage(ctx.incidentId, outcome.publication);
  if (outcome) {
    result.rerun = rerunOf(outcome);
    const rows = passThroughRows(outcome);
    if (rows) result.rows = rows;
    result.artifacts = { log: outcome.logFile };
  }
  return result;
};

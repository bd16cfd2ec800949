// `defer` on the embedded runtime: waits with backoff for the condition (an input's arrival or
// freshness, a throttle or a full slot to pass), polling it up to the authority's
// `defer.maxWaitSeconds`, then runs the job, staged through the intent journal like `retry`. When
// the bound passes first it fails with the reason, and the agent escalates.

import type { RemediationResult } from '../../../core/outcome.js';
import { effectiveDeferBounds } from '../../../core/resources.js';
import { deferCondition } from '../defer-condition.js';
import { affectedSources, type Executor, passThroughRows, rerunOf } from './executor.js';

/** The wait before poll `n` (0-based): the pipeline's retry backoff, doubling up to its cap. */
export function deferDelay(n: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, Math.max(1, baseMs) * 2 ** n);
}

export const defer: Executor = async (ctx, spec, deps) => {
  const { event } = ctx;
  const bounds = effectiveDeferBounds(spec.authority.defer);
  const condition = await deferCondition(
    ctx.decision.diagnosis.classification,
    affectedSources(ctx, spec),
    deps.engine,
    deps.clock,
  );
  // A dependency's input that landed between the decision and now: the wait is over, run the job.
  const arrived = !condition && ctx.decision.diagnosis.classification.family === 'dependency';
  if (!condition && !arrived)
    return {
      action: 'defer',
      steps: [{ name: 'defer', status: 'failed', detail: 'nothing to wait for' }],
      error: { code: 'E_DEFER', message: 'there is no condition to wait for' },
    };
  const started = deps.clock.now().getTime();
  const boundMs = bounds.maxWaitSeconds * 1000;
  let polls = 0;
  let met = arrived;
  for (let n = 0; condition && !met; n++) {
    if (n > 0 || !condition.waitFirst) {
      polls++;
      if (await condition.met()) {
        met = true;
        break;
      }
    }
    const waited = deps.clock.now().getTime() - started;
    if (waited >= boundMs) break;
    await deps.clock.sleep(
      Math.min(deferDelay(n, spec.retry.baseDelayMs, spec.retry.maxDelayMs), boundMs - waited),
    );
  }
  const waitedMs = deps.clock.now().getTime() - started;
  const description = condition?.description ?? 'the input (it arrived after the decision)';
  const deferral = { condition: description, waitedMs, polls, met };
  const waitStep = {
    name: 'wait',
    status: met ? ('applied' as const) : ('failed' as const),
    detail: `waited ${waitedMs} ms for ${description} (${polls} poll(s))`,
  };
  if (!met)
    return {
      action: 'defer',
      steps: [waitStep],
      deferral,
      error: {
        code: 'E_DEFER_BOUND',
        message: `${description} did not happen within ${bounds.maxWaitSeconds} s (authority.defer.maxWaitSeconds)`,
      },
    };
  const outcome = await deps.runner.run(spec, {
    runId: `${event.runId}-defer`,
    attempt: (event.attempt ?? 1) + 1,
    stagingDir: deps.journal.stagingDir(ctx.incidentId),
  });
  const result: RemediationResult = {
    action: 'defer',
    steps: [
      waitStep,
      {
        name: 'run',
        status: outcome.status === 'succeeded' ? 'applied' : 'failed',
        detail: `run ${outcome.runId} ${outcome.status}`,
      },
    ],
    deferral,
    rerun: rerunOf(outcome),
    artifacts: { log: outcome.logFile },
  };
  if (outcome.status === 'succeeded') {
    await deps.journal.stage(ctx.incidentId, outcome.publication);
    const rows = passThroughRows(outcome);
    if (rows) result.rows = rows;
  }
  return result;
};

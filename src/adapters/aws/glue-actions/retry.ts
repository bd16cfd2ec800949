// `retry` on Glue: StartJobRun with the failed run's own arguments (and the chain's root run id),
// then wait for the new run to end. Families no retry can fix are refused even if asked.

import type { RemediationResult } from '../../../core/outcome.js';
import { refusedResult } from '../../../core/outcome.js';
import { withArticle } from '../../../core/words.js';
import type { RemediationContext } from '../../../ports.js';
import { rerunArguments } from '../glue-event.js';
import { type GlueJobRuns, lastDetail } from './job-runs.js';

/** Families no retry can fix: the executor refuses them (the guard forbids them too). */
const NEVER_RETRY = new Set(['permission', 'config', 'unknown']);

/**
 * Re-runs the failed job run as it was.
 *
 * @example
 * const result = await glueRetry(runs, ctx);
 */
export async function glueRetry(runs: GlueJobRuns, ctx: RemediationContext): Promise<RemediationResult> {
  const family = ctx.decision.diagnosis.classification.family;
  if (NEVER_RETRY.has(family))
    return refusedResult('retry', `${withArticle(family)} failure is never retried blindly`);
  const args = rerunArguments(ctx.event);
  if (!args) return refusedResult('retry', 'the failed run arguments are unknown (too large to carry)');
  const steps: RemediationResult['steps'] = [];
  const runId = await runs.start(ctx.event.job, args, steps);
  if (!runId) return { action: 'retry', steps, error: { code: 'E_REMOTE', message: lastDetail(steps) } };
  const rerun = await runs.wait(ctx.event.job, runId, steps);
  return { action: 'retry', steps, rerun, artifacts: { rerunId: runId } };
}

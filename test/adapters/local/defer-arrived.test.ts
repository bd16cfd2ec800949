// `defer` when the late input lands between the decision and the executor (found by bench:slo): the
// wait is over, so the job runs and the incident resolves, instead of failing with "nothing to wait
// for". Real DuckDB and a real file; the only hook writes the input just before the executor runs.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { handleIncident } from '../../../src/agent.js';
import type { Action } from '../../../src/core/action.js';
import {
  createLocalEnvironment,
  type LocalEnvironment,
} from '../../../src/environments/local-environment.js';
import type { RemediationContext } from '../../../src/ports.js';
import { ordersPipeline } from '../../fixtures/orders-pipeline.js';

const PIPELINE = ordersPipeline({
  name: 'orders_late',
  authority: '  mode: autonomous\n  allowedActions: [defer]\n  defer: { maxWaitSeconds: 5 }',
  trailing: 'retry: { maxAttempts: 1, baseDelayMs: 50, maxDelayMs: 400 }',
});

let env: LocalEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

it('defer runs the job at once when the input arrived after the decision', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'healer-defer-arrived-'));
  await writeFile(join(dir, 'pipeline.yaml'), PIPELINE);
  env = await createLocalEnvironment({ pipelineFile: join(dir, 'pipeline.yaml'), terminal: false });
  const failed = await env.runner.run(env.spec);
  if (failed.status !== 'failed') throw new Error('expected the run to fail: orders.csv is not there');
  const execute = env.remediator.execute.bind(env.remediator);
  env.remediator.execute = async (action: Action, ctx: RemediationContext) => {
    // The upstream delivers after the decision to defer, before the executor looks.
    await writeFile(join(dir, 'orders.csv'), 'id,amount\n1,9.5\n2,12\n');
    return execute(action, ctx);
  };
  const incident = await handleIncident(failed.event, env);
  expect(incident.action).toBe('defer');
  expect(incident.status).toBe('resolved');
  expect(incident.result?.deferral).toMatchObject({ polls: 0, met: true });
  expect(incident.result?.steps.map((s) => s.status)).toEqual(['applied', 'applied']);
});

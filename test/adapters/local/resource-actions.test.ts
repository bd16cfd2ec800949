// scale_resources and defer on the embedded runtime, for real: a DuckDB out-of-memory error (a large
// aggregation under a low memory_limit with spilling off) healed by one step of memory within the
// caps and kept for the job's later runs; a late upstream file awaited by defer (written by a timer
// during the wait), and the bound passing when it never comes.

import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { handleIncident } from '../../../src/agent.js';
import { memoryIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import { classifyError } from '../../../src/core/detect/error-classifier.js';
import { KEEP_RUNS_BEFORE_TRIAL } from '../../../src/core/kept-resources.js';
import type { Policy } from '../../../src/core/policy/policy.js';
import { stateKey } from '../../../src/core/state.js';
import {
  createLocalEnvironment,
  type LocalEnvironment,
} from '../../../src/environments/local-environment.js';
import type { Clock, IntentJournal } from '../../../src/ports.js';

// 800,000 values grouped into 200,000 lists: needs more than 64 MB and less than 128 MB of DuckDB
// memory with one thread (measured on DuckDB 1.x); the orders input keeps it a real pipeline.
const HEAVY = `SELECT (SELECT count(*) FROM "orders") AS orders, count(*) AS groups, sum(len(s)) AS values
  FROM (SELECT i % 200000 AS k, list(repeat('x', 20) || i::VARCHAR) AS s FROM range(800000) t(i) GROUP BY k)`;

function pipeline(options: { transform?: string; extra?: string } = {}): string {
  return `name: orders_heavy
sources:
  orders:
    path: orders.csv
    contract:
      columns:
        id: { type: int64, nullable: false }
        amount: { type: double, nullable: false }
      maxAgeMinutes: 60
transform: |
  ${(options.transform ?? HEAVY).replace(/\n/g, '\n  ')}
target: { path: out/orders.parquet }
resources: { memoryMb: 64, threads: 1, spill: false }
authority:
  mode: autonomous
  allowedActions: [retry, scale_resources, defer]
  resources: { maxMemoryMb: 256, maxThreads: 2, maxStepsPerRun: 1 }
  defer: { maxWaitSeconds: 5 }
retry: { maxAttempts: 1, baseDelayMs: 50, maxDelayMs: 400 }
${options.extra ?? ''}`;
}

const ORDERS = 'id,amount\n1,9.5\n2,12\n3,7.25\n';
const envs: LocalEnvironment[] = [];
afterEach(async () => {
  for (const e of envs.splice(0)) await e.close();
});

async function setup(text: string, clock?: Clock): Promise<{ dir: string; env: LocalEnvironment }> {
  const dir = await mkdtemp(join(tmpdir(), 'healer-res-'));
  await writeFile(join(dir, 'pipeline.yaml'), text);
  const env = await createLocalEnvironment({
    pipelineFile: join(dir, 'pipeline.yaml'),
    terminal: false,
    random: () => 0.5,
    ...(clock ? { clock } : {}),
  });
  envs.push(env);
  return { dir, env };
}

describe('scale_resources on real DuckDB', () => {
  it('heals a real out-of-memory failure with one memory step within the caps and keeps the setting', async () => {
    const { dir, env } = await setup(pipeline());
    await writeFile(join(dir, 'orders.csv'), ORDERS);
    const failed = await env.runner.run(env.spec);
    if (failed.status !== 'failed') throw new Error('expected the run at 64 MB to run out of memory');
    expect(failed.errorMessage).toMatch(/^Out of Memory Error:/);
    expect(classifyError(failed.errorMessage)).toMatchObject({
      family: 'resource',
      rule: 'duckdb.out_of_memory',
    });

    const incident = await handleIncident(failed.event, env);
    expect(incident.status).toBe('resolved');
    expect(incident.action).toBe('scale_resources');
    expect(incident.decision?.proposal.source).toBe('resource_rules');
    expect(incident.result?.scale).toEqual({
      before: { memoryMb: 64, threads: 1 },
      after: { memoryMb: 128, threads: 1 },
    });
    expect(incident.result?.steps[0]?.detail).toMatch(
      /memory_limit 64 MB, threads 1, spilling off → memory_limit 128 MB/,
    );
    const usage = await env.state.usage('orders_heavy', failed.runId, new Date());
    expect(usage.scaleStepsThisRun).toBe(1);
    expect(await env.stateStore.keptResources('orders_heavy')).toEqual({
      settings: { memoryMb: 128, threads: 1 },
      successes: 0,
    });
    // The audit's action record carries before/after.
    const audit = await readFile(join(env.stateDir, 'audit.jsonl'), 'utf8');
    const action = audit
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((r) => r.step === 'action');
    expect(action.data.scale.after.memoryMb).toBe(128);

    // Later plain runs of the job use the kept setting.
    const later = await env.runner.run(env.spec);
    expect(later.status).toBe('succeeded');
    expect(later.resources.memoryMb).toBe(128);
    expect(await readFile(later.logFile, 'utf8')).toMatch(
      /Resources: memory_limit 128 MB, threads 1, spilling off/,
    );
    // A second OOM in the same run chain would exceed the one step per run: G18 escalates.
    const second = await handleIncident(
      {
        ...failed.event,
        id: `${failed.event.id}-rerun`,
        runId: `${failed.runId}-scale`,
        rootRunId: failed.runId,
        attempt: 2,
      },
      env,
    );
    expect(second.decision?.verdict.fired.map((r) => r.id)).toContain('G18_SCALE_STEPS_PER_RUN');
    expect(second.status).toBe('escalated');
  }, 60_000);

  it('keeps nothing when the scaled re-run succeeds but the commit fails (commit fault injected: a disk error cannot be made here)', async () => {
    const { dir, env } = await setup(pipeline());
    await writeFile(join(dir, 'orders.csv'), ORDERS);
    const failed = await env.runner.run(env.spec);
    if (failed.status !== 'failed') throw new Error('expected the run at 64 MB to run out of memory');
    const journal = env.journal;
    // The real journal, except that its commit (the one atomic flip) fails.
    const failingCommit: IntentJournal = {
      begin: (intent) => journal.begin(intent),
      commit: async () => {
        throw new Error('EIO: the intent file could not be written');
      },
      publish: (id) => journal.publish(id),
      discard: (id) => journal.discard(id),
      close: (id) => journal.close(id),
      abandoned: () => journal.abandoned(),
    };
    await expect(handleIncident(failed.event, { ...env, journal: failingCommit })).rejects.toThrow(/EIO/);
    // The re-run at 128 MB succeeded, but nothing was committed: the job keeps no setting.
    expect(await env.stateStore.keptResources('orders_heavy')).toBeUndefined();
    const later = await env.runner.run(env.spec);
    expect(later.resources.memoryMb).toBe(64);
    expect(later.status).toBe('failed');
  }, 60_000);

  it('tries one step down after kept runs; the job still needs it, so the kept setting stays (audited)', async () => {
    const { dir, env } = await setup(pipeline());
    await writeFile(join(dir, 'orders.csv'), ORDERS);
    await env.stateStore.saveKeptResources(
      'orders_heavy',
      { settings: { memoryMb: 128 }, successes: KEEP_RUNS_BEFORE_TRIAL },
      new Date(),
    );
    const trial = await env.runner.run(env.spec);
    // The trial at 64 MB ran out of memory; the run was made again at the kept 128 MB and succeeded.
    expect(trial.status).toBe('succeeded');
    expect(trial.resources.memoryMb).toBe(128);
    expect(await env.stateStore.keptResources('orders_heavy')).toEqual({
      settings: { memoryMb: 128 },
      successes: 0,
    });
    const audit = (await readFile(join(env.stateDir, 'audit.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(audit.find((r) => r.step === 'resources')?.data).toMatchObject({
      job: 'orders_heavy',
      reason: /still needed/,
    });
    // The record is part of the signed chain like any other.
    const io = memoryIo('', env.stateDir);
    expect(await main(['audit', 'verify', '--state-dir', env.stateDir, '--json'], io)).toBe(0);
  }, 60_000);

  it('drops the kept setting when one step down succeeds (the higher setting is no longer needed)', async () => {
    const { dir, env } = await setup(
      pipeline({ transform: 'SELECT count(*) AS n, sum(amount) AS total FROM "orders"' }),
    );
    await writeFile(join(dir, 'orders.csv'), ORDERS);
    await env.stateStore.saveKeptResources(
      'orders_heavy',
      { settings: { memoryMb: 128 }, successes: KEEP_RUNS_BEFORE_TRIAL },
      new Date(),
    );
    const run = await env.runner.run(env.spec);
    expect(run.status).toBe('succeeded');
    expect(run.resources.memoryMb).toBe(64);
    expect(await env.stateStore.keptResources('orders_heavy')).toBeUndefined();
  }, 60_000);
});

describe('defer on real files', () => {
  it('a missing input is a dependency failure; defer waits for the late file (it arrives during the wait) and runs', async () => {
    const { clock, deliver } = arrivalClock();
    const { dir, env } = await setup(
      pipeline({ transform: 'SELECT count(*) AS n, sum(amount) AS total FROM "orders"' }),
      clock,
    );
    const failed = await env.runner.run(env.spec);
    if (failed.status !== 'failed') throw new Error('expected the run to fail without its input');
    expect(failed.errorMessage).toMatch(/Input not ready: .*orders\.csv has not arrived \(source orders\)/);
    expect(classifyError(failed.errorMessage)).toMatchObject({
      family: 'dependency',
      rule: 'healer.input_not_ready',
    });
    deliver(() => writeFile(join(dir, 'orders.csv'), ORDERS));
    const incident = await handleIncident(failed.event, env);
    expect(incident.action).toBe('defer');
    expect(incident.status).toBe('resolved');
    // A finding, not a crash: the input is late.
    expect(incident.decision?.diagnosis.findings).toMatchObject([
      {
        kind: 'freshness_lag',
        current: 'not arrived',
        message: 'orders: the input has not arrived (the upstream has not delivered it yet)',
      },
    ]);
    expect(incident.result?.deferral).toMatchObject({
      condition: 'input orders.csv to arrive',
      met: true,
      polls: 2,
    });
    expect(incident.result?.deferral?.waitedMs).toBeGreaterThanOrEqual(50);
    expect(incident.result?.rows).toEqual({ rowsIn: 3, rowsDelivered: 3, rowsQuarantined: 0 });
    expect((await env.state.usage('orders_heavy', failed.runId, new Date())).deferralsThisRun).toBe(1);
    // Job memory: the next time this job's input is late, what fixed it is proposed first.
    expect(await env.stateStore.lastFix('orders_heavy', stateKey(incident.decision!.state))).toBe('defer');
    await rm(join(dir, 'orders.csv'));
    const again = await env.runner.run(env.spec);
    if (again.status !== 'failed') throw new Error('expected the input to be missing again');
    deliver(() => writeFile(join(dir, 'orders.csv'), ORDERS));
    const next = await handleIncident(again.event, env);
    expect(next.decision?.proposal).toMatchObject({ action: 'defer', source: 'job_memory' });
    expect(next.status).toBe('resolved');
  }, 60_000);

  it('the late file arrived before the decision: nothing to wait for, so the job runs (retry) instead of a defer G20 would veto', async () => {
    const { clock, deliver } = arrivalClock();
    const { dir, env } = await setup(
      pipeline({ transform: 'SELECT count(*) AS n, sum(amount) AS total FROM "orders"' }),
      clock,
    );
    // Day 1: the file is late and defer waits for it; the job remembers defer for this state.
    const first = await env.runner.run(env.spec);
    if (first.status !== 'failed') throw new Error('expected the run to fail without its input');
    deliver(() => writeFile(join(dir, 'orders.csv'), ORDERS));
    expect(await handleIncident(first.event, env)).toMatchObject({ action: 'defer', status: 'resolved' });

    // Day 2: the file is late again, but lands between the failure and the decision.
    await rm(join(dir, 'orders.csv'));
    const second = await env.runner.run(env.spec);
    if (second.status !== 'failed') throw new Error('expected the input to be missing again');
    await writeFile(join(dir, 'orders.csv'), ORDERS);
    const remembered = await handleIncident(second.event, env);
    expect(await env.stateStore.lastFix('orders_heavy', stateKey(remembered.decision!.state))).toBe('retry');
    expect(remembered).toMatchObject({ action: 'retry', status: 'resolved' });
    // The remembered defer meant "run once the input is there": it is there, so it runs now.
    expect(remembered.decision?.proposal).toMatchObject({ action: 'retry', source: 'condition_met' });
    expect(remembered.decision?.verdict.fired.map((r) => r.id)).not.toContain(
      'G20_DEFER_NEEDS_WAITABLE_CONDITION',
    );
    const audit = (await readFile(join(env.stateDir, 'audit.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const decided = audit.find((r) => r.incidentId === remembered.id && r.step === 'decision');
    expect(decided.data.capabilities.deferConditionMet).toBe('input orders.csv arrived');
    expect(decided.data.capabilities.deferCondition).toBeUndefined();
  }, 60_000);

  it('a policy that has learned to wait (a stand-in proposing defer) runs the job when the late file is already there (condition_met)', async () => {
    const { dir, env } = await setup(
      pipeline({ transform: 'SELECT count(*) AS n, sum(amount) AS total FROM "orders"' }),
    );
    const failed = await env.runner.run(env.spec);
    if (failed.status !== 'failed') throw new Error('expected the run to fail without its input');
    await writeFile(join(dir, 'orders.csv'), ORDERS);
    const learned = await handleIncident(failed.event, { ...env, policy: learnedWait });
    expect(learned.decision?.proposal).toMatchObject({ action: 'retry', source: 'condition_met' });
    expect(learned).toMatchObject({ action: 'retry', status: 'resolved' });
    expect(learned.result?.rows).toEqual({ rowsIn: 3, rowsDelivered: 3, rowsQuarantined: 0 });
  }, 60_000);

  it('escalates with the reason when the file does not come within the bound (fake clock)', async () => {
    const start = Date.parse('2026-03-02T08:00:00Z');
    let offset = 0;
    const sleeps: number[] = [];
    const clock: Clock = {
      now: () => new Date(start + offset),
      sleep: async (ms) => {
        sleeps.push(ms);
        offset += ms;
      },
    };
    const { env } = await setup(pipeline({ transform: 'SELECT count(*) AS n FROM "orders"' }), clock);
    const failed = await env.runner.run(env.spec);
    if (failed.status !== 'failed') throw new Error('expected a failure');
    const incident = await handleIncident(failed.event, env);
    expect(incident.action).toBe('defer');
    expect(incident.status).toBe('escalated');
    expect(incident.result?.error?.message).toMatch(/input orders.csv to arrive did not happen within 5 s/);
    // Backoff doubles from the pipeline's base (50 ms) up to its cap (400 ms), never past the bound.
    expect(sleeps.slice(0, 5)).toEqual([50, 100, 200, 400, 400]);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(5000);
  }, 60_000);

  it('a stale input (older than maxAgeMinutes) fails as not ready; defer waits until the upstream refreshes it', async () => {
    const { clock, deliver } = arrivalClock();
    const { dir, env } = await setup(pipeline({ transform: 'SELECT count(*) AS n FROM "orders"' }), clock);
    const file = join(dir, 'orders.csv');
    await writeFile(file, ORDERS);
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(file, twoHoursAgo, twoHoursAgo);
    const failed = await env.runner.run(env.spec);
    if (failed.status !== 'failed') throw new Error('expected a stale input to fail the run');
    expect(failed.errorMessage).toMatch(
      /Input not ready: .*orders\.csv is older than its freshness \(modified 120 min ago, contract maxAgeMinutes 60\)/,
    );
    expect(classifyError(failed.errorMessage)).toMatchObject({
      family: 'dependency',
      rule: 'healer.input_not_ready',
    });
    deliver(() => writeFile(file, ORDERS));
    const incident = await handleIncident(failed.event, env);
    expect(incident.decision?.diagnosis.findings).toMatchObject([
      { kind: 'freshness_lag', current: '120 min old', lagMinutes: 60, severity: 'warning' },
    ]);
    expect(incident.result?.deferral).toMatchObject({
      condition: 'input orders.csv to be refreshed (newer than 60 min)',
      met: true,
      polls: 2,
    });
    expect(incident).toMatchObject({ action: 'defer', status: 'resolved' });
  }, 60_000);
});

/** Stands in for a policy that has learned to wait: proposes `defer` for every state. */
const learnedWait: Policy = {
  kind: 'q_learning',
  version: 'q_learning@learned-wait',
  hash: 'learned-wait',
  actions: ['retry', 'escalate', 'defer'],
  propose: () => ({
    action: 'defer',
    qValues: { defer: 1 },
    propensity: 1,
    policyVersion: 'q_learning@learned-wait',
  }),
};

/** The real clock, except that a delivery (the upstream writing its file) runs during the next sleep. */
function arrivalClock(): { clock: Clock; deliver: (write: () => Promise<void>) => void } {
  let arrive: (() => Promise<void>) | undefined;
  return {
    clock: {
      now: () => new Date(),
      sleep: async (ms) => {
        await delay(ms);
        const delivery = arrive;
        arrive = undefined;
        await delivery?.();
      },
    },
    deliver: (write) => {
      arrive = write;
    },
  };
}

// The Airflow tier: a real Airflow 3 (scheduler, API server, DAG processor on SQLite, started by
// global-setup.ts) runs DAGs that fail for real; healer's listener plugin spools each failed try
// and `watchOnce` handles them through the REST API. The tests read back what Airflow shows (task
// states, tries, cleared instances) and healer's audit.

import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AirflowClient, AirflowTaskInstance } from '../../src/adapters/airflow/airflow-client.js';
import { parseAirflowConfig } from '../../src/adapters/airflow/airflow-config.js';
import { AirflowPoller } from '../../src/adapters/airflow/airflow-poller.js';
import { type WatchOutcome, watchOnce } from '../../src/adapters/airflow/airflow-watcher.js';
import {
  type AirflowEnvironment,
  createAirflowEnvironment,
} from '../../src/environments/airflow-environment.js';

const af = inject('airflow');
const DAGS = [
  'flaky_extract',
  'flaky_no_retries',
  'warehouse_load',
  'orders_ingest',
  'orders_load',
  'partner_feed',
] as const;
type Dag = (typeof DAGS)[number];
const TASK: Record<Dag, string> = {
  flaky_extract: 'extract',
  flaky_no_retries: 'extract',
  warehouse_load: 'load',
  orders_ingest: 'ingest',
  orders_load: 'load',
  partner_feed: 'wait_and_load',
};

const ORDERS_PIPELINE = `name: orders_ingest
sources:
  orders:
    path: orders.csv
    contract:
      columns:
        order_id: { type: int64, nullable: false }
        customer_id: { type: int64, nullable: false }
        amount: { type: double, nullable: false }
        ordered_at: { type: date, nullable: false }
transform: SELECT order_id, customer_id, amount, ordered_at FROM "orders"
target: { path: orders_clean.parquet }
authority: { mode: autonomous }
`;

/** The load's input: 20 orders, one without an amount (the warehouse table requires one). */
const LOAD_ORDERS = [
  'order_id,customer_id,amount,ordered_at',
  ...Array.from(
    { length: 20 },
    (_, i) =>
      `${i + 1},${100 + (i % 5)},${i === 6 ? '' : (10 + i * 1.5).toFixed(2)},2026-11-${String((i % 28) + 1).padStart(2, '0')}`,
  ),
].join('\n');

let env: AirflowEnvironment;
let client: AirflowClient;
const runs = new Map<Dag, string>();
const outcomes: WatchOutcome[] = [];

async function api(method: string, path: string, body?: unknown): Promise<unknown> {
  const token = await fetch(`${af.url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'healer', password: af.password }),
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  const res = await fetch(`${af.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function trigger(dag: Dag): Promise<string> {
  const run = (await api('POST', `/api/v2/dags/${dag}/dagRuns`, { logical_date: null })) as {
    dag_run_id: string;
  };
  runs.set(dag, run.dag_run_id);
  return run.dag_run_id;
}

async function runState(dag: Dag): Promise<string> {
  const run = (await api('GET', `/api/v2/dags/${dag}/dagRuns/${encodeURIComponent(runs.get(dag)!)}`)) as {
    state: string;
  };
  return run.state;
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const instance = (dag: Dag): Promise<AirflowTaskInstance> =>
  client.getTaskInstance(dag, runs.get(dag)!, TASK[dag]);
const of = (dag: Dag) => outcomes.filter((o) => o.dagId === dag).sort((a, b) => a.tryNumber - b.tryNumber);

/** Runs the watcher until the spool is empty (a retry's own failure is spooled while it runs). */
async function watch(): Promise<WatchOutcome[]> {
  const got: WatchOutcome[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const once = await watchOnce({ env, client, ...(env.spool ? { spool: env.spool } : {}) });
    got.push(...once);
    if (once.length === 0) break;
  }
  outcomes.push(...got);
  return got;
}

beforeAll(async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'healer-airflow-state-'));
  const retry = { authority: { allowedActions: ['retry'] } };
  const config = parseAirflowConfig(
    JSON.stringify({
      airflow: { url: af.url, username: 'healer' },
      spoolDir: af.spoolDir,
      stateDir,
      rerunTimeoutSeconds: 120,
      rerunPollSeconds: 1,
      // Deferrals short enough for the tier: 2 s, then 4 s; waited by the watcher, then cleared.
      defer: { baseSeconds: 2, clearWithinSeconds: 30 },
      dags: {
        flaky_extract: retry,
        flaky_no_retries: retry,
        warehouse_load: retry,
        orders_ingest: {
          authority: { allowedActions: ['retry', 'coerce_schema', 'quarantine'] },
          tasks: { ingest: { pipelineFile: join(af.dataDir, 'orders-pipeline.yaml') } },
        },
        orders_load: {
          tasks: {
            load: {
              authority: { allowedActions: ['quarantine'] },
              pipelineFile: join(af.dataDir, 'load', 'orders-pipeline.yaml'),
            },
          },
        },
        // A late upstream file is waited for, not retried at once.
        partner_feed: {
          authority: { allowedActions: ['defer'], defer: { maxWaitSeconds: 60, maxDeferralsPerRun: 2 } },
        },
      },
    }),
    join(stateDir, 'airflow.json'),
  );
  env = await createAirflowEnvironment({ config, password: af.password, terminal: false });
  client = env.client;
  // Inputs: the orders file drifted (a renamed column); the load's input has a row without an
  // amount; the partner's file is late (absent). Both orders tasks declare their data as a healer
  // pipeline: the contract their file should meet.
  writeFileSync(
    join(af.dataDir, 'orders.csv'),
    'order_id,customer_id,order_amount,ordered_at\n1,7,19.90,2026-11-30\n',
  );
  writeFileSync(join(af.dataDir, 'orders-pipeline.yaml'), ORDERS_PIPELINE);
  mkdirSync(join(af.dataDir, 'load'), { recursive: true });
  writeFileSync(join(af.dataDir, 'load', 'orders.csv'), `${LOAD_ORDERS}\n`);
  writeFileSync(
    join(af.dataDir, 'load', 'orders-pipeline.yaml'),
    ORDERS_PIPELINE.replace('orders_ingest', 'orders_load').replace(
      'orders_clean.parquet',
      'out/orders.parquet',
    ),
  );
  for (const dag of DAGS) await trigger(dag);
  const pending = async () => {
    const states = await Promise.all(DAGS.map(async (dag) => `${dag}: ${await runState(dag)}`));
    return states.filter((s) => !s.endsWith(': success') && !s.endsWith(': failed'));
  };
  // Six runs on two slots of a shared 2-core machine: generous, and the message names the laggards.
  await waitUntil('every DAG run to end', async () => (await pending()).length === 0, 420_000).catch(
    async (error: Error) => {
      throw new Error(`${error.message} (${(await pending()).join(', ')})`);
    },
  );
  // The late file arrives after the task's only try failed, before healer looks.
  mkdirSync(join(af.dataDir, 'partner'), { recursive: true });
  writeFileSync(join(af.dataDir, 'partner', 'feed.csv'), 'id,qty\n1,3\n2,5\n');
  await watch();
}, 840_000);

afterAll(async () => {
  await env?.close();
});

describe('healer on a real Airflow', () => {
  it('leaves a transient failure to Airflow while its own retry is pending (it passes on try 2)', async () => {
    const [first, ...rest] = of('flaky_extract');
    expect(first).toMatchObject({ tryNumber: 1, outcome: 'left_to_airflow', family: 'transient' });
    expect(rest).toEqual([]);
    const ti = await instance('flaky_extract');
    // Never cleared by healer: a clear would have raised max_tries above the operator's 1 retry.
    expect(ti).toMatchObject({ state: 'success', try_number: 2, max_tries: 1 });
    // The run's state follows its task's on the scheduler's next loop.
    await waitUntil(
      'flaky_extract run success',
      async () => (await runState('flaky_extract')) === 'success',
      60_000,
    );
    expect(await runState('flaky_extract')).toBe('success');
  });

  it('retries a transient failure by clearing the instance once Airflow has no retry left', async () => {
    const [first, ...rest] = of('flaky_no_retries');
    expect(first).toMatchObject({ tryNumber: 1, outcome: 'incident', status: 'resolved', action: 'retry' });
    expect(rest).toEqual([]);
    // Airflow shows the cleared instance: a second try that succeeded, max_tries raised by the clear.
    const ti = await instance('flaky_no_retries');
    expect(ti).toMatchObject({ state: 'success', try_number: 2, max_tries: 1 });
    // The run's state follows its task's on the scheduler's next loop.
    await waitUntil(
      'flaky_no_retries run success',
      async () => (await runState('flaky_no_retries')) === 'success',
      60_000,
    );
    expect(await runState('flaky_no_retries')).toBe('success');
    const audit = await env.audit.read(first!.incidentId!);
    const steps = audit.map((r) => r.step);
    expect(steps).toEqual(expect.arrayContaining(['received', 'evidence', 'decision', 'action', 'outcome']));
    const action = audit.find((r) => r.step === 'action')!.data as {
      steps: { name: string; status: string }[];
    };
    expect(action.steps.map((s) => `${s.name}:${s.status}`)).toEqual([
      'clear_task_instance:applied',
      'task_instance_try:applied',
    ]);
    expect((await env.audit.verify()).ok).toBe(true);
  });

  it('escalates a permission error at once and never clears it, though Airflow had retries', async () => {
    const got = of('warehouse_load');
    expect(got.map((o) => o.tryNumber)).toEqual([1, 2, 3]);
    expect(got[0]).toMatchObject({ outcome: 'incident', status: 'escalated', family: 'permission' });
    expect(got.slice(1).map((o) => o.outcome)).toEqual(['already_escalated', 'already_escalated']);
    const ti = await instance('warehouse_load');
    expect(ti).toMatchObject({ state: 'failed', try_number: 3, max_tries: 2 });
    const decision = (await env.audit.read(got[0]!.incidentId!)).find((r) => r.step === 'decision')!.data as {
      capabilities: { supported: string[] };
      decision: { verdict: { final: string } };
    };
    expect(decision.decision.verdict.final).toBe('escalate');
    // Airflow's own retries were still pending when healer looked at try 1: no retry was possible.
    expect(decision.capabilities.supported).not.toContain('retry');
    expect(readdirSync(env.escalationsDir).length).toBeGreaterThan(0);
  });

  it('finds the schema drift in the local file the task declares, and does not retry it', async () => {
    const [first, ...rest] = of('orders_ingest');
    expect(first).toMatchObject({ tryNumber: 1, outcome: 'incident', family: 'schema', status: 'escalated' });
    const diagnosis = (await env.audit.read(first!.incidentId!)).find((r) => r.step === 'diagnosis')!
      .data as {
      findings: { kind: string; column: string }[];
    };
    expect(diagnosis.findings.map((f) => `${f.kind} ${f.column}`)).toEqual(
      expect.arrayContaining(['field_removed amount', 'field_added order_amount']),
    );
    expect(rest).toEqual([]);
    const ti = await instance('orders_ingest');
    expect(ti).toMatchObject({ state: 'failed', try_number: 1, max_tries: 0 });
  });

  it('quarantines the bad rows of a task whose data is a healer pipeline, then marks the task done', async () => {
    const [first, ...rest] = of('orders_load');
    expect(first).toMatchObject({
      tryNumber: 1,
      outcome: 'incident',
      family: 'data_quality',
      action: 'quarantine',
    });
    expect(first!.status).toBe('resolved');
    expect(rest).toEqual([]);
    const audit = await env.audit.read(first!.incidentId!);
    const action = audit.find((r) => r.step === 'action')!.data as { rows: unknown };
    expect(action.rows).toEqual({ rowsIn: 20, rowsDelivered: 19, rowsQuarantined: 1 });
    expect(existsSync(join(af.dataDir, 'load', 'out', 'orders.parquet'))).toBe(true);
    // Marked success after validation, with a note naming the incident; never cleared.
    const ti = await instance('orders_load');
    expect(ti).toMatchObject({ state: 'success', try_number: 1, max_tries: 0 });
    expect(ti.note).toContain(first!.incidentId!);
  });

  it('defers a late upstream file (waits, then clears the instance) and the run then succeeds', async () => {
    const [first, ...rest] = of('partner_feed');
    expect(first).toMatchObject({ tryNumber: 1, outcome: 'incident', family: 'dependency', action: 'defer' });
    expect(first!.status).toBe('resolved');
    expect(rest).toEqual([]);
    const audit = await env.audit.read(first!.incidentId!);
    const decision = audit.find((r) => r.step === 'decision')!.data as {
      capabilities: { supported: string[]; deferCondition?: string };
      usage: { deferralsThisRun?: number };
    };
    expect(decision.capabilities.supported).toContain('defer');
    expect(decision.capabilities.deferCondition).toContain('upstream input of partner_feed/wait_and_load');
    const action = audit.find((r) => r.step === 'action')!.data as {
      steps: { name: string; status: string; detail: string }[];
      artifacts: Record<string, string>;
      deferral: { waitedMs: number; met: boolean };
    };
    expect(action.steps.map((s) => `${s.name}:${s.status}`)).toEqual([
      'wait:applied',
      'clear_task_instance:applied',
      'task_instance_try:applied',
    ]);
    // The first deferral of the chain waits the base delay (2 s), within the authority's 60 s.
    expect(action.artifacts).toMatchObject({ deferral: '1', delaySeconds: '2' });
    expect(action.deferral).toMatchObject({ waitedMs: 2000, met: true });
    // Airflow shows the cleared instance's second try, started after healer's wait.
    const ti = await instance('partner_feed');
    expect(ti).toMatchObject({ state: 'success', try_number: 2 });
    const decidedAt = Date.parse(audit.find((r) => r.step === 'decision')!.at);
    expect(Date.parse(ti.start_date!)).toBeGreaterThanOrEqual(decidedAt + 2000);
    // The run's state follows its task's on the scheduler's next loop.
    await waitUntil(
      'partner_feed run success',
      async () => (await runState('partner_feed')) === 'success',
      60_000,
    );
    expect(await runState('partner_feed')).toBe('success');
  });

  it("received every failed try through healer's event endpoint (the plugin posted, nothing fell back)", () => {
    const posted = new Set(readFileSync(af.postedLog, 'utf8').trim().split('\n'));
    const spooled = outcomes.filter((o) => o.via === 'spool');
    expect(spooled.length).toBeGreaterThanOrEqual(7);
    expect(spooled.filter((o) => !posted.has(o.eventId))).toEqual([]);
  });

  it('finds a failure through the poller alone (no plugin event) and heals it the same way', async () => {
    const runId = await trigger('flaky_no_retries');
    await waitUntil('the second run to fail', async () => (await runState('flaky_no_retries')) === 'failed');
    // A deployment without the plugin: the spooled event of this run is dropped unread.
    await waitUntil('the plugin event', async () =>
      readdirSync(af.spoolDir).some((n) => n.endsWith('.json')),
    );
    for (const name of readdirSync(af.spoolDir).filter((n) => n.endsWith('.json')))
      rmSync(join(af.spoolDir, name));
    const poller = new AirflowPoller({ client, clock: env.clock, lookbackMinutes: 60 });
    const polled = await watchOnce({ env, client, poller });
    const mine = polled.filter((o) => o.runId === runId);
    expect(mine).toEqual([
      expect.objectContaining({
        via: 'poll',
        outcome: 'incident',
        family: 'transient',
        action: 'retry',
        status: 'resolved',
      }),
    ]);
    // Everything else the poller listed was handled before: acted on once.
    expect(polled.filter((o) => o.runId !== runId).every((o) => o.outcome === 'duplicate')).toBe(true);
    expect(await client.getTaskInstance('flaky_no_retries', runId, 'extract')).toMatchObject({
      state: 'success',
      try_number: 2,
    });
  });

  it('acts once when the same event is delivered twice (spool redelivery and the poller)', async () => {
    const done = join(af.spoolDir, 'done');
    const before = await instance('flaky_no_retries');
    const incidents = (await env.state.listIncidents(100)).length;
    // Redeliver every event the plugin spooled, then let the poller report what Airflow lists.
    for (const name of readdirSync(done).filter((n) => n.endsWith('.json')))
      copyFileSync(join(done, name), join(af.spoolDir, name));
    const again = await watchOnce({ env, client, ...(env.spool ? { spool: env.spool } : {}) });
    expect(again.length).toBeGreaterThanOrEqual(7);
    expect(new Set(again.map((o) => o.outcome))).toEqual(new Set(['duplicate']));
    const poller = new AirflowPoller({ client, clock: env.clock, lookbackMinutes: 60 });
    const polled = await watchOnce({ env, client, poller });
    expect(polled.length).toBeGreaterThan(0);
    expect(polled.every((o) => o.outcome === 'duplicate')).toBe(true);
    expect((await env.state.listIncidents(100)).length).toBe(incidents);
    expect(await instance('flaky_no_retries')).toEqual(before);
    expect(existsSync(join(af.spoolDir, 'rejected'))).toBe(false);
  });

  it('defers beyond what the watcher waits with a later DAG run, which Airflow starts at its run_after', async () => {
    // The partner's file is late again; this deployment defers by 8 s and waits out none of it.
    rmSync(join(af.dataDir, 'partner', 'feed.csv'));
    const runId = await trigger('partner_feed');
    await waitUntil('the run to fail', async () => (await runState('partner_feed')) === 'failed');
    await waitUntil('the posted event', async () =>
      readdirSync(af.spoolDir).some((n) => n.endsWith('.json')),
    );
    const stateDir = await mkdtemp(join(tmpdir(), 'healer-airflow-later-'));
    const later = await createAirflowEnvironment({
      config: parseAirflowConfig(
        JSON.stringify({
          airflow: { url: af.url, username: 'healer' },
          spoolDir: af.spoolDir,
          stateDir,
          defer: { baseSeconds: 8, clearWithinSeconds: 0 },
          dags: {
            partner_feed: {
              authority: { allowedActions: ['defer'], defer: { maxWaitSeconds: 60, maxDeferralsPerRun: 2 } },
            },
          },
        }),
        join(stateDir, 'airflow.json'),
      ),
      password: af.password,
      terminal: false,
    });
    try {
      const got = await watchOnce({
        env: later,
        client: later.client,
        ...(later.spool ? { spool: later.spool } : {}),
      });
      const mine = got.filter((o) => o.runId === runId);
      expect(mine).toEqual([
        expect.objectContaining({
          outcome: 'incident',
          family: 'dependency',
          action: 'defer',
          status: 'resolved',
        }),
      ]);
      const action = (await later.audit.read(mine[0]!.incidentId!)).find((r) => r.step === 'action')!
        .data as {
        steps: { name: string; status: string }[];
        artifacts: { dagRunId: string; deferredUntil: string; delaySeconds: string };
      };
      expect(action.steps.map((s) => `${s.name}:${s.status}`)).toEqual(['trigger_deferred_run:applied']);
      expect(action.artifacts.delaySeconds).toBe('8');
      const runAfter = Date.parse(action.artifacts.deferredUntil);
      const path = `/api/v2/dags/partner_feed/dagRuns/${encodeURIComponent(action.artifacts.dagRunId)}`;
      // Before its run_after the new run waits, queued; the failed run is left as it was.
      expect(Date.now()).toBeLessThan(runAfter);
      expect(await api('GET', path)).toMatchObject({ state: 'queued' });
      expect(await runState('partner_feed')).toBe('failed');
      // The file lands meanwhile; the scheduler starts the run at its run_after, and it succeeds.
      writeFileSync(join(af.dataDir, 'partner', 'feed.csv'), 'id,qty\n1,3\n2,5\n');
      await waitUntil('the deferred run to succeed', async () => {
        const run = (await api('GET', path)) as { state: string };
        if (run.state === 'failed') throw new Error('the deferred run failed');
        return run.state === 'success';
      });
      const ti = await client.getTaskInstance('partner_feed', action.artifacts.dagRunId, 'wait_and_load');
      expect(ti).toMatchObject({ state: 'success', try_number: 1 });
      expect(Date.parse(ti.start_date!)).toBeGreaterThanOrEqual(runAfter);
    } finally {
      await later.close();
    }
  });
});

// The remediator's own check at the moment of acting: the instance may move between the decision
// and the clear (Airflow's retry started, a person cleared it). That race cannot be timed against a
// real Airflow, so these tests use a stub client (named so); the tier under test/airflow runs the
// real clear against a real Airflow.

import { describe, expect, it } from 'vitest';
import type { AirflowClientLike, AirflowTaskInstance } from '../../../src/adapters/airflow/airflow-client.js';
import {
  carriedDeferrals,
  deferralDelay,
  deferredRunId,
} from '../../../src/adapters/airflow/airflow-defer.js';
import { SPOOL_SCHEMA, toFailureEvent } from '../../../src/adapters/airflow/airflow-event.js';
import { AirflowRemediator } from '../../../src/adapters/airflow/airflow-remediator.js';
import type { Decision } from '../../../src/core/decision.js';
import type { Clock, RemediationContext } from '../../../src/ports.js';

const event = toFailureEvent({
  schema: SPOOL_SCHEMA,
  dag_id: 'orders_daily',
  run_id: 'scheduled__2026-11-30',
  task_id: 'extract',
  map_index: -1,
  try_number: 2,
  max_tries: 1,
  retries: 1,
  state: 'failed',
  error: 'ConnectionError: 503 Service Unavailable',
  inlets: [],
  outlets: [],
  occurred_at: '2026-11-30T00:05:00Z',
});

/** A stub Airflow whose instance is in `state` at `try`, recording every clear. */
function stubAirflow(state: string, tryNumber: number) {
  const clears: string[] = [];
  const ti: AirflowTaskInstance = {
    dag_id: 'orders_daily',
    dag_run_id: 'scheduled__2026-11-30',
    task_id: 'extract',
    map_index: -1,
    state,
    try_number: tryNumber,
    max_tries: 1,
  };
  const client = {
    getTaskInstance: async () => ti,
    clearTaskInstance: async (dagId: string) => {
      clears.push(dagId);
      return [ti];
    },
  } as unknown as AirflowClientLike;
  return { client, clears };
}

const clock: Clock = { now: () => new Date('2026-11-30T00:06:00Z'), sleep: async () => {} };
const diagnosis = {
  classification: { family: 'transient', rule: 'http.503', confidence: 0.9, line: '' },
  findings: [],
  risk: { level: 'low', reasons: [] },
  quality: 'ok',
  protectedDataset: false,
} as unknown as Decision['diagnosis'];
const context = {
  incidentId: 'inc-test',
  event,
  evidence: { event, logs: '', logsTruncated: false, datasets: [] },
  decision: { diagnosis } as Decision,
  pipeline: { name: event.pipeline, datasets: [], authority: {} },
} as unknown as RemediationContext;

describe('AirflowRemediator (stub client: the race cannot be timed against a real Airflow)', () => {
  it('offers retry only for an instance that is failed at the try the event names', async () => {
    const remediator = (state: string, tryNumber: number) =>
      new AirflowRemediator({
        client: stubAirflow(state, tryNumber).client,
        clock,
        rerunTimeoutMs: 1,
        pollIntervalMs: 1,
      });
    expect((await remediator('failed', 2).capabilities({ ...context, diagnosis })).supported).toContain(
      'retry',
    );
    expect(
      (await remediator('up_for_retry', 2).capabilities({ ...context, diagnosis })).supported,
    ).not.toContain('retry');
    expect((await remediator('failed', 3).capabilities({ ...context, diagnosis })).supported).not.toContain(
      'retry',
    );
  });

  it("refuses to clear when Airflow's own retry started after the decision", async () => {
    const { client, clears } = stubAirflow('up_for_retry', 2);
    const result = await new AirflowRemediator({
      client,
      clock,
      rerunTimeoutMs: 1,
      pollIntervalMs: 1,
    }).execute('retry', context);
    expect(clears).toEqual([]);
    expect(result.error?.message).toMatch(/Airflow's own retry is pending/);
  });

  it('never clears a permission failure, whatever the decision says', async () => {
    const { client, clears } = stubAirflow('failed', 2);
    const permission = {
      ...context,
      decision: {
        diagnosis: { ...diagnosis, classification: { ...diagnosis.classification, family: 'permission' } },
      },
    } as unknown as RemediationContext;
    const result = await new AirflowRemediator({
      client,
      clock,
      rerunTimeoutMs: 1,
      pollIntervalMs: 1,
    }).execute('retry', permission);
    expect(clears).toEqual([]);
    expect(result.error?.code).toBe('E_REFUSED');
  });

  it('offers defer, with its condition, for a transient failure whose retries are spent', async () => {
    const caps = await new AirflowRemediator({
      client: stubAirflow('failed', 2).client,
      clock,
      rerunTimeoutMs: 1,
      pollIntervalMs: 1,
    }).capabilities({ ...context, diagnosis });
    expect(caps.supported).toContain('defer');
    expect(caps.deferCondition).toBe('throttling or the transient fault on orders_daily/extract to pass');
    const pending = await new AirflowRemediator({
      client: stubAirflow('up_for_retry', 2).client,
      clock,
      rerunTimeoutMs: 1,
      pollIntervalMs: 1,
    }).capabilities({ ...context, diagnosis });
    expect(pending.supported).not.toContain('defer');
    expect(pending.deferCondition).toBeUndefined();
  });

  it('refuses to clear after the wait when the instance moved meanwhile', async () => {
    const { client, clears } = stubAirflow('running', 3);
    const slept: number[] = [];
    const result = await new AirflowRemediator({
      client,
      clock: { now: clock.now, sleep: async (ms) => void slept.push(ms) },
      rerunTimeoutMs: 1,
      pollIntervalMs: 1,
      defer: { baseSeconds: 5, clearWithinSeconds: 60 },
      deferralsSoFar: async () => 2,
    }).execute('defer', deferrable);
    // The second deferral waits twice the base.
    expect(slept).toEqual([10_000]);
    expect(clears).toEqual([]);
    expect(result.error?.message).toMatch(/moved while healer waited/);
  });

  it('stops deferring a run healer triggered once the deferrals behind it reach the bound', async () => {
    const { client, clears } = stubAirflow('failed', 2);
    const triggered = toFailureEvent({
      schema: SPOOL_SCHEMA,
      dag_id: 'orders_daily',
      run_id: deferredRunId(
        { dagId: 'orders_daily', runId: 'manual__1', taskId: 'extract', mapIndex: -1 },
        5,
      ),
      task_id: 'extract',
      map_index: -1,
      try_number: 2,
      state: 'failed',
      error: 'ConnectionError: 503 Service Unavailable',
      inlets: [],
      outlets: [],
      occurred_at: '2026-11-30T00:05:00Z',
    });
    const result = await new AirflowRemediator({
      client,
      clock,
      rerunTimeoutMs: 1,
      pollIntervalMs: 1,
      defer: { baseSeconds: 1, clearWithinSeconds: 600 },
      // The first deferral of this run's own chain, the sixth in all (bound 5).
      deferralsSoFar: async () => 1,
    }).execute('defer', { ...deferrable, event: triggered } as RemediationContext);
    expect(result.error?.code).toBe('E_BUDGET');
    expect(result.error?.message).toMatch(/deferred 5 time/);
    expect(clears).toEqual([]);
  });

  it('stops deferring once the chain has waited its bound: no wait, no clear', async () => {
    const { client, clears } = stubAirflow('failed', 2);
    const slept: number[] = [];
    const result = await new AirflowRemediator({
      client,
      clock: { now: clock.now, sleep: async (ms) => void slept.push(ms) },
      rerunTimeoutMs: 1,
      pollIntervalMs: 1,
      defer: { baseSeconds: 30, clearWithinSeconds: 600 },
      // Third deferral: 30 + 60 s waited already, 90 s of a 60 s bound.
      deferralsSoFar: async () => 3,
    }).execute('defer', deferrable);
    expect(result.error?.code).toBe('E_BUDGET');
    expect(slept).toEqual([]);
    expect(clears).toEqual([]);
  });
});

/** The context with an authority that allows deferring for at most 60 s and 5 times. */
const deferrable = {
  ...context,
  pipeline: {
    ...context.pipeline,
    authority: { defer: { maxWaitSeconds: 60, maxDeferralsPerRun: 5 } },
  },
} as unknown as RemediationContext;

describe('defer delays and run ids', () => {
  it('doubles the delay per deferral and knows what was waited before', () => {
    expect([1, 2, 3].map((n) => deferralDelay(n, 60))).toEqual([
      { delaySeconds: 60, waitedBeforeSeconds: 0 },
      { delaySeconds: 120, waitedBeforeSeconds: 60 },
      { delaySeconds: 240, waitedBeforeSeconds: 180 },
    ]);
  });

  it('names a deferred DAG run after the instance and the deferral, the same on redelivery', () => {
    const ti = { dagId: 'partner_feed', runId: 'manual__1', taskId: 'wait_and_load', mapIndex: -1 };
    expect(deferredRunId(ti, 1)).toBe(deferredRunId({ ...ti }, 1));
    expect(deferredRunId(ti, 1)).not.toBe(deferredRunId(ti, 2));
    expect(deferredRunId(ti, 1)).not.toBe(deferredRunId({ ...ti, runId: 'manual__2' }, 1));
    expect(deferredRunId(ti, 1)).toMatch(/^healer_defer__wait_and_load__1__[0-9a-f]{16}$/);
  });

  it('counts on from the deferrals behind a run healer triggered, so the bound holds across runs', () => {
    const ti = { dagId: 'partner_feed', runId: 'manual__1', taskId: 'wait_and_load', mapIndex: -1 };
    expect(carriedDeferrals(deferredRunId(ti, 2))).toBe(2);
    expect(carriedDeferrals(deferredRunId({ ...ti, runId: deferredRunId(ti, 1) }, 2))).toBe(2);
    expect(carriedDeferrals('manual__2026-12-02T11:48:01.545901+00:00')).toBe(0);
    expect(carriedDeferrals('scheduled__healer_defer__x__2__0a35eb63a017399e')).toBe(0);
  });
});

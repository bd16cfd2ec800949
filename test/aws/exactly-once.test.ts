// Exactly-once on AWS, against a real moto_server: a redelivery after a failure that came after the
// action never acts again (it reconciles and escalates), a dead invocation's event is handled once
// its lease passes instead of being dropped as a duplicate, a concurrent duplicate returns quietly,
// and a chain of reruns shares one retry budget through the root run id the reruns carry.
//
// Two faults cannot be produced on demand here and are injected, as the test names say: an audit
// write failing right after the action (S3 does not fail mid-incident on request), and an
// invocation that dies (a promise that never settles, as a killed Lambda never returns).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamodbStateStore } from '../../src/adapters/aws/dynamodb-state-store.js';
import { S3AuditLog } from '../../src/adapters/aws/s3-audit-log.js';
import { auditKeyring } from '../../src/core/audit-chain.js';
import type { Environment } from '../../src/ports.js';
import {
  AUDIT_KEY,
  createGlueJobs,
  createHealerResources,
  failedRunWithLog,
  glueEvent,
  handlerWrapping,
  healerLambdaEnv,
  jobRuns,
  lambdaContext,
  THROTTLING_LOG,
  writeRunLog,
} from './fixtures.js';
import { type Moto, type MotoClients, motoClients, startMoto } from './moto.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

let moto: Moto;
let c: MotoClients;
let envVars: Record<string, string>;

const PIPELINES = {
  pipelines: {
    'ingest-etl': {
      datasets: [],
      authority: {
        allowedActions: ['retry'],
        mode: 'autonomous',
        budgets: { maxRetriesPerRun: 1, maxRetriesPerJobPerHour: 50 },
      },
    },
  },
};

/** A failed run of the ingest job, its log a throttling error (what `retry` heals). */
const failedRun = (args: Record<string, string>) => failedRunWithLog(c, 'ingest-etl', THROTTLING_LOG, args);

/** A handler whose environment is the real one, changed by `wrap` (the injected fault). */
const handlerWith = (wrap: (env: Environment) => Environment = (e) => e) => handlerWrapping(envVars, c, wrap);

/** The environment with its audit log failing at one step (an injected S3 failure). */
function auditFailingAt(step: string, message: string) {
  return (env: Environment): Environment => ({
    ...env,
    audit: {
      ...env.audit,
      append: async (body) => {
        if (body.step === step) throw new Error(message);
        return env.audit.append(body);
      },
    },
  });
}

const never = <T>() => new Promise<T>(() => undefined);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

beforeAll(async () => {
  moto = await startMoto();
  c = motoClients(moto.endpoint);
  await createGlueJobs(c, ['ingest-etl'], {
    GlueVersion: '4.0',
    ExecutionProperty: { MaxConcurrentRuns: 50 },
  });
  envVars = healerLambdaEnv(await createHealerResources(c), {
    HEALER_GLUE_DATABASE: 'ingest',
    HEALER_MODE: 'autonomous',
    HEALER_PIPELINES: JSON.stringify(PIPELINES),
    HEALER_POLL_INTERVAL_MS: '5',
    HEALER_POLL_TIMEOUT_MS: '30000',
  });
});
afterAll(async () => moto?.stop());

describe('exactly-once on moto', () => {
  it('a redelivery after a failure that followed the action reconciles and never acts again (injected audit failure after the action)', async () => {
    const runId = await failedRun({ '--day': '2026-12-01' });
    const event = glueEvent('ingest-etl', runId, 'FAILED', 'ThrottlingException: Rate exceeded');
    const failing = handlerWith(auditFailingAt('action', 'injected: S3 PutObject failed after the action'));
    const before = (await jobRuns(c, 'ingest-etl')).length;
    await expect(failing(event, lambdaContext())).rejects.toThrow(/injected/);
    expect((await jobRuns(c, 'ingest-etl')).length).toBe(before + 1); // the retry ran once

    // EventBridge / Lambda redeliver the same event to a healthy handler.
    const redelivered = await handlerWith()(event, lambdaContext());
    expect(redelivered.status).toBe('escalated');
    expect(redelivered.summary).toMatch(/did not act again/);
    expect((await jobRuns(c, 'ingest-etl')).length).toBe(before + 1);

    const audit = new S3AuditLog({ s3: c.s3, bucket: 'healer-audit', keys: auditKeyring(AUDIT_KEY) });
    const steps = (await audit.read(redelivered.incidentId!)).map((r) => r.step);
    expect(steps).toContain('reconcile');
    expect(steps.at(-1)).toBe('outcome');
    expect(await audit.verify(redelivered.incidentId)).toMatchObject({ ok: true });

    // A third delivery is a plain duplicate: still one action.
    const third = await handlerWith()({ ...event, id: crypto.randomUUID() }, lambdaContext());
    expect(['duplicate', 'escalated']).toContain(third.status);
    expect((await jobRuns(c, 'ingest-etl')).length).toBe(before + 1);
  });

  it('a release after a failure before the action lets the redelivery act (nothing ran)', async () => {
    const runId = await failedRun({ '--day': '2026-12-02' });
    const event = glueEvent('ingest-etl', runId, 'FAILED', 'ThrottlingException: Rate exceeded');
    const failing = handlerWith(
      auditFailingAt('decision', 'injected: S3 PutObject failed before the action'),
    );
    const before = (await jobRuns(c, 'ingest-etl')).length;
    await expect(failing(event, lambdaContext())).rejects.toThrow(/injected/);
    expect((await jobRuns(c, 'ingest-etl')).length).toBe(before);
    const redelivered = await handlerWith()(event, lambdaContext());
    expect(redelivered).toMatchObject({ status: 'resolved', action: 'retry' });
    expect((await jobRuns(c, 'ingest-etl')).length).toBe(before + 1);
  });

  it('an invocation that died before acting does not drop the event: the redelivery after its lease handles it (dead invocation injected)', async () => {
    const runId = await failedRun({ '--day': '2026-12-03' });
    const event = glueEvent('ingest-etl', runId, 'FAILED', 'ThrottlingException: Rate exceeded');
    // Claims the event, then hangs while reading the log: a Lambda killed at its timeout.
    const dying = handlerWith((env) => ({ ...env, logs: { fetchRunLog: () => never() } }));
    void dying(event, lambdaContext(200));
    await sleep(150);
    const state = new DynamodbStateStore({ client: c.dynamodb, tableName: 'healer-state' });
    expect((await state.getEventClaim(`${runId}:FAILED`))?.status).toBe('claimed');
    await sleep(200); // the invocation's timeout passes

    const before = (await jobRuns(c, 'ingest-etl')).length;
    const redelivered = await handlerWith()(event, lambdaContext());
    expect(redelivered).toMatchObject({ status: 'resolved', action: 'retry' });
    expect((await jobRuns(c, 'ingest-etl')).length).toBe(before + 1);
    expect((await state.getEventClaim(`${runId}:FAILED`))?.status).toBe('done');
  });

  it('an invocation that died after acting is reconciled, not repeated (dead invocation injected)', async () => {
    const runId = await failedRun({ '--day': '2026-12-04' });
    const event = glueEvent('ingest-etl', runId, 'FAILED', 'ThrottlingException: Rate exceeded');
    const dying = handlerWith((env) => ({
      ...env,
      remediator: {
        ...env.remediator,
        capabilities: (ctx) => env.remediator.capabilities(ctx),
        execute: async (action, ctx) => {
          await env.remediator.execute(action, ctx);
          return never();
        },
      },
    }));
    const before = (await jobRuns(c, 'ingest-etl')).length;
    void dying(event, lambdaContext(400));
    for (let i = 0; i < 100 && (await jobRuns(c, 'ingest-etl')).length === before; i++) await sleep(20);
    expect((await jobRuns(c, 'ingest-etl')).length).toBe(before + 1);
    await sleep(450);

    const redelivered = await handlerWith()(event, lambdaContext());
    expect(redelivered.status).toBe('escalated');
    expect(redelivered.summary).toMatch(/started retry and stopped before recording its outcome/);
    expect((await jobRuns(c, 'ingest-etl')).length).toBe(before + 1);
  });

  it('a concurrent duplicate delivery returns quietly, with no Lambda error, and the job runs once', async () => {
    const runId = await failedRun({ '--day': '2026-12-05' });
    const event = glueEvent('ingest-etl', runId, 'FAILED', 'ThrottlingException: Rate exceeded');
    const handler = handlerWith();
    const before = (await jobRuns(c, 'ingest-etl')).length;
    const results = await Promise.all([
      handler(event, lambdaContext()),
      handler({ ...event, id: crypto.randomUUID() }, lambdaContext()),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(
      results.some((r) => r.status === 'duplicate') ? ['duplicate', 'resolved'] : ['resolved', 'resolved'],
    );
    expect((await jobRuns(c, 'ingest-etl')).length).toBe(before + 1);
  });

  it('a rerun carries the root run id, so a chain of reruns shares one retry budget (maxRetriesPerRun: 1)', async () => {
    const original = await failedRun({ '--day': '2026-12-06' });
    const handler = handlerWith();
    const first = await handler(
      glueEvent('ingest-etl', original, 'FAILED', 'ThrottlingException'),
      lambdaContext(),
    );
    expect(first, first.summary).toMatchObject({ status: 'resolved', action: 'retry' });
    const runs = await jobRuns(c, 'ingest-etl');
    const rerun = runs.find((r) => r.Arguments?.['--healer_root_run_id'] === original && r.Id !== original);
    expect(rerun?.Arguments).toEqual({ '--day': '2026-12-06', '--healer_root_run_id': original });

    // The rerun fails too: its retry budget is the original run's, already spent.
    await writeRunLog(c, '/aws-glue/jobs/error', rerun!.Id!, THROTTLING_LOG);
    const before = runs.length;
    const second = await handler(
      glueEvent('ingest-etl', rerun!.Id!, 'FAILED', 'ThrottlingException'),
      lambdaContext(),
    );
    expect(second.status).toBe('escalated');
    expect((await jobRuns(c, 'ingest-etl')).length).toBe(before);
  });
});

// The Glue remediator's executors against moto: rollback via UpdateTable (the bad version stays in
// the history), retry with the run's own arguments, bounded backoff on a real
// ConcurrentRunsExceededException, refusal to retry permission failures, and the remediation job
// started with the contract and paths (moto does not execute Glue scripts: no row accounting).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlueCatalog } from '../../src/adapters/aws/glue-catalog.js';
import { GlueRemediator } from '../../src/adapters/aws/glue-remediator.js';
import type { FailureFamily } from '../../src/core/failure-family.js';
import type { RemediationContext } from '../../src/ports.js';
import { BAD_COLUMNS, createDriftedTable, fakeClock, GOOD_COLUMNS, remediationContext } from './fixtures.js';
import { type Moto, type MotoClients, motoClients, setGlueRunProgression, startMoto } from './moto.js';

let moto: Moto;
let c: MotoClients;

function context(
  family: FailureFamily,
  args: Record<string, string>,
  job = 'orders-etl',
): RemediationContext {
  const authority = {} as RemediationContext['pipeline']['authority'];
  return remediationContext({ job, runId: 'jr_failed', family, rule: 'test', args, authority });
}

beforeAll(async () => {
  moto = await startMoto();
  c = motoClients(moto.endpoint);
  await c.glue.createDatabase({ DatabaseInput: { Name: 'sales' } });
  for (const [name, max] of [
    ['orders-etl', 10],
    ['single-etl', 1],
  ] as const)
    await c.glue.createJob({
      Name: name,
      Role: 'arn:aws:iam::123456789012:role/glue',
      Command: { Name: 'glueetl', ScriptLocation: `s3://scripts/${name}.py` },
      ExecutionProperty: { MaxConcurrentRuns: max },
    });
  await createDriftedTable(c, 'sales', 'orders', 's3://acme-raw/orders/');
});
afterAll(async () => moto?.stop());

describe('glue-remediator', () => {
  it('rollback_schema restores the previous version with UpdateTable and keeps the bad one in history', async () => {
    const { clock } = fakeClock();
    const remediator = new GlueRemediator({ glue: c.glue, clock, database: 'sales', pollIntervalMs: 10 });
    const ctx = context('schema', { '--day': '2026-11-22' });
    ctx.evidence.datasets = [
      {
        dataset: 'orders',
        schemaVersions: await new GlueCatalog({ client: c.glue, database: 'sales' }).listSchemaVersions(
          'orders',
        ),
      },
    ];
    const result = await remediator.execute('rollback_schema', ctx);
    expect(result.error).toBeUndefined();
    expect(result.artifacts).toMatchObject({
      table: 'sales.orders',
      restoredFromVersion: '1',
      archivedVersion: '2',
    });
    expect(result.rerun?.status).toBe('succeeded');
    const table = await c.glue.getTable({ DatabaseName: 'sales', Name: 'orders' });
    expect(table.Table?.StorageDescriptor?.Columns).toEqual(GOOD_COLUMNS);
    const versions = await c.glue.getTableVersions({ DatabaseName: 'sales', TableName: 'orders' });
    const bad = versions.TableVersions?.find((v) => v.VersionId === '2');
    expect(bad?.Table?.StorageDescriptor?.Columns).toEqual(BAD_COLUMNS);
    expect(result.output?.schema?.fields.map((f) => f.path)).toContain('amount');
  });

  it('retry re-runs the job with the failed run arguments and waits for a terminal state', async () => {
    const { clock } = fakeClock();
    const remediator = new GlueRemediator({ glue: c.glue, clock, database: 'sales', pollIntervalMs: 10 });
    const result = await remediator.execute(
      'retry',
      context('transient', { '--day': '2026-11-22', '--x': 'y' }),
    );
    expect(result.rerun?.status).toBe('succeeded');
    const run = await c.glue.getJobRun({ JobName: 'orders-etl', RunId: result.rerun!.runId });
    // The failed run's own arguments, plus the chain's root run so a failing rerun has no fresh budget.
    expect(run.JobRun?.Arguments).toEqual({
      '--day': '2026-11-22',
      '--x': 'y',
      '--healer_root_run_id': 'jr_failed',
    });
  });

  it('backs off with jitter on a real ConcurrentRunsExceededException until the other run ends', async () => {
    await setGlueRunProgression(moto.endpoint, 'manual');
    const other = await c.glue.startJobRun({ JobName: 'single-etl' });
    let polls = 0;
    // While healer backs off, the other run progresses (moto advances a run each time it is read).
    const { clock, sleeps } = fakeClock(async () => {
      polls += 1;
      if (polls >= 2) await c.glue.getJobRun({ JobName: 'single-etl', RunId: other.JobRunId! });
    });
    const remediator = new GlueRemediator({
      glue: c.glue,
      clock,
      database: 'sales',
      startAttempts: 6,
      backoffBaseMs: 1000,
      random: () => 0.5,
      pollIntervalMs: 10,
    });
    const result = await remediator.execute('retry', context('transient', {}, 'single-etl'));
    expect(result.rerun?.status).toBe('succeeded');
    // Full jitter with random() = 0.5: half of 1 s, 2 s, ... until the other run has finished.
    const backoffs = sleeps.filter((ms) => ms >= 500);
    expect(backoffs.length).toBeGreaterThanOrEqual(1);
    expect(backoffs).toEqual([500, 1000, 2000, 4000, 8000].slice(0, backoffs.length));
    await setGlueRunProgression(moto.endpoint, 'immediate');
  });

  it('gives up after the bounded number of attempts when the job stays busy', async () => {
    await c.glue.createJob({
      Name: 'busy-etl',
      Role: 'arn:aws:iam::123456789012:role/glue',
      Command: { Name: 'glueetl', ScriptLocation: 's3://scripts/busy.py' },
      ExecutionProperty: { MaxConcurrentRuns: 1 },
    });
    await setGlueRunProgression(moto.endpoint, 'manual');
    await c.glue.startJobRun({ JobName: 'busy-etl' });
    const { clock, sleeps } = fakeClock();
    const remediator = new GlueRemediator({
      glue: c.glue,
      clock,
      database: 'sales',
      startAttempts: 3,
      random: () => 1,
    });
    const result = await remediator.execute('retry', context('transient', {}, 'busy-etl'));
    expect(result.error?.code).toBe('E_REMOTE');
    expect(result.steps.at(-1)?.detail).toMatch(/ConcurrentRunsExceededException/);
    expect(sleeps).toEqual([1000, 2000]);
    await setGlueRunProgression(moto.endpoint, 'immediate');
  });

  it.each(['permission', 'config', 'unknown'] as const)('refuses to retry a %s failure', async (family) => {
    const before = (await c.glue.getJobRuns({ JobName: 'orders-etl' })).JobRuns?.length;
    const remediator = new GlueRemediator({ glue: c.glue, clock: fakeClock().clock, database: 'sales' });
    const result = await remediator.execute('retry', context(family, {}));
    expect(result.error?.code).toBe('E_REFUSED');
    expect((await c.glue.getJobRuns({ JobName: 'orders-etl' })).JobRuns?.length).toBe(before);
  });
});

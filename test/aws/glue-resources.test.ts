// scale_resources and defer on Glue against a real moto_server, through the Lambda handler: a job
// that ran out of memory re-runs with twice the workers (StartJobRun overrides, audited before and
// after with its DPU-hour cost), the guard vetoes a step past the caps or the cost budget and a
// second step past the per-run cap (counted in DynamoDB across the rerun chain); a concurrency limit
// is deferred through an EventBridge Scheduler one-time schedule that a redelivery does not create
// twice, the executor without a scheduler waits and re-runs itself, and a chain past its wait bound
// escalates.
//
// Most tests give a real RulePolicy `scale_resources`, or a fixed policy proposing `defer` stands in,
// as the test names say; "the default AWS decision" runs the environment's own composition (the rule
// policy behind the resource rules, the job memory in DynamoDB, the throttle backoff) untouched.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamodbStateStore } from '../../src/adapters/aws/dynamodb-state-store.js';
import { DEFERRED_SECONDS_ARGUMENT, scheduleName } from '../../src/adapters/aws/glue-actions/defer.js';
import { GlueRemediator } from '../../src/adapters/aws/glue-remediator.js';
import { defaultDeps, makeHandler } from '../../src/adapters/aws/lambda.js';
import { S3AuditLog } from '../../src/adapters/aws/s3-audit-log.js';
import { CORE_ACTIONS } from '../../src/core/action.js';
import { auditKeyring } from '../../src/core/audit-chain.js';
import { authoritySchema } from '../../src/core/authority.js';
import type { Policy } from '../../src/core/policy/policy.js';
import { RulePolicy } from '../../src/core/policy/rule-policy.js';
import type { IncidentRecord, RemediationContext } from '../../src/ports.js';
import {
  AUDIT_KEY,
  createGlueJobs,
  createHealerResources,
  failedRunWithLog,
  fakeClock,
  glueEvent,
  handlerWrapping,
  healerLambdaEnv,
  jobRuns,
  lambdaContext,
  remediationContext,
  writeRunLog,
} from './fixtures.js';
import { type Moto, type MotoClients, motoClients, startMoto } from './moto.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const SCHEDULER_ROLE = 'arn:aws:iam::123456789012:role/healer-scheduler';

/** A Glue 4.0 executor lost to YARN's memory limit, as the driver log reports it. */
const OOM_LOG = [
  '2026-12-01 02:14:07,551 WARN [dispatcher-CoarseGrainedScheduler] cluster.YarnSchedulerBackend$YarnSchedulerEndpoint: Requesting driver to remove executor 3 for reason Container killed by YARN for exceeding memory limits. 5.5 GB of 5.5 GB physical memory used. Consider boosting spark.yarn.executor.memoryOverhead.',
  '2026-12-01 02:14:07,602 ERROR [main] glue.ProcessLauncher: Error from Python:Traceback (most recent call last):',
  'py4j.protocol.Py4JJavaError: An error occurred while calling o142.pyWriteDynamicFrame.',
  ': org.apache.spark.SparkException: Job aborted due to stage failure: Task 7 in stage 12.0 failed 4 times, most recent failure: Lost task 7.3 in stage 12.0 (TID 412) (172.36.4.18 executor 3): ExecutorLostFailure (executor 3 exited caused by one of the running tasks) Reason: Container killed by YARN for exceeding memory limits. 5.5 GB of 5.5 GB physical memory used.',
];

/** The job's own StartJobRun refused: it is at its MaxConcurrentRuns. */
const CONCURRENCY_LOG = [
  '2026-12-01 03:00:01,004 ERROR [main] glue.ProcessLauncher: An error occurred (ConcurrentRunsExceededException) when calling the StartJobRun operation: Concurrent runs exceeded for nightly-etl',
];

/** The Glue API throttled the job's own calls (CloudWatch Logs `Rate exceeded` from a boto3 client). */
const THROTTLE_LOG = [
  '2026-12-01 04:10:12,310 ERROR [main] glue.ProcessLauncher: botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling the GetPartitions operation (reached max retries: 4): Rate exceeded',
];

/** Every job starts at 2 × G.1X; the caps differ per pipeline. */
const PIPELINES = {
  pipelines: {
    'mem-etl': {
      datasets: [],
      authority: {
        mode: 'autonomous',
        allowedActions: ['retry', 'scale_resources'],
        resources: { maxWorkers: 8, maxWorkerType: 'G.2X', maxStepsPerRun: 1, maxDpuHoursPerRun: 1 },
      },
    },
    'capped-etl': {
      datasets: [],
      authority: {
        mode: 'autonomous',
        allowedActions: ['scale_resources'],
        resources: { maxWorkers: 2, maxWorkerType: 'G.1X' },
      },
    },
    'budget-etl': {
      datasets: [],
      authority: {
        mode: 'autonomous',
        allowedActions: ['scale_resources'],
        resources: { maxWorkers: 8, maxDpuHoursPerRun: 0.1 },
      },
    },
    'auto-etl': {
      datasets: [],
      authority: {
        mode: 'autonomous',
        allowedActions: ['retry', 'scale_resources', 'defer'],
        resources: { maxWorkers: 8, maxStepsPerRun: 1, maxDpuHoursPerRun: 1 },
        defer: { maxWaitSeconds: 900, maxDeferralsPerRun: 3 },
      },
    },
    'nightly-etl': {
      datasets: [],
      authority: {
        mode: 'autonomous',
        allowedActions: ['defer'],
        defer: { maxWaitSeconds: 600, maxDeferralsPerRun: 3 },
      },
    },
  },
};

let moto: Moto;
let c: MotoClients;
let envVars: Record<string, string>;

const scalingPolicy = new RulePolicy({ actions: [...CORE_ACTIONS, 'scale_resources'] });

/** Stands in for a policy that has learned to wait: proposes `defer` for every state. */
const deferPolicy: Policy = {
  kind: 'rules',
  version: 'defer-always@test',
  hash: 'defer-always',
  propose: () => ({ action: 'defer', qValues: {}, propensity: 1, policyVersion: 'defer-always@test' }),
};

const handlerWith = (policy: Policy) => handlerWrapping(envVars, c, (env) => ({ ...env, policy }));

const state = () => new DynamodbStateStore({ client: c.dynamodb, tableName: 'healer-state' });

async function firedRules(incidentId: string | undefined) {
  const incident = await state().getIncident(incidentId!);
  return incident?.decision?.verdict.fired.map((f) => f.id) ?? [];
}

async function auditedAction(incidentId: string | undefined) {
  const audit = new S3AuditLog({ s3: c.s3, bucket: 'healer-audit', keys: auditKeyring(AUDIT_KEY) });
  const records = await audit.read(incidentId!);
  return records.find((r) => r.step === 'action')?.data as { artifacts?: Record<string, string> } | undefined;
}

beforeAll(async () => {
  moto = await startMoto();
  c = motoClients(moto.endpoint);
  await createGlueJobs(c, Object.keys(PIPELINES.pipelines), {
    GlueVersion: '4.0',
    WorkerType: 'G.1X',
    NumberOfWorkers: 2,
    Timeout: 120,
    ExecutionProperty: { MaxConcurrentRuns: 50 },
  });
  envVars = healerLambdaEnv(await createHealerResources(c), {
    HEALER_GLUE_DATABASE: 'etl',
    HEALER_MODE: 'autonomous',
    HEALER_PIPELINES: JSON.stringify(PIPELINES),
    HEALER_POLL_INTERVAL_MS: '5',
    HEALER_POLL_TIMEOUT_MS: '30000',
    HEALER_SCHEDULER_ROLE_ARN: SCHEDULER_ROLE,
    HEALER_DEFER_BASE_SECONDS: '120',
  });
});
afterAll(async () => moto?.stop());

describe('scale_resources on Glue (moto)', () => {
  it('re-runs an out-of-memory job with twice the workers, within the caps, audited with before/after and cost', async () => {
    const runId = await failedRunWithLog(c, 'mem-etl', OOM_LOG, { '--day': '2026-12-01' });
    const before = (await jobRuns(c, 'mem-etl')).length;
    const result = await handlerWith(scalingPolicy)(
      glueEvent('mem-etl', runId, 'FAILED', 'Container killed by YARN for exceeding memory limits'),
      lambdaContext(),
    );
    expect(result).toMatchObject({ status: 'resolved', action: 'scale_resources' });

    const runs = await jobRuns(c, 'mem-etl');
    expect(runs.length).toBe(before + 1);
    const rerun = runs.find((r) => r.Id !== runId)!;
    expect(rerun.NumberOfWorkers).toBe(4);
    expect(rerun.WorkerType).toBe('G.1X');
    expect(rerun.Arguments).toEqual({ '--day': '2026-12-01', '--healer_root_run_id': runId });

    // moto reports 123 s for every run: 4 workers × 1 DPU × 123/3600 h, rounded up to 0.137.
    const action = await auditedAction(result.incidentId);
    expect(action?.artifacts).toMatchObject({
      settingsBefore: JSON.stringify({ workers: 2, workerType: 'G.1X' }),
      settingsAfter: JSON.stringify({ workers: 4, workerType: 'G.1X' }),
      costDpuHours: '0.137',
      rerunId: rerun.Id,
    });
    expect(action?.artifacts?.costBasis).toMatch(/execution time \(123 s\)/);
    expect((await state().usage('mem-etl', runId, new Date())).scaleStepsThisRun).toBe(1);

    // The scaled rerun fails again: its chain has had its one step (maxStepsPerRun 1), so G18 vetoes.
    await writeRunLog(c, '/aws-glue/jobs/error', rerun.Id!, OOM_LOG);
    const again = await handlerWith(scalingPolicy)(
      glueEvent('mem-etl', rerun.Id!, 'FAILED', 'Container killed by YARN for exceeding memory limits'),
      lambdaContext(),
    );
    expect(again.status).toBe('escalated');
    expect(await firedRules(again.incidentId)).toContain('G18_SCALE_STEPS_PER_RUN');
    expect((await jobRuns(c, 'mem-etl')).length).toBe(before + 1);
  });

  it('vetoes a step past the caps (G17): a job already at maxWorkers and maxWorkerType escalates, nothing runs', async () => {
    const runId = await failedRunWithLog(c, 'capped-etl', OOM_LOG);
    const before = (await jobRuns(c, 'capped-etl')).length;
    const result = await handlerWith(scalingPolicy)(
      glueEvent('capped-etl', runId, 'FAILED', 'java.lang.OutOfMemoryError: Java heap space'),
      lambdaContext(),
    );
    expect(result.status).toBe('escalated');
    expect(await firedRules(result.incidentId)).toContain('G17_SCALE_WITHIN_CAPS');
    expect((await jobRuns(c, 'capped-etl')).length).toBe(before);
  });

  it('vetoes a step past the cost budget (G19), and the executor refuses it when asked directly', async () => {
    const runId = await failedRunWithLog(c, 'budget-etl', OOM_LOG);
    const before = (await jobRuns(c, 'budget-etl')).length;
    const result = await handlerWith(scalingPolicy)(
      glueEvent('budget-etl', runId, 'FAILED', 'java.lang.OutOfMemoryError: Java heap space'),
      lambdaContext(),
    );
    expect(result.status).toBe('escalated');
    expect(await firedRules(result.incidentId)).toContain('G19_SCALE_COST_BUDGET');

    const remediator = new GlueRemediator({ glue: c.glue, clock: fakeClock().clock, database: 'etl' });
    const direct = await remediator.execute(
      'scale_resources',
      context(
        'budget-etl',
        runId,
        'resource',
        'jvm.out_of_memory',
        {},
        PIPELINES.pipelines['budget-etl'].authority,
      ),
    );
    expect(direct.error?.code).toBe('E_REFUSED');
    expect(direct.error?.message).toMatch(/0\.137 DPU-hours \(budget 0\.1\)/);
    expect((await jobRuns(c, 'budget-etl')).length).toBe(before);
  });

  it('reports no step, and does not fail, when the job capacity cannot be read (a job Glue does not know)', async () => {
    const remediator = new GlueRemediator({ glue: c.glue, clock: fakeClock().clock, database: 'etl' });
    const ctx = context(
      'ghost-etl',
      'jr_ghost',
      'resource',
      'jvm.out_of_memory',
      {},
      PIPELINES.pipelines['mem-etl'].authority,
    );
    const caps = await remediator.capabilities({ ...ctx, diagnosis: ctx.decision.diagnosis });
    expect(caps.scaleStep).toBeUndefined();
    expect(caps.supported).toContain('scale_resources');
    const result = await remediator.execute('scale_resources', ctx);
    expect(result.error?.code).toBe('E_NOT_FOUND');
    expect(result.steps[0]).toMatchObject({ name: 'read_capacity', status: 'failed' });
  });

  it('reports no step for a concurrency limit: more workers do not free a run slot', async () => {
    const runId = await failedRunWithLog(c, 'mem-etl', CONCURRENCY_LOG);
    const remediator = new GlueRemediator({ glue: c.glue, clock: fakeClock().clock, database: 'etl' });
    const ctx = context(
      'mem-etl',
      runId,
      'resource',
      'glue.concurrent_runs_exceeded',
      {},
      PIPELINES.pipelines['mem-etl'].authority,
    );
    const caps = await remediator.capabilities({ ...ctx, diagnosis: ctx.decision.diagnosis });
    expect(caps.scaleStep).toBeUndefined();
    expect(caps.deferCondition).toBe('a free run slot or capacity for mem-etl');
  });
});

describe('the default AWS decision (moto): the rule policy, resource rules and job memory, nothing stood in', () => {
  const handler = () => makeHandler(defaultDeps(envVars, { ...c }));
  const incident = async (id: string | undefined) => (await state().getIncident(id!))!;
  const keyOf = (i: IncidentRecord) =>
    `${i.decision!.state.family}|${i.decision!.state.risk}|${i.decision!.state.quality}`;
  // The state a concurrency limit on this job is in (a resource failure at low risk).
  const CONCURRENCY_KEY = 'resource|low|ok';

  it('proposes scale_resources for an out-of-memory failure (resource rules), then first from job memory for the next chain', async () => {
    const runId = await failedRunWithLog(c, 'auto-etl', OOM_LOG);
    const result = await handler()(
      glueEvent('auto-etl', runId, 'FAILED', 'Container killed by YARN for exceeding memory limits'),
      lambdaContext(),
    );
    expect(result).toMatchObject({ status: 'resolved', action: 'scale_resources' });
    const first = await incident(result.incidentId);
    expect(first.decision?.proposal).toMatchObject({ action: 'scale_resources', source: 'resource_rules' });
    expect(await state().lastFix('auto-etl', keyOf(first))).toBe('scale_resources');

    // Another night, another run (a new chain): what fixed the job is proposed first.
    const next = await failedRunWithLog(c, 'auto-etl', OOM_LOG);
    const again = await handler()(
      glueEvent('auto-etl', next, 'FAILED', 'Container killed by YARN for exceeding memory limits'),
      lambdaContext(),
    );
    expect(again).toMatchObject({ status: 'resolved', action: 'scale_resources' });
    expect((await incident(again.incidentId)).decision?.proposal).toMatchObject({ source: 'job_memory' });
  });

  it('defers a concurrency limit instead of scaling it: no step, so neither the rules nor the job memory propose scale_resources', async () => {
    const runId = await failedRunWithLog(c, 'auto-etl', CONCURRENCY_LOG);
    // As if scale_resources had fixed an out-of-memory failure of this job in the same state.
    await state().recordFix('auto-etl', CONCURRENCY_KEY, 'scale_resources', new Date());
    const before = (await jobRuns(c, 'auto-etl')).length;
    const result = await handler()(
      glueEvent('auto-etl', runId, 'FAILED', 'Concurrent runs exceeded for auto-etl'),
      lambdaContext(),
    );
    expect(result).toMatchObject({ status: 'resolved', action: 'defer' });
    const decided = await incident(result.incidentId);
    // The job memory remembered scale_resources for this very state; it has no step here.
    expect(keyOf(decided)).toBe(CONCURRENCY_KEY);
    expect(decided.decision?.proposal).toMatchObject({ action: 'defer', source: 'resource_rules' });
    expect(decided.decision?.verdict.fired).toEqual([]);
    await c.scheduler.getSchedule({ Name: scheduleName('auto-etl', runId, 1) });
    expect((await jobRuns(c, 'auto-etl')).length).toBe(before);
  });

  it('a throttle is retried once; when it persists in the retried run, the chain is deferred (throttle_backoff), not retried again', async () => {
    const runId = await failedRunWithLog(c, 'auto-etl', THROTTLE_LOG);
    const first = await handler()(
      glueEvent('auto-etl', runId, 'FAILED', 'ThrottlingException: Rate exceeded'),
      lambdaContext(),
    );
    expect(first).toMatchObject({ status: 'resolved', action: 'retry' });
    const rerun = (await jobRuns(c, 'auto-etl')).find(
      (r) => r.Arguments?.['--healer_root_run_id'] === runId,
    )!;
    expect(rerun).toBeDefined();

    // The retried run meets the same throttle.
    await writeRunLog(c, '/aws-glue/jobs/error', rerun.Id!, THROTTLE_LOG);
    const before = (await jobRuns(c, 'auto-etl')).length;
    const second = await handler()(
      glueEvent('auto-etl', rerun.Id!, 'FAILED', 'ThrottlingException: Rate exceeded'),
      lambdaContext(),
    );
    expect(second).toMatchObject({ status: 'resolved', action: 'defer' });
    const decided = await incident(second.incidentId);
    expect(decided.decision?.proposal).toMatchObject({ action: 'defer', source: 'throttle_backoff' });
    expect((await state().usage('auto-etl', runId, new Date())).deferralsThisRun).toBe(1);
    // Scheduled, not started now: the chain's first deferral, named after its root run.
    await c.scheduler.getSchedule({ Name: scheduleName('auto-etl', runId, 1) });
    expect((await jobRuns(c, 'auto-etl')).length).toBe(before);
  });
});

describe('defer on Glue (moto)', () => {
  it('schedules the rerun with EventBridge Scheduler at(now + delay) (a policy proposing defer stands in); a redelivery does not schedule twice', async () => {
    const runId = await failedRunWithLog(c, 'nightly-etl', CONCURRENCY_LOG, { '--day': '2026-12-01' });
    const before = (await jobRuns(c, 'nightly-etl')).length;
    const event = glueEvent('nightly-etl', runId, 'FAILED', 'Concurrent runs exceeded for nightly-etl');
    const result = await handlerWith(deferPolicy)(event, lambdaContext());
    expect(result).toMatchObject({ status: 'resolved', action: 'defer' });

    const name = scheduleName('nightly-etl', runId, 1);
    const schedule = await c.scheduler.getSchedule({ Name: name });
    expect(schedule.ScheduleExpression).toMatch(/^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/);
    expect(schedule.ScheduleExpressionTimezone).toBe('UTC');
    expect(schedule.ActionAfterCompletion).toBe('DELETE');
    expect(schedule.Target?.Arn).toBe('arn:aws:scheduler:::aws-sdk:glue:startJobRun');
    expect(schedule.Target?.RoleArn).toBe(SCHEDULER_ROLE);
    expect(JSON.parse(schedule.Target?.Input ?? '{}')).toEqual({
      JobName: 'nightly-etl',
      Arguments: {
        '--day': '2026-12-01',
        '--healer_root_run_id': runId,
        '--healer_deferrals': '1',
        '--healer_deferred_seconds': '120',
      },
    });
    // The schedule is the rerun: nothing started now.
    expect((await jobRuns(c, 'nightly-etl')).length).toBe(before);
    const action = await auditedAction(result.incidentId);
    expect(action?.artifacts).toMatchObject({ schedule: name, deferral: '1', delaySeconds: '120' });
    expect((await state().usage('nightly-etl', runId, new Date())).deferralsThisRun).toBe(1);

    // EventBridge delivers the same event again (a new envelope id): still one schedule.
    const redelivered = await handlerWith(deferPolicy)(
      glueEvent('nightly-etl', runId, 'FAILED', 'Concurrent runs exceeded for nightly-etl'),
      lambdaContext(),
    );
    expect(['duplicate', 'resolved']).toContain(redelivered.status);
    const schedules = (await c.scheduler.listSchedules({})).Schedules ?? [];
    expect(schedules.filter((s) => s.Name?.startsWith('healer-defer-nightly-etl-1-')).length).toBe(1);
    expect((await state().usage('nightly-etl', runId, new Date())).deferralsThisRun).toBe(1);
  });

  it('a chain deferred again and again doubles its delay within the wait bound, then escalates (G21); moto does not fire schedules, so the test starts the run each schedule names', async () => {
    let runId = await failedRunWithLog(c, 'nightly-etl', CONCURRENCY_LOG, { '--day': '2026-12-05' });
    const root = runId;
    const waited: string[] = [];
    for (let deferral = 1; deferral <= 3; deferral++) {
      const result = await handlerWith(deferPolicy)(
        glueEvent('nightly-etl', runId, 'FAILED', 'Concurrent runs exceeded for nightly-etl'),
        lambdaContext(),
      );
      expect(result).toMatchObject({ status: 'resolved', action: 'defer' });
      const schedule = await c.scheduler.getSchedule({ Name: scheduleName('nightly-etl', root, deferral) });
      const input = JSON.parse(schedule.Target!.Input!) as {
        JobName: string;
        Arguments: Record<string, string>;
      };
      waited.push(input.Arguments['--healer_deferred_seconds']!);
      // What EventBridge Scheduler does at the scheduled time: StartJobRun with the schedule's input.
      runId = (await c.glue.startJobRun(input)).JobRunId!;
      await writeRunLog(c, '/aws-glue/jobs/error', runId, CONCURRENCY_LOG);
    }
    // 120 s, then 240 s, then what is left of the 600 s bound (240 s): 120, 360, 600 waited in all.
    expect(waited).toEqual(['120', '360', '600']);
    expect((await state().usage('nightly-etl', root, new Date())).deferralsThisRun).toBe(3);
    const last = await handlerWith(deferPolicy)(
      glueEvent('nightly-etl', runId, 'FAILED', 'Concurrent runs exceeded for nightly-etl'),
      lambdaContext(),
    );
    expect(last.status).toBe('escalated');
    expect(await firedRules(last.incidentId)).toContain('G21_DEFER_BOUND');
    await expect(c.scheduler.getSchedule({ Name: scheduleName('nightly-etl', root, 4) })).rejects.toThrow();
  });

  it('an executor asked twice for the same deferral finds the schedule and does not create another', async () => {
    const runId = await failedRunWithLog(c, 'nightly-etl', CONCURRENCY_LOG);
    const remediator = new GlueRemediator({
      glue: c.glue,
      clock: fakeClock().clock,
      database: 'etl',
      scheduler: c.scheduler,
      schedulerRoleArn: SCHEDULER_ROLE,
    });
    const ctx = context(
      'nightly-etl',
      runId,
      'resource',
      'glue.concurrent_runs_exceeded',
      {},
      PIPELINES.pipelines['nightly-etl'].authority,
    );
    const first = await remediator.execute('defer', ctx);
    const second = await remediator.execute('defer', ctx);
    expect(first.steps.at(-1)).toMatchObject({ name: 'schedule_rerun', status: 'applied' });
    expect(first.artifacts?.scheduledAt).toBe('2026-11-22T12:01:00Z');
    expect(second.error).toBeUndefined();
    expect(second.steps.at(-1)).toMatchObject({ name: 'schedule_rerun', status: 'skipped' });
    expect(second.steps.at(-1)?.detail).toMatch(/already exists/);
    const named = (await c.scheduler.listSchedules({})).Schedules?.filter(
      (s) => s.Name === scheduleName('nightly-etl', runId, 1),
    );
    expect(named?.length).toBe(1);
  });

  it('without a scheduler waits the doubled delay on the clock, then re-runs with the chain counters', async () => {
    // The second deferral of a chain: it waited 60 s already, so this one waits 120 s.
    const runId = await failedRunWithLog(c, 'nightly-etl', CONCURRENCY_LOG, {
      '--healer_root_run_id': 'jr_root',
      '--healer_deferrals': '1',
      '--healer_deferred_seconds': '60',
    });
    const { clock, sleeps } = fakeClock();
    const remediator = new GlueRemediator({ glue: c.glue, clock, database: 'etl', pollIntervalMs: 5 });
    const ctx = context(
      'nightly-etl',
      runId,
      'transient',
      'aws.throttling',
      {
        '--healer_root_run_id': 'jr_root',
        '--healer_deferrals': '1',
        '--healer_deferred_seconds': '60',
      },
      PIPELINES.pipelines['nightly-etl'].authority,
    );
    ctx.event.rootRunId = 'jr_root';
    const result = await remediator.execute('defer', ctx);
    expect(sleeps[0]).toBe(120_000);
    expect(result.rerun?.status).toBe('succeeded');
    const rerun = await c.glue.getJobRun({ JobName: 'nightly-etl', RunId: result.rerun!.runId });
    expect(rerun.JobRun?.Arguments).toMatchObject({
      '--healer_root_run_id': 'jr_root',
      '--healer_deferrals': '2',
      [DEFERRED_SECONDS_ARGUMENT]: '180',
    });
  });

  it('escalates (E_BUDGET) when the chain has waited its whole bound, and starts nothing', async () => {
    const args = {
      '--healer_root_run_id': 'jr_long',
      '--healer_deferrals': '2',
      [DEFERRED_SECONDS_ARGUMENT]: '600',
    };
    const runId = await failedRunWithLog(c, 'nightly-etl', CONCURRENCY_LOG, args);
    const before = (await jobRuns(c, 'nightly-etl')).length;
    const remediator = new GlueRemediator({ glue: c.glue, clock: fakeClock().clock, database: 'etl' });
    const ctx = context(
      'nightly-etl',
      runId,
      'dependency',
      'upstream.missing',
      args,
      PIPELINES.pipelines['nightly-etl'].authority,
    );
    const result = await remediator.execute('defer', ctx);
    expect(result.error?.code).toBe('E_BUDGET');
    expect(result.error?.message).toMatch(/waited 600 s .*600 s/);
    expect((await jobRuns(c, 'nightly-etl')).length).toBe(before);
  });
});

function context(
  job: string,
  runId: string,
  family: 'resource' | 'transient' | 'dependency',
  rule: string,
  args: Record<string, string>,
  authority: unknown,
): RemediationContext {
  return remediationContext({ job, runId, family, rule, args, authority: authoritySchema.parse(authority) });
}

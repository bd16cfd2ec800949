// The Lambda handler end to end against a real moto_server: EventBridge events in the exact
// published format go in; the emulator's state afterwards is asserted (catalog version restored,
// job run started with the run's arguments, audit object written and verifiable, escalation read
// back from SQS, duplicates ignored, malformed events rejected).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamodbStateStore } from '../../src/adapters/aws/dynamodb-state-store.js';
import { defaultDeps, makeHandler } from '../../src/adapters/aws/lambda.js';
import { S3AuditLog } from '../../src/adapters/aws/s3-audit-log.js';
import { auditKeyring } from '../../src/core/audit-chain.js';
import {
  ACCESS_DENIED_LOG,
  ANALYSIS_EXCEPTION_LOG,
  AUDIT_KEY,
  createGlueJobs,
  createHealerResources,
  createRawTable,
  createSalesOrders,
  GOOD_COLUMNS,
  glueEvent,
  healerLambdaEnv,
  jobRuns,
  lambdaContext,
  ORDERS_DATASET,
  subscribedQueue,
  THROTTLING_LOG,
  writeRunLog,
} from './fixtures.js';
import { type Moto, type MotoClients, motoClients, startMoto } from './moto.js';

// Keep the Powertools logger quiet in test output.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

let moto: Moto;
let c: MotoClients;
let handler: ReturnType<typeof makeHandler>;
let queueUrl: string;

/** Payments where 2 of 40 amounts arrived with a currency suffix: a data-quality failure. */
const PAYMENTS_CSV = [
  'payment_id,amount',
  ...Array.from({ length: 40 }, (_, i) => `${5000 + i},${i % 20 === 3 ? `${i}.50 USD` : `${i}.50`}`),
].join('\n');

const NUMBER_FORMAT_LOG = [
  '2026-11-22 13:05:12,331 ERROR [Executor task launch worker for task 3.0] executor.Executor: Exception in task 3.0 in stage 2.0 (TID 7)',
  'org.apache.spark.SparkNumberFormatException: [CAST_INVALID_INPUT] The value \'3.50 USD\' of the type "STRING" cannot be cast to "DOUBLE" because it is malformed. Correct the value as per the syntax, or change its target type.',
];

const PIPELINES = {
  pipelines: {
    'orders-etl': {
      datasets: [ORDERS_DATASET],
      authority: {
        allowedActions: ['retry', 'rollback_schema', 'coerce_schema', 'quarantine'],
        mode: 'autonomous',
      },
    },
    'billing-etl': { datasets: [], authority: { allowedActions: ['retry'], mode: 'autonomous' } },
    'payments-etl': {
      datasets: [
        {
          dataset: 'payments',
          location: 's3://acme-raw/payments/',
          contract: {
            fields: [
              { path: 'payment_id', type: 'int64', nullable: false },
              { path: 'amount', type: 'double' },
            ],
            keys: ['payment_id'],
            quality: { minValidity: 0.99 },
          },
        },
      ],
      authority: { allowedActions: ['quarantine'], mode: 'autonomous' },
    },
  },
};

async function startFailedRun(job: string, args: Record<string, string>) {
  const { JobRunId } = await c.glue.startJobRun({ JobName: job, Arguments: args });
  return JobRunId!;
}

beforeAll(async () => {
  moto = await startMoto();
  c = motoClients(moto.endpoint);
  await createGlueJobs(c, ['orders-etl', 'billing-etl', 'payments-etl', 'healer-remediate'], {
    GlueVersion: '4.0',
    ExecutionProperty: { MaxConcurrentRuns: 10 },
  });
  await createSalesOrders(c);
  const paymentColumns = [
    { Name: 'payment_id', Type: 'bigint' },
    { Name: 'amount', Type: 'double' },
  ];
  await createRawTable(c, 'payments', paymentColumns, PAYMENTS_CSV);
  const topicArn = await createHealerResources(c);
  queueUrl = await subscribedQueue(c, topicArn, 'escalations-inbox');

  handler = makeHandler(
    defaultDeps(
      healerLambdaEnv(topicArn, {
        HEALER_GLUE_DATABASE: 'sales',
        HEALER_MODE: 'autonomous',
        HEALER_REMEDIATION_JOB: 'healer-remediate',
        HEALER_QUARANTINE_URI: 's3://healer-audit/',
        HEALER_PIPELINES: JSON.stringify(PIPELINES),
        HEALER_POLL_INTERVAL_MS: '5',
        HEALER_POLL_TIMEOUT_MS: '30000',
      }),
      { ...c },
    ),
  );
});
afterAll(async () => moto?.stop());

async function escalations(): Promise<string[]> {
  const got = await c.sqs.receiveMessage({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 });
  return (got.Messages ?? []).map((m) => (JSON.parse(m.Body!) as { Message: string }).Message);
}

describe('lambda handler on moto', () => {
  it('rolls back a bad catalog version after an AnalysisException, re-runs the job with its arguments, and audits it', async () => {
    const args = { '--input_path': 's3://acme-raw/orders/', '--day': '2026-11-22' };
    const runId = await startFailedRun('orders-etl', args);
    await writeRunLog(c, '/aws-glue/jobs/error', runId, ANALYSIS_EXCEPTION_LOG);
    const before = (await jobRuns(c, 'orders-etl')).length;

    const result = await handler(
      glueEvent('orders-etl', runId, 'FAILED', 'AnalysisException: amount'),
      lambdaContext(),
    );

    expect(result).toMatchObject({ status: 'resolved', action: 'rollback_schema', jobRunId: runId });
    // The catalog holds the good columns again, and the bad version is kept as an older version.
    const table = await c.glue.getTable({ DatabaseName: 'sales', Name: 'orders' });
    expect(table.Table?.StorageDescriptor?.Columns).toEqual(GOOD_COLUMNS);
    const versions = await c.glue.getTableVersions({ DatabaseName: 'sales', TableName: 'orders' });
    expect(versions.TableVersions?.length).toBe(3);
    // The job re-ran once, with the failed run's own arguments and the chain's root run.
    const runs = await jobRuns(c, 'orders-etl');
    expect(runs.length).toBe(before + 1);
    const rerun = runs.find((r) => r.Id !== runId);
    expect(rerun?.Arguments).toEqual({ ...args, '--healer_root_run_id': runId });
    // The audit chain is on S3 and verifies.
    const audit = new S3AuditLog({
      s3: c.s3,
      bucket: 'healer-audit',
      keys: auditKeyring(AUDIT_KEY),
    });
    const records = await audit.read(result.incidentId!);
    expect(records.map((r) => r.step)).toEqual([
      'received',
      'evidence',
      'diagnosis',
      'decision',
      'action',
      'validation',
      'outcome',
    ]);
    expect(await audit.verify(result.incidentId)).toMatchObject({ ok: true, records: 7 });
  });

  it('acts once when EventBridge delivers the same event twice (Powertools idempotency on DynamoDB)', async () => {
    const runId = await startFailedRun('billing-etl', { '--day': '2026-11-22' });
    await writeRunLog(c, '/aws-glue/jobs/error', runId, THROTTLING_LOG);
    const event = glueEvent('billing-etl', runId, 'FAILED', 'ThrottlingException: Rate exceeded');
    const first = await handler(event, lambdaContext());
    const runsAfterFirst = (await jobRuns(c, 'billing-etl')).length;
    const second = await handler({ ...event, id: crypto.randomUUID() }, lambdaContext());
    expect(second).toEqual(first);
    expect((await jobRuns(c, 'billing-etl')).length).toBe(runsAfterFirst);
    expect(first.action).toBe('retry');
    const rerun = (await jobRuns(c, 'billing-etl')).find((r) => r.Id !== runId);
    expect(rerun?.Arguments).toEqual({ '--day': '2026-11-22', '--healer_root_run_id': runId });
  });

  it('never retries an AccessDenied: escalates to SNS (read back from SQS) with the evidence', async () => {
    await escalations(); // drain
    const runId = await startFailedRun('billing-etl', { '--day': '2026-11-23' });
    // Secrets a real Glue log leaks, in the log and the event's message: none may reach any output.
    const planted = [
      'AKIAIOSFODNN7EXAMPLE',
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
      'Tr0ub4dor3x',
    ];
    await writeRunLog(c, '/aws-glue/jobs/error', runId, [
      ...ACCESS_DENIED_LOG,
      `fs.s3a.access.key=${planted[0]} fs.s3a.secret.key=${planted[1]}`,
      `jdbc:postgresql://warehouse:5432/dw?user=etl&password=${planted[3]}`,
    ]);
    const before = (await jobRuns(c, 'billing-etl')).length;
    const result = await handler(
      glueEvent('billing-etl', runId, 'FAILED', `AccessDenied (token ${planted[2]})`),
      lambdaContext(),
    );
    expect(result).toMatchObject({ status: 'escalated', action: 'escalate' });
    expect((await jobRuns(c, 'billing-etl')).length).toBe(before);
    const messages = await escalations();
    expect(messages.some((m) => m.includes(runId) && m.includes('AccessDenied'))).toBe(true);
    const audit = new S3AuditLog({
      s3: c.s3,
      bucket: 'healer-audit',
      keys: auditKeyring(AUDIT_KEY),
    });
    const records = JSON.stringify(await audit.read(result.incidentId!));
    expect(records).toContain('[REDACTED:');
    const stored = JSON.stringify(
      await new DynamodbStateStore({ client: c.dynamodb, tableName: 'healer-state' }).getIncident(
        result.incidentId!,
      ),
    );
    for (const secret of planted)
      for (const [where, text] of Object.entries({
        sns: messages.join('\n'),
        audit: records,
        state: stored,
        result: JSON.stringify(result),
      }))
        expect(text.includes(secret), `${secret} leaked into ${where}`).toBe(false);
    expect(await audit.verify(result.incidentId)).toMatchObject({ ok: true });
  });

  it('quarantine starts the remediation job with the contract and paths (moto does not run Glue scripts: no row accounting, so validation escalates)', async () => {
    await escalations(); // drain
    const runId = await startFailedRun('payments-etl', { '--input_path': 's3://acme-raw/payments/' });
    await writeRunLog(c, '/aws-glue/jobs/error', runId, NUMBER_FORMAT_LOG);
    const result = await handler(
      glueEvent('payments-etl', runId, 'FAILED', 'CAST_INVALID_INPUT'),
      lambdaContext(),
    );
    expect(result.action).toBe('quarantine');
    const [remediation] = await jobRuns(c, 'healer-remediate');
    expect(remediation?.Arguments).toMatchObject({
      '--healer_action': 'quarantine',
      '--incident_id': result.incidentId,
      '--input_path': 's3://acme-raw/payments/',
      '--remediated_path': `s3://healer-audit/remediated/${result.incidentId}/`,
      '--quarantine_path': `s3://healer-audit/quarantine/${result.incidentId}/`,
    });
    const contract = JSON.parse(remediation!.Arguments!['--contract']!);
    expect(contract.columns).toEqual([
      { name: 'payment_id', type: 'int64', nullable: false },
      { name: 'amount', type: 'double', nullable: true },
    ]);
    // Without the accounting object the row check cannot pass: healer escalates instead of guessing.
    expect(result.status).toBe('escalated');
    expect((await escalations()).some((m) => m.includes('validation failed after quarantine'))).toBe(true);
  });

  it('handles the redelivery of an event whose first attempt failed part-way (a real NoSuchBucket on the audit bucket)', async () => {
    const env = {
      HEALER_AUDIT_BUCKET: 'audit-not-yet-created',
      HEALER_AUDIT_KEY: AUDIT_KEY,
      HEALER_STATE_TABLE: 'healer-state',
      HEALER_IDEMPOTENCY_TABLE: 'healer-idempotency',
      HEALER_ESCALATION_TOPIC_ARN: (await c.sns.listTopics({})).Topics![0]!.TopicArn,
      HEALER_GLUE_DATABASE: 'sales',
      HEALER_MODE: 'autonomous',
      HEALER_PIPELINES: JSON.stringify(PIPELINES),
    };
    const flaky = makeHandler(defaultDeps(env, { ...c }));
    const runId = await startFailedRun('billing-etl', { '--day': '2026-11-24' });
    await writeRunLog(c, '/aws-glue/jobs/error', runId, ACCESS_DENIED_LOG);
    const event = glueEvent('billing-etl', runId, 'FAILED', 'AccessDenied');
    await expect(flaky(event, lambdaContext())).rejects.toMatchObject({ code: 'E_AUDIT' });
    await c.s3.createBucket({ Bucket: 'audit-not-yet-created' });
    const retried = await flaky(event, lambdaContext());
    expect(retried).toMatchObject({ status: 'escalated', action: 'escalate' });
  });

  it('in shadow mode (the deployment-wide ceiling) decides and records but starts nothing', async () => {
    const env = {
      HEALER_AUDIT_BUCKET: 'healer-audit',
      HEALER_AUDIT_KEY: AUDIT_KEY,
      HEALER_STATE_TABLE: 'healer-state',
      HEALER_IDEMPOTENCY_TABLE: 'healer-idempotency',
      HEALER_ESCALATION_TOPIC_ARN: (await c.sns.listTopics({})).Topics![0]!.TopicArn,
      HEALER_GLUE_DATABASE: 'sales',
      HEALER_MODE: 'shadow',
      HEALER_PIPELINES: JSON.stringify(PIPELINES), // the pipeline itself says autonomous
    };
    const shadow = makeHandler(defaultDeps(env, { ...c }));
    const runId = await startFailedRun('billing-etl', { '--day': '2026-11-25' });
    await writeRunLog(c, '/aws-glue/jobs/error', runId, THROTTLING_LOG);
    const before = (await jobRuns(c, 'billing-etl')).length;
    const result = await shadow(
      glueEvent('billing-etl', runId, 'FAILED', 'ThrottlingException'),
      lambdaContext(),
    );
    expect(result).toMatchObject({ status: 'recorded', action: 'retry' });
    expect(result.summary).toMatch(/shadow mode/);
    expect((await jobRuns(c, 'billing-etl')).length).toBe(before);
  });

  it('rejects a malformed event with E_EVENT before touching any state', async () => {
    const event = glueEvent('orders-etl', 'jr_x', 'FAILED', 'x') as Record<string, unknown>;
    await expect(handler({ ...event, source: 'aws.s3' }, lambdaContext())).rejects.toMatchObject({
      code: 'E_EVENT',
    });
    await expect(
      handler(glueEvent('orders-etl', 'jr_x', 'RUNNING', 'x'), lambdaContext()),
    ).rejects.toMatchObject({ code: 'E_EVENT' });
    const listed = await c.s3.listObjectsV2({ Bucket: 'healer-audit', Prefix: 'audit/' });
    expect((listed.Contents ?? []).some((o) => o.Key?.includes('jr_x'))).toBe(false);
  });

  it('observes a SUCCEEDED event without acting', async () => {
    const runId = await startFailedRun('orders-etl', {});
    const before = (await jobRuns(c, 'orders-etl')).length;
    const result = await handler(glueEvent('orders-etl', runId, 'SUCCEEDED', 'ok'), lambdaContext());
    expect(result.status).toBe('observed');
    expect((await jobRuns(c, 'orders-etl')).length).toBe(before);
  });
});

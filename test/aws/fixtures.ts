// Real-looking fixtures for the moto tests: Glue driver logs, table definitions and the
// EventBridge event exactly as AWS publishes it for a Glue job state change; the Lambda context and
// healer's own resources (audit bucket, state tables, escalation topic) every handler test sets up.

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Column, CreateJobRequest } from '@aws-sdk/client-glue';
import type { Context } from 'aws-lambda';
import { defaultDeps, type LambdaDeps, makeHandler } from '../../src/adapters/aws/lambda.js';
import type { Decision } from '../../src/core/decision.js';
import type { FailureFamily } from '../../src/core/failure-family.js';
import type { Clock, Environment, RemediationContext } from '../../src/ports.js';
import { createIdempotencyTable, createStateTable, type MotoClients, ROOT } from './moto.js';

/** A Glue 4.0 driver log where an upstream rename broke a select (Spark AnalysisException). */
export const ANALYSIS_EXCEPTION_LOG = [
  '2026-11-22 10:14:02,118 INFO [main] glue.GlueContext (GlueContext.scala:apply(117)): GlueContext is created',
  '2026-11-22 10:14:09,402 ERROR [main] glue.ProcessLauncher (Logging.scala:logError(77)): Error from Python:Traceback (most recent call last):',
  '  File "/tmp/orders_etl.py", line 41, in <module>',
  '    df = df.select("order_id", "customer_id", "amount")',
  'pyspark.sql.utils.AnalysisException: [UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function parameter with name `amount` cannot be resolved. Did you mean one of the following? [`order_id`, `customer_id`, `order_amount`].;',
  "'Project ['order_id, 'customer_id, 'amount]",
];

/** A transient S3 throttle in the middle of a write. */
export const THROTTLING_LOG = [
  '2026-11-22 11:02:40,910 WARN [Executor task launch worker for task 12.0] s3.AmazonS3Client: Retrying request',
  'com.amazonaws.services.s3.model.AmazonS3Exception: Please reduce your request rate. (Service: Amazon S3; Status Code: 503; Error Code: SlowDown; Request ID: 7D2F1C0B9A8E6F41)',
  'An error occurred while calling o112.pyWriteDynamicFrame. ThrottlingException: Rate exceeded (Service: AWSGlue; Status Code: 400; Error Code: ThrottlingException)',
];

/** A permission failure: the job role cannot read the source bucket. */
export const ACCESS_DENIED_LOG = [
  '2026-11-22 12:30:11,001 ERROR [main] glue.ProcessLauncher: Error from Python:Traceback (most recent call last):',
  'py4j.protocol.Py4JJavaError: An error occurred while calling o87.getDynamicFrame.',
  ': java.nio.file.AccessDeniedException: s3://acme-raw/orders/2026/11/22/part-0000.csv: getFileStatus on s3://acme-raw/orders/2026/11/22/part-0000.csv: com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 1F0D9E1A2B3C4D5E)',
];

export const GOOD_COLUMNS: Column[] = [
  { Name: 'order_id', Type: 'bigint' },
  { Name: 'customer_id', Type: 'string' },
  { Name: 'amount', Type: 'double' },
  { Name: 'shipping', Type: 'struct<city:string,zip:string>' },
];

/** The bad version: `amount` renamed to `order_amount` and typed as string. */
export const BAD_COLUMNS: Column[] = [
  { Name: 'order_id', Type: 'bigint' },
  { Name: 'customer_id', Type: 'string' },
  { Name: 'order_amount', Type: 'string' },
  { Name: 'shipping', Type: 'struct<city:string,zip:string>' },
];

/** Creates `db.table` with the good schema, then updates it to the bad one (two catalog versions). */
export async function createDriftedTable(c: MotoClients, db: string, table: string, location: string) {
  const input = (columns: Column[]) => ({
    Name: table,
    TableType: 'EXTERNAL_TABLE',
    Parameters: { classification: 'csv' },
    StorageDescriptor: {
      Columns: columns,
      Location: location,
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      SerdeInfo: {
        SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
        Parameters: { 'field.delim': ',' },
      },
    },
  });
  await c.glue.createTable({ DatabaseName: db, TableInput: input(GOOD_COLUMNS) });
  await c.glue.updateTable({ DatabaseName: db, TableInput: input(BAD_COLUMNS) });
}

/** Writes a Glue run's driver log into the error log group, in a stream named after the run. */
export async function writeRunLog(c: MotoClients, group: string, runId: string, lines: string[]) {
  await c.logs.createLogGroup({ logGroupName: group }).catch(() => undefined);
  await c.logs.createLogStream({ logGroupName: group, logStreamName: runId });
  const t0 = Date.now() - 60_000;
  await c.logs.putLogEvents({
    logGroupName: group,
    logStreamName: runId,
    logEvents: lines.map((message, i) => ({ timestamp: t0 + i, message })),
  });
}

/** The EventBridge event as AWS publishes it for a Glue job state change. */
export function glueEvent(
  jobName: string,
  jobRunId: string,
  state: string,
  message: string,
  id = crypto.randomUUID(),
) {
  return {
    version: '0',
    id,
    'detail-type': 'Glue Job State Change',
    source: 'aws.glue',
    account: '123456789012',
    time: '2026-11-22T10:14:10Z',
    region: 'us-east-1',
    resources: [],
    detail: { jobName, severity: state === 'SUCCEEDED' ? 'INFO' : 'ERROR', state, jobRunId, message },
  };
}

/** The audit HMAC key the handler tests configure (64 hex-like characters, as deploy generates). */
export const AUDIT_KEY = 'test-audit-key-0123456789abcdef0123456789abcdef';

/** A Lambda invocation context as the runtime passes it; `remainingMs` is the time left to run. */
export function lambdaContext(remainingMs = 600_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'healer',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:healer',
    memoryLimitInMB: '1024',
    awsRequestId: crypto.randomUUID(),
    logGroupName: '/aws/lambda/healer',
    logStreamName: '2026/11/22/[$LATEST]abc',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Glue ETL jobs named `names` (script `s3://scripts/<name>.py`), plus any job properties given. */
export async function createGlueJobs(
  c: MotoClients,
  names: readonly string[],
  properties: Partial<CreateJobRequest> = {},
): Promise<void> {
  for (const name of names)
    await c.glue.createJob({
      Name: name,
      Role: 'arn:aws:iam::123456789012:role/glue',
      Command: { Name: 'glueetl', ScriptLocation: `s3://scripts/${name}.py` },
      ...properties,
    });
}

/**
 * healer's own resources as the stack deploys them: the `healer-audit` bucket, the `healer-state`
 * and `healer-idempotency` tables and the `healer-escalations` topic. Returns the topic's ARN.
 */
export async function createHealerResources(c: MotoClients): Promise<string> {
  await c.s3.createBucket({ Bucket: 'healer-audit' });
  await createStateTable(c, 'healer-state');
  await createIdempotencyTable(c, 'healer-idempotency');
  return (await c.sns.createTopic({ Name: 'healer-escalations' })).TopicArn!;
}

/** An SQS queue subscribed to the topic, to read what was published; returns the queue's URL. */
export async function subscribedQueue(c: MotoClients, topicArn: string, queueName: string): Promise<string> {
  const queueUrl = (await c.sqs.createQueue({ QueueName: queueName })).QueueUrl!;
  const attrs = await c.sqs.getQueueAttributes({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] });
  await c.sns.subscribe({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: attrs.Attributes!.QueueArn });
  return queueUrl;
}

/** The Lambda environment naming the resources `createHealerResources` made, plus `extra`. */
export function healerLambdaEnv(topicArn: string, extra: Record<string, string>): Record<string, string> {
  return {
    HEALER_AUDIT_BUCKET: 'healer-audit',
    HEALER_AUDIT_KEY: AUDIT_KEY,
    HEALER_STATE_TABLE: 'healer-state',
    HEALER_IDEMPOTENCY_TABLE: 'healer-idempotency',
    HEALER_ESCALATION_TOPIC_ARN: topicArn,
    ...extra,
  };
}

/** 40 orders as the raw CSV under `s3://acme-raw/orders/` (what the orders table points at). */
export const ORDERS_CSV = [
  'order_id,customer_id,amount',
  ...Array.from({ length: 40 }, (_, i) => `${1000 + i},c-${i % 7},${(12.5 + i).toFixed(2)}`),
].join('\n');

/** The orders dataset as a pipeline declares it: the `sales.orders` table over ORDERS_CSV. */
export const ORDERS_DATASET = {
  dataset: 'orders',
  table: 'sales.orders',
  location: 's3://acme-raw/orders/',
  contract: {
    fields: [
      { path: 'order_id', type: 'int64', nullable: false },
      { path: 'customer_id', type: 'string' },
      { path: 'amount', type: 'double' },
    ],
    keys: ['order_id'],
  },
};

/**
 * Runs a bundled Lambda (`build/lambda/<bundle>`, built by scripts/bundle-lambda.mjs) in a fresh Node
 * process configured only by `env` and AWS_ENDPOINT_URL, as the Lambda runtime would; `context` is
 * JavaScript source for the invocation context. Returns what the handler returned.
 */
export function invokeBundled(
  endpoint: string,
  bundle: string,
  event: unknown,
  context: string,
  env: Record<string, string>,
): unknown {
  const script = [
    `const { handler } = await import(${JSON.stringify(resolve(ROOT, 'build/lambda', bundle))});`,
    `const result = await handler(${JSON.stringify(event)}, ${context});`,
    'process.stdout.write("@@" + JSON.stringify(result));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...env,
    },
  });
  return JSON.parse(out.slice(out.indexOf('@@') + 2));
}

/** The runs of a Glue job, newest first (as moto lists them). */
export async function jobRuns(c: MotoClients, job: string) {
  return (await c.glue.getJobRuns({ JobName: job })).JobRuns ?? [];
}

/** Starts a run of `job` and writes its driver log (`lines`) as a failed run leaves it; returns its id. */
export async function failedRunWithLog(
  c: MotoClients,
  job: string,
  lines: string[],
  args: Record<string, string> = {},
): Promise<string> {
  const { JobRunId } = await c.glue.startJobRun({ JobName: job, Arguments: args });
  await writeRunLog(c, '/aws-glue/jobs/error', JobRunId!, lines);
  return JobRunId!;
}

/** The incident Lambda's handler on moto with its real environment passed through `wrap` (a fault, a policy). */
export function handlerWrapping(
  envVars: Record<string, string>,
  c: MotoClients,
  wrap: (env: Environment) => Environment,
): ReturnType<typeof makeHandler> {
  const deps = defaultDeps(envVars, { ...c });
  const wrapped: LambdaDeps = { ...deps, environment: async () => wrap(await deps.environment()) };
  return makeHandler(wrapped);
}

/**
 * What an executor receives for a failed run of `job`: the event (with the run's arguments), a
 * diagnosis of the given family, no evidence beyond it, and the pipeline's authority.
 */
export function remediationContext(options: {
  job: string;
  runId: string;
  family: FailureFamily;
  rule: string;
  args: Record<string, string>;
  authority: RemediationContext['pipeline']['authority'];
}): RemediationContext {
  const { job, runId, family, rule, args, authority } = options;
  const event = {
    id: 'evt-1',
    source: 'glue',
    pipeline: job,
    job,
    runId,
    state: 'FAILED' as const,
    occurredAt: '2026-11-22T10:00:00Z',
    details: { arguments: JSON.stringify(args) },
  };
  const diagnosis = {
    classification: { family, rule, confidence: 1, line: '' },
    findings: [],
    risk: { level: 'medium' },
    quality: 'ok',
    protectedDataset: false,
  } as unknown as Decision['diagnosis'];
  return {
    incidentId: 'inc-test',
    event,
    evidence: { event, logs: '', logsTruncated: false, datasets: [] },
    decision: { diagnosis } as Decision,
    pipeline: { name: job, datasets: [], authority },
  };
}

/** A clock whose sleep advances time at once and records what was asked; `onSleep` runs meanwhile. */
export function fakeClock(onSleep?: () => Promise<void>) {
  let t = Date.parse('2026-11-22T12:00:00Z');
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => new Date(t),
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
      await onSleep?.();
    },
  };
  return { clock, sleeps };
}

/** The `sales` catalog with the drifted `sales.orders` table over ORDERS_CSV in `s3://acme-raw/orders/`. */
export async function createSalesOrders(c: MotoClients): Promise<void> {
  await c.glue.createDatabase({ DatabaseInput: { Name: 'sales' } });
  await createDriftedTable(c, 'sales', 'orders', 's3://acme-raw/orders/');
  await c.s3.createBucket({ Bucket: 'acme-raw' });
  await c.s3.putObject({ Bucket: 'acme-raw', Key: 'orders/part-0000.csv', Body: ORDERS_CSV });
}

/** Another `sales` table, over `csv` as `s3://acme-raw/<name>/part-0000.csv`. */
export async function createRawTable(
  c: MotoClients,
  name: string,
  columns: Column[],
  csv: string,
): Promise<void> {
  await c.s3.putObject({ Bucket: 'acme-raw', Key: `${name}/part-0000.csv`, Body: csv });
  await c.glue.createTable({
    DatabaseName: 'sales',
    TableInput: { Name: name, StorageDescriptor: { Columns: columns, Location: `s3://acme-raw/${name}/` } },
  });
}

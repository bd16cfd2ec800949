// The deployable artifact itself: the esbuild bundle in build/lambda (what the CDK construct ships)
// is imported in a fresh Node process configured only through environment variables, with
// AWS_ENDPOINT_URL pointing the SDK's default clients at moto, and handles a real event.

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_DENIED_LOG, glueEvent, writeRunLog } from './fixtures.js';
import {
  createIdempotencyTable,
  createStateTable,
  type Moto,
  type MotoClients,
  motoClients,
  ROOT,
  startMoto,
} from './moto.js';

let moto: Moto;
let c: MotoClients;
let topicArn: string;
let queueUrl: string;

beforeAll(async () => {
  execFileSync(process.execPath, [resolve(ROOT, 'scripts/bundle-lambda.mjs')], { stdio: 'ignore' });
  moto = await startMoto();
  c = motoClients(moto.endpoint);
  await c.glue.createDatabase({ DatabaseInput: { Name: 'sales' } });
  await c.glue.createJob({
    Name: 'ledger-etl',
    Role: 'arn:aws:iam::123456789012:role/glue',
    Command: { Name: 'glueetl', ScriptLocation: 's3://scripts/ledger.py' },
  });
  await c.s3.createBucket({ Bucket: 'healer-audit' });
  await createStateTable(c, 'healer-state');
  await createIdempotencyTable(c, 'healer-idempotency');
  topicArn = (await c.sns.createTopic({ Name: 'healer-escalations' })).TopicArn!;
  queueUrl = (await c.sqs.createQueue({ QueueName: 'inbox' })).QueueUrl!;
  const attrs = await c.sqs.getQueueAttributes({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] });
  await c.sns.subscribe({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: attrs.Attributes!.QueueArn });
}, 300_000);
afterAll(async () => moto?.stop());

describe('bundled Lambda (build/lambda/index.mjs)', () => {
  it('escalates an undeclared job failure using only environment configuration and AWS_ENDPOINT_URL', async () => {
    const { JobRunId } = await c.glue.startJobRun({
      JobName: 'ledger-etl',
      Arguments: { '--day': '2026-11-22' },
    });
    await writeRunLog(c, '/aws-glue/jobs/error', JobRunId!, ACCESS_DENIED_LOG);
    const event = glueEvent('ledger-etl', JobRunId!, 'FAILED', 'AccessDenied');
    const script = [
      `const { handler } = await import(${JSON.stringify(resolve(ROOT, 'build/lambda/index.mjs'))});`,
      'const context = { awsRequestId: "req-1", functionName: "healer", getRemainingTimeInMillis: () => 600000 };',
      `const result = await handler(${JSON.stringify(event)}, context);`,
      'process.stdout.write("@@" + JSON.stringify(result));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        HEALER_AUDIT_BUCKET: 'healer-audit',
        HEALER_AUDIT_KEY: 'test-audit-key-0123456789abcdef0123456789abcdef',
        HEALER_STATE_TABLE: 'healer-state',
        HEALER_IDEMPOTENCY_TABLE: 'healer-idempotency',
        HEALER_ESCALATION_TOPIC_ARN: topicArn,
        HEALER_GLUE_DATABASE: 'sales',
        HEALER_MODE: 'autonomous',
      },
    });
    const result = JSON.parse(out.slice(out.indexOf('@@') + 2));
    expect(result).toMatchObject({ status: 'escalated', action: 'escalate', jobRunId: JobRunId });
    const got = await c.sqs.receiveMessage({ QueueUrl: queueUrl, WaitTimeSeconds: 1 });
    expect(JSON.parse(got.Messages![0]!.Body!).Message).toContain(JobRunId);
    const audit = await c.s3.getObject({ Bucket: 'healer-audit', Key: `audit/${result.incidentId}.jsonl` });
    expect((await audit.Body!.transformToString()).trim().split('\n').length).toBeGreaterThanOrEqual(5);
  });
});

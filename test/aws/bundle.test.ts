// The deployable artifact itself: the esbuild bundle in build/lambda (what the CDK construct ships)
// is imported in a fresh Node process configured only through environment variables, with
// AWS_ENDPOINT_URL pointing the SDK's default clients at moto, and handles a real event.

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCESS_DENIED_LOG,
  createGlueJobs,
  createHealerResources,
  glueEvent,
  healerLambdaEnv,
  invokeBundled,
  subscribedQueue,
  writeRunLog,
} from './fixtures.js';
import { type Moto, type MotoClients, motoClients, ROOT, startMoto } from './moto.js';

let moto: Moto;
let c: MotoClients;
let topicArn: string;
let queueUrl: string;

beforeAll(async () => {
  execFileSync(process.execPath, [resolve(ROOT, 'scripts/bundle-lambda.mjs')], { stdio: 'ignore' });
  moto = await startMoto();
  c = motoClients(moto.endpoint);
  await c.glue.createDatabase({ DatabaseInput: { Name: 'sales' } });
  await createGlueJobs(c, ['ledger-etl']);
  topicArn = await createHealerResources(c);
  queueUrl = await subscribedQueue(c, topicArn, 'inbox');
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
    const result = invokeBundled(
      moto.endpoint,
      'index.mjs',
      event,
      '{ awsRequestId: "req-1", functionName: "healer", getRemainingTimeInMillis: () => 600000 }',
      healerLambdaEnv(topicArn, { HEALER_GLUE_DATABASE: 'sales', HEALER_MODE: 'autonomous' }),
    ) as { incidentId: string };
    expect(result).toMatchObject({ status: 'escalated', action: 'escalate', jobRunId: JobRunId });
    const got = await c.sqs.receiveMessage({ QueueUrl: queueUrl, WaitTimeSeconds: 1 });
    expect(JSON.parse(got.Messages![0]!.Body!).Message).toContain(JobRunId);
    const audit = await c.s3.getObject({ Bucket: 'healer-audit', Key: `audit/${result.incidentId}.jsonl` });
    expect((await audit.Body!.transformToString()).trim().split('\n').length).toBeGreaterThanOrEqual(5);
  });
});

// The approval API on a real moto_server: supervised incidents are created by the incident Lambda
// from EventBridge events in the published format (their SNS approval requests read back from SQS),
// then the approval handler is invoked directly with API Gateway (REST, IAM auth) proxy events and
// the emulator's DynamoDB, S3 audit and Glue state afterwards are asserted.

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApprovalHandler } from '../../src/adapters/aws/approval-api.js';
import { DynamodbStateStore } from '../../src/adapters/aws/dynamodb-state-store.js';
import { defaultDeps, makeHandler } from '../../src/adapters/aws/lambda.js';
import { parseLambdaEnv } from '../../src/adapters/aws/lambda-config.js';
import { S3AuditLog } from '../../src/adapters/aws/s3-audit-log.js';
import { auditKeyring } from '../../src/core/audit-chain.js';
import { createAwsEnvironment } from '../../src/environments/aws-environment.js';
import type { Clock } from '../../src/ports.js';
import {
  ANALYSIS_EXCEPTION_LOG,
  AUDIT_KEY,
  createGlueJobs,
  createHealerResources,
  createRawTable,
  createSalesOrders,
  GOOD_COLUMNS,
  glueEvent,
  healerLambdaEnv,
  invokeBundled,
  jobRuns,
  lambdaContext,
  ORDERS_DATASET,
  subscribedQueue,
  THROTTLING_LOG,
  writeRunLog,
} from './fixtures.js';
import { type Moto, type MotoClients, motoClients, ROOT, startMoto } from './moto.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const API_URL = 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod';
const ALICE = 'arn:aws:iam::123456789012:user/alice';
const MALLORY = 'arn:aws:iam::123456789012:user/mallory';

const CUSTOMERS_CSV = [
  'customer_id,name',
  ...Array.from({ length: 20 }, (_, i) => `c-${i},Customer ${i}`),
].join('\n');

/** Supervised pipelines: every active action waits for an approval. */
const PIPELINES = {
  pipelines: {
    'orders-etl': {
      datasets: [ORDERS_DATASET],
      authority: { allowedActions: ['retry', 'rollback_schema'], mode: 'supervised' },
    },
    'billing-etl': { datasets: [], authority: { allowedActions: ['retry'], mode: 'supervised' } },
    'customers-etl': {
      datasets: [{ dataset: 'customers', location: 's3://acme-raw/customers/' }],
      authority: { allowedActions: ['retry'], mode: 'supervised' },
    },
  },
};

let moto: Moto;
let c: MotoClients;
let queueUrl: string;
let env: Record<string, string>;
let incidentLambda: ReturnType<typeof makeHandler>;
let api: ReturnType<typeof makeApprovalHandler>;
/** The approval API's clock runs this far ahead of the wall clock (to reach an expiry). */
let skewMs = 0;
const clock: Clock = {
  now: () => new Date(Date.now() + skewMs),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/** An API Gateway REST API proxy event as IAM auth delivers it (the signer in `requestContext.identity`). */
function apiEvent(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  options: { userArn?: string | null; resource?: string; raw?: string } = {},
) {
  const userArn = options.userArn === undefined ? ALICE : options.userArn;
  const id = /^\/incidents\/([^/]+)/.exec(path)?.[1];
  const resource = options.resource ?? (id ? path.replace(id, '{id}') : path);
  const text = options.raw ?? (body === undefined ? null : JSON.stringify(body));
  return {
    resource,
    path,
    httpMethod: method,
    headers: { 'content-type': 'application/json', Host: 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com' },
    multiValueHeaders: {
      'content-type': ['application/json'],
      Host: ['a1b2c3d4e5.execute-api.us-east-1.amazonaws.com'],
    },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: id ? { id } : null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      authorizer: null,
      domainName: 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'a1b2c3d4e5',
      extendedRequestId: 'Xyz1AbCdIAMF3vA=',
      httpMethod: method,
      identity: {
        accessKey: userArn ? 'ASIAEXAMPLEACCESSKEY' : null,
        accountId: userArn ? '123456789012' : null,
        caller: userArn ? 'AIDAEXAMPLECALLER' : null,
        sourceIp: '203.0.113.7',
        user: userArn ? 'AIDAEXAMPLECALLER' : null,
        userAgent: 'curl/8.5.0',
        userArn,
      },
      path: `/prod${path}`,
      protocol: 'HTTP/1.1',
      requestId: crypto.randomUUID(),
      requestTime: '22/Nov/2026:10:20:00 +0000',
      requestTimeEpoch: 1_795_342_800_000,
      resourceId: 'abc123',
      resourcePath: resource,
      stage: 'prod',
    },
    body: text,
    isBase64Encoded: false,
  };
}

/** Invokes a handler as the Lambda runtime would, with one API Gateway event. */
async function invoke(handler: ReturnType<typeof makeApprovalHandler>, event: ReturnType<typeof apiEvent>) {
  const response = await handler(event as unknown as Parameters<typeof handler>[0], lambdaContext());
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}

const call = (event: ReturnType<typeof apiEvent>) => invoke(api, event);

/** A failed run of `job` handled by the incident Lambda in supervised mode: one pending incident. */
async function pendingIncident(job: string, log: string[], message: string): Promise<string> {
  const { JobRunId } = await c.glue.startJobRun({ JobName: job, Arguments: { '--day': '2026-11-22' } });
  await writeRunLog(c, '/aws-glue/jobs/error', JobRunId!, log);
  const result = await incidentLambda(glueEvent(job, JobRunId!, 'FAILED', message), lambdaContext());
  expect(result.status).toBe('awaiting_approval');
  return result.incidentId!;
}

async function snsMessages(): Promise<
  { subject: string; message: string; attributes: Record<string, unknown> }[]
> {
  const got = await c.sqs.receiveMessage({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 });
  for (const m of got.Messages ?? [])
    await c.sqs.deleteMessage({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! });
  return (got.Messages ?? []).map((m) => {
    const body = JSON.parse(m.Body!) as {
      Subject: string;
      Message: string;
      MessageAttributes: Record<string, unknown>;
    };
    return { subject: body.Subject, message: body.Message, attributes: body.MessageAttributes };
  });
}

const state = () => new DynamodbStateStore({ client: c.dynamodb, tableName: 'healer-state' });
const audit = () => new S3AuditLog({ s3: c.s3, bucket: 'healer-audit', keys: auditKeyring(AUDIT_KEY) });

beforeAll(async () => {
  moto = await startMoto();
  c = motoClients(moto.endpoint);
  await createGlueJobs(c, ['orders-etl', 'billing-etl', 'customers-etl', 'healer-remediate'], {
    GlueVersion: '4.0',
    ExecutionProperty: { MaxConcurrentRuns: 10 },
  });
  await createSalesOrders(c);
  const customerColumns = [
    { Name: 'customer_id', Type: 'string' },
    { Name: 'name', Type: 'string' },
  ];
  await createRawTable(c, 'customers', customerColumns, CUSTOMERS_CSV);
  const topicArn = await createHealerResources(c);
  queueUrl = await subscribedQueue(c, topicArn, 'approvers-inbox');

  env = healerLambdaEnv(topicArn, {
    HEALER_GLUE_DATABASE: 'sales',
    HEALER_MODE: 'supervised',
    HEALER_REMEDIATION_JOB: 'healer-remediate',
    HEALER_QUARANTINE_URI: 's3://healer-audit/',
    HEALER_PIPELINES: JSON.stringify(PIPELINES),
    HEALER_POLL_INTERVAL_MS: '5',
    HEALER_POLL_TIMEOUT_MS: '30000',
    HEALER_APPROVAL_API_URL: API_URL,
  });
  incidentLambda = makeHandler(defaultDeps(env, { ...c }));
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
  api = makeApprovalHandler({
    environment: () => createAwsEnvironment({ ...parseLambdaEnv(env), clock }, { ...c }),
    logger: silent,
  });
}, 120_000);
afterAll(async () => moto?.stop());

describe('approval API on moto', () => {
  let ordersIncident: string;

  it('sends an SNS approval request with the incident, the proposed action, the cause, the expiry and how to approve', async () => {
    await snsMessages(); // drain
    const before = Date.now();
    ordersIncident = await pendingIncident('orders-etl', ANALYSIS_EXCEPTION_LOG, 'AnalysisException: amount');
    const [request] = await snsMessages();
    expect(request).toBeDefined();
    const { subject, message, attributes } = request!;
    expect(subject).toBe('healer: approve rollback_schema on orders-etl?');
    const lines = message.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^healer escalation ${ordersIncident}: approval needed to rollback_schema: schema: `),
    );
    expect(lines).toContain(`  incident: ${ordersIncident}`);
    expect(lines).toContain('  proposed action: rollback_schema');
    const expires = /^ {2}expires: (\S+)$/m.exec(message)?.[1];
    // Default expiry: 24 h after the request.
    expect(Date.parse(expires!) - before).toBeGreaterThan(23.9 * 3_600_000);
    expect(Date.parse(expires!) - before).toBeLessThan(24.1 * 3_600_000);
    expect(message).toContain(
      `approve: POST ${API_URL}/incidents/${ordersIncident}/approve {"by":"NAME","note":"TEXT"}`,
    );
    expect(message).toContain(`reject:  POST ${API_URL}/incidents/${ordersIncident}/reject`);
    expect(message).toContain(
      `curl --aws-sigv4 "aws:amz:us-east-1:execute-api" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"`,
    );
    expect(attributes).toMatchObject({
      incidentId: { Type: 'String', Value: ordersIncident },
      kind: { Type: 'String', Value: 'approval' },
      expiresAt: { Type: 'String', Value: expires },
    });
    // The stored incident carries the same expiry the message announced.
    expect((await state().getIncident(ordersIncident))?.approval?.expiresAt).toBe(expires);
  });

  it('lists pending incidents with their proposed action and expiry (GET /pending)', async () => {
    const { status, body } = await call(apiEvent('GET', '/pending'));
    expect(status).toBe(200);
    const listed = (body.incidents as { id: string; action: string; expired: boolean; job: string }[]).find(
      (i) => i.id === ordersIncident,
    );
    expect(listed).toMatchObject({ action: 'rollback_schema', job: 'orders-etl', expired: false });
  });

  it('approve executes once: rolls back the catalog, re-runs the job, audits who and why; a second approve is 409', async () => {
    const runsBefore = (await jobRuns(c, 'orders-etl')).length;
    const first = await call(
      apiEvent('POST', `/incidents/${ordersIncident}/approve`, {
        by: 'alice',
        note: 'upstream rename confirmed',
      }),
    );
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 'resolved',
      incident: { id: ordersIncident, status: 'resolved', action: 'rollback_schema' },
    });
    const table = await c.glue.getTable({ DatabaseName: 'sales', Name: 'orders' });
    expect(table.Table?.StorageDescriptor?.Columns).toEqual(GOOD_COLUMNS);
    expect((await jobRuns(c, 'orders-etl')).length).toBe(runsBefore + 1);

    const stored = await state().getIncident(ordersIncident);
    expect(stored?.approval?.verdict).toMatchObject({
      verdict: 'approved',
      by: `alice (${ALICE})`,
      note: 'upstream rename confirmed',
    });
    const records = await audit().read(ordersIncident);
    const approval = records.find((r) => r.step === 'approval');
    expect(approval?.data).toMatchObject({ verdict: 'approved', by: `alice (${ALICE})` });
    expect(records.at(-1)?.step).toBe('outcome');
    expect(await audit().verify(ordersIncident)).toMatchObject({ ok: true });

    const shown = await call(apiEvent('GET', `/incidents/${ordersIncident}`));
    expect(shown).toMatchObject({
      status: 200,
      body: { incident: { id: ordersIncident, status: 'resolved' } },
    });

    const second = await call(apiEvent('POST', `/incidents/${ordersIncident}/approve`, { by: 'bob' }));
    expect(second).toMatchObject({ status: 409, body: { code: 'E_APPROVAL' } });
    expect(second.body.error).toMatch(/is resolved, not awaiting approval/);
    expect((await jobRuns(c, 'orders-etl')).length).toBe(runsBefore + 1);
  });

  it('two approvers at once: exactly one executes, the other gets 409', async () => {
    const id = await pendingIncident('billing-etl', THROTTLING_LOG, 'ThrottlingException: Rate exceeded');
    const runsBefore = (await jobRuns(c, 'billing-etl')).length;
    const both = await Promise.all([
      call(apiEvent('POST', `/incidents/${id}/approve`, { by: 'alice' })),
      call(apiEvent('POST', `/incidents/${id}/approve`, { by: 'bob' })),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 200)?.body).toMatchObject({
      status: 'resolved',
      incident: { action: 'retry' },
    });
    expect((await jobRuns(c, 'billing-etl')).length).toBe(runsBefore + 1);
    expect((await audit().read(id)).filter((r) => r.step === 'approval').length).toBe(1);
  });

  it('reject ends the incident rejected, starts nothing, and audits who and why', async () => {
    const id = await pendingIncident('billing-etl', THROTTLING_LOG, 'ThrottlingException: Rate exceeded');
    const runsBefore = (await jobRuns(c, 'billing-etl')).length;
    const { status, body } = await call(
      apiEvent('POST', `/incidents/${id}/reject`, {
        by: 'alice',
        reason: 'the provider has an outage; re-run later',
      }),
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'rejected', incident: { id, status: 'rejected' } });
    expect((await jobRuns(c, 'billing-etl')).length).toBe(runsBefore);
    expect((await state().getIncident(id))?.approval?.verdict).toMatchObject({
      verdict: 'rejected',
      by: `alice (${ALICE})`,
      note: 'the provider has an outage; re-run later',
    });
    expect((await audit().read(id)).map((r) => r.step).slice(-2)).toEqual(['rejection', 'outcome']);
    const again = await call(apiEvent('POST', `/incidents/${id}/reject`, { by: 'alice', reason: 'twice' }));
    expect(again.status).toBe(409);
  });

  it('an expired approval is 410 and executes nothing; it can still be rejected', async () => {
    const id = await pendingIncident('billing-etl', THROTTLING_LOG, 'ThrottlingException: Rate exceeded');
    const runsBefore = (await jobRuns(c, 'billing-etl')).length;
    skewMs = 25 * 3_600_000;
    try {
      const listed = await call(apiEvent('GET', '/pending'));
      expect(
        (listed.body.incidents as { id: string; expired: boolean }[]).find((i) => i.id === id)?.expired,
      ).toBe(true);
      const approve = await call(apiEvent('POST', `/incidents/${id}/approve`, { by: 'alice' }));
      expect(approve).toMatchObject({ status: 410, body: { code: 'E_APPROVAL' } });
      expect(approve.body.error).toMatch(/expired at/);
      expect((await jobRuns(c, 'billing-etl')).length).toBe(runsBefore);
      expect((await state().getIncident(id))?.status).toBe('awaiting_approval');
      const reject = await call(
        apiEvent('POST', `/incidents/${id}/reject`, { by: 'alice', reason: 'expired' }),
      );
      expect(reject).toMatchObject({ status: 200, body: { status: 'rejected' } });
    } finally {
      skewMs = 0;
    }
  });

  it('decides again instead of executing when the input changed since the decision', async () => {
    const id = await pendingIncident('customers-etl', THROTTLING_LOG, 'ThrottlingException: Rate exceeded');
    const runsBefore = (await jobRuns(c, 'customers-etl')).length;
    await c.s3.putObject({
      Bucket: 'acme-raw',
      Key: 'customers/part-0001.csv',
      Body: ['customer_id,name', 'c-90,Late Arrival'].join('\n'),
    });
    const { status, body } = await call(apiEvent('POST', `/incidents/${id}/approve`, { by: 'alice' }));
    expect(status).toBe(200);
    expect(body.status).toBe('redecided');
    expect((body.diff as { fact: string }[]).map((d) => d.fact)).toContain('input customers fingerprint');
    expect((await jobRuns(c, 'customers-etl')).length).toBe(runsBefore);
    expect((await state().getIncident(id))?.status).toBe('awaiting_approval');
  });

  it('rejects malformed bodies and ids with 400, unknown incidents with 404', async () => {
    const id = await pendingIncident('billing-etl', THROTTLING_LOG, 'ThrottlingException: Rate exceeded');
    const cases: [ReturnType<typeof apiEvent>, number, RegExp][] = [
      [apiEvent('POST', `/incidents/${id}/approve`, {}), 400, /^by: /],
      [apiEvent('POST', `/incidents/${id}/approve`, { by: 'alice', extra: 1 }), 400, /Unrecognized key/],
      [apiEvent('POST', `/incidents/${id}/approve`, undefined, { raw: '{"by":' }), 400, /not JSON/],
      [apiEvent('POST', `/incidents/${id}/reject`, { by: 'alice' }), 400, /^reason: /],
      [apiEvent('POST', `/incidents/${id}/reject`, { by: 'alice', reason: '   ' }), 400, /^reason: /],
      [apiEvent('POST', '/incidents/..%2Fetc/approve', { by: 'alice' }), 400, /not an incident id/],
      [apiEvent('POST', '/incidents/inc-does-not-exist/approve', { by: 'alice' }), 404, /no incident/],
      [
        apiEvent('POST', '/incidents/inc-does-not-exist/reject', { by: 'a', reason: 'r' }),
        404,
        /no incident/,
      ],
      [apiEvent('DELETE' as 'GET', `/incidents/${id}/approve`), 404, /no route/],
    ];
    for (const [event, expected, message] of cases) {
      const { status, body } = await call(event);
      expect(status, `${event.httpMethod} ${event.path} ${event.body}`).toBe(expected);
      expect(body.error).toMatch(message);
    }
    expect((await state().getIncident(id))?.status).toBe('awaiting_approval');
  });

  it('refuses unsigned calls (401) and, with HEALER_APPROVER_ARNS, principals not on the list (403)', async () => {
    const id = await pendingIncident('billing-etl', THROTTLING_LOG, 'ThrottlingException: Rate exceeded');
    expect(
      await call(apiEvent('POST', `/incidents/${id}/approve`, { by: 'alice' }, { userArn: null })),
    ).toMatchObject({
      status: 401,
      body: { code: 'E_AUTH' },
    });
    expect((await call(apiEvent('GET', '/pending', undefined, { userArn: null }))).status).toBe(401);

    const guarded = makeApprovalHandler({
      environment: () => createAwsEnvironment({ ...parseLambdaEnv(env), clock }, { ...c }),
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      approvers: [ALICE],
    });
    const denied = await invoke(
      guarded,
      apiEvent('POST', `/incidents/${id}/reject`, { by: 'mallory', reason: 'no' }, { userArn: MALLORY }),
    );
    expect(denied).toMatchObject({ status: 403, body: { code: 'E_AUTH' } });
    expect((await state().getIncident(id))?.status).toBe('awaiting_approval');
    // A session of a listed role (SSO, AssumeRole) is that role.
    const viaRole = await invoke(
      makeApprovalHandler({
        environment: () => createAwsEnvironment({ ...parseLambdaEnv(env), clock }, { ...c }),
        logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
        approvers: ['arn:aws:iam::123456789012:role/oncall'],
      }),
      apiEvent(
        'POST',
        `/incidents/${id}/approve`,
        {},
        { userArn: 'arn:aws:sts::123456789012:assumed-role/oncall/carol' },
      ),
    );
    expect(viaRole.status).toBe(400); // let in (the empty body is what fails), not 403
    const allowed = await invoke(
      guarded,
      apiEvent('POST', `/incidents/${id}/reject`, { by: 'alice', reason: 'handled by hand' }),
    );
    expect(allowed).toMatchObject({ status: 200, body: { status: 'rejected' } });
  });

  it('the bundled approval Lambda (build/lambda/approval.mjs) answers GET /pending configured only from the environment', async () => {
    execFileSync(process.execPath, [resolve(ROOT, 'scripts/bundle-lambda.mjs')], { stdio: 'ignore' });
    const result = invokeBundled(
      moto.endpoint,
      'approval.mjs',
      apiEvent('GET', '/pending'),
      '{ awsRequestId: "req-1" }',
      env,
    ) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(200);
    const ids = (JSON.parse(result.body).incidents as { id: string }[]).map((i) => i.id);
    expect(ids.length).toBeGreaterThan(0);
    const pending = (await state().listIncidents(1000)).filter((i) => i.status === 'awaiting_approval');
    expect(ids.sort()).toEqual(pending.map((i) => i.id).sort());
  }, 120_000);
});

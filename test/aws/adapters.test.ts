// The AWS adapters one by one against a real moto_server: event translation, CloudWatch logs,
// the Glue catalog, the S3 audit log, the DynamoDB state store and the SNS notifier.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudwatchLogSource } from '../../src/adapters/aws/cloudwatch-log-source.js';
import { GlueCatalog, parseHiveType } from '../../src/adapters/aws/glue-catalog.js';
import { GlueEventTranslator, parseGlueEvent, runArguments } from '../../src/adapters/aws/glue-event.js';
import { S3AuditLog } from '../../src/adapters/aws/s3-audit-log.js';
import { SnsNotifier } from '../../src/adapters/aws/sns-notifier.js';
import { auditKeyring } from '../../src/core/audit-chain.js';
import type { Evidence } from '../../src/core/evidence.js';
import {
  ACCESS_DENIED_LOG,
  ANALYSIS_EXCEPTION_LOG,
  createDriftedTable,
  glueEvent,
  writeRunLog,
} from './fixtures.js';
import { type Moto, type MotoClients, motoClients, startMoto } from './moto.js';

let moto: Moto;
let c: MotoClients;

beforeAll(async () => {
  moto = await startMoto();
  c = motoClients(moto.endpoint);
  await c.glue.createDatabase({ DatabaseInput: { Name: 'sales' } });
  await c.glue.createJob({
    Name: 'orders-etl',
    Role: 'arn:aws:iam::123456789012:role/glue',
    Command: { Name: 'glueetl', ScriptLocation: 's3://scripts/orders_etl.py' },
    GlueVersion: '4.0',
  });
});
afterAll(async () => moto?.stop());

describe('glue-event', () => {
  it('turns a FAILED event into a FailureEvent with the arguments read by GetJobRun', async () => {
    const { JobRunId } = await c.glue.startJobRun({
      JobName: 'orders-etl',
      Arguments: { '--input_path': 's3://acme-raw/orders/', '--day': '2026-11-22' },
    });
    const event = glueEvent('orders-etl', JobRunId!, 'FAILED', 'AnalysisException: cannot resolve amount');
    const failure = await new GlueEventTranslator({ glue: c.glue }).translate(event);
    expect(failure).toMatchObject({
      source: 'glue',
      pipeline: 'orders-etl',
      job: 'orders-etl',
      runId: JobRunId,
      state: 'FAILED',
      attempt: 1, // Glue counts from 0
      occurredAt: '2026-11-22T10:14:10Z',
    });
    expect(runArguments(failure)).toEqual({ '--input_path': 's3://acme-raw/orders/', '--day': '2026-11-22' });
  });

  it('omits arguments too large to carry instead of cutting the JSON (then nothing re-runs blindly)', async () => {
    const big = { '--payload': 'x'.repeat(12_000) };
    const { JobRunId } = await c.glue.startJobRun({ JobName: 'orders-etl', Arguments: big });
    const failure = await new GlueEventTranslator({ glue: c.glue }).translate(
      glueEvent('orders-etl', JobRunId!, 'FAILED', 'x'),
    );
    expect(failure.details?.arguments).toBeUndefined();
    expect(failure.details?.argumentsOmitted).toMatch(/characters/);
    expect(runArguments(failure)).toBeUndefined();
  });

  it('rejects other sources, detail types, missing fields and unhandled states with E_EVENT', () => {
    const ok = glueEvent('j', 'jr_1', 'FAILED', 'x');
    expect(() => parseGlueEvent({ ...ok, source: 'aws.s3' })).toThrow(/source/);
    expect(() => parseGlueEvent({ ...ok, 'detail-type': 'Glue Crawler State Change' })).toThrow(
      /detail-type/,
    );
    expect(() => parseGlueEvent({ ...ok, detail: { ...ok.detail, jobRunId: undefined } })).toThrow(
      /detail\.jobRunId/,
    );
    expect(() => parseGlueEvent(glueEvent('j', 'jr_1', 'STOPPED', 'x'))).toThrow(/STOPPED.*not handled/);
    expect(() => parseGlueEvent('nope')).toThrow(expect.objectContaining({ code: 'E_EVENT' }));
    expect(parseGlueEvent(glueEvent('j', 'jr_1', 'TIMEOUT', 'x')).detail.state).toBe('TIMEOUT');
  });

  it('turns a GetJobRun for an unknown run into a NotFoundError', async () => {
    const translator = new GlueEventTranslator({ glue: c.glue });
    await expect(
      translator.translate(glueEvent('orders-etl', 'jr_missing', 'FAILED', 'x')),
    ).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
  });
});

describe('cloudwatch-log-source', () => {
  it('reads only the streams of the failed run, error group first', async () => {
    await writeRunLog(c, '/aws-glue/jobs/error', 'jr_aaa', ANALYSIS_EXCEPTION_LOG);
    await writeRunLog(c, '/aws-glue/jobs/error', 'jr_bbb', ACCESS_DENIED_LOG);
    await writeRunLog(c, '/aws-glue/jobs/output', 'jr_aaa', ['rows read: 1200']);
    const source = new CloudwatchLogSource({ client: c.logs });
    const event = { ...baseEvent, runId: 'jr_aaa' };
    const { text, truncated } = await source.fetchRunLog(event);
    expect(text).toContain('UNRESOLVED_COLUMN');
    expect(text).not.toContain('AccessDenied');
    expect(text.indexOf('/aws-glue/jobs/error')).toBeLessThan(text.indexOf('/aws-glue/jobs/output'));
    expect(truncated).toBe(false);
  });

  it('keeps the tail when the log is over its bound', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
    await writeRunLog(c, '/aws-glue/jobs/error', 'jr_big', lines);
    const source = new CloudwatchLogSource({ client: c.logs, maxChars: 1000 });
    const { text, truncated } = await source.fetchRunLog({ ...baseEvent, runId: 'jr_big' });
    expect(truncated).toBe(true);
    expect(text.length).toBeLessThanOrEqual(1000);
    expect(text).toContain('line 299');
    expect(text).not.toContain('line 0 ');
  });

  it('falls back to the event error message when no stream exists for the run', async () => {
    const source = new CloudwatchLogSource({ client: c.logs, logGroups: ['/aws-glue/jobs/absent'] });
    const { text } = await source.fetchRunLog({ ...baseEvent, runId: 'jr_none', errorMessage: 'boom' });
    expect(text).toBe('boom');
  });
});

describe('glue-catalog', () => {
  it('lists table versions oldest first with Hive types mapped and struct members as dotted paths', async () => {
    await createDriftedTable(c, 'sales', 'orders', 's3://acme-raw/orders/');
    const versions = await new GlueCatalog({ client: c.glue, database: 'sales' }).listSchemaVersions(
      'orders',
    );
    expect(versions.map((v) => v.version)).toEqual(['1', '2']);
    const [good, bad] = versions;
    expect(good!.fields.map((f) => `${f.path}:${f.type}`)).toEqual([
      'order_id:int64',
      'customer_id:string',
      'amount:double',
      'shipping:struct',
      'shipping.city:string',
      'shipping.zip:string',
    ]);
    expect(bad!.fields.find((f) => f.path === 'order_amount')?.type).toBe('string');
  });

  it('parses nested Hive types and rejects broken ones', () => {
    expect(parseHiveType('array<struct<a:int,b:map<string,bigint>>>').logical).toBe('list');
    const s = parseHiveType('struct<a:int,b:struct<c:decimal(10,2)>>');
    expect(s.members.map(([k, t]) => `${k}:${t.logical}`)).toEqual(['a:int32', 'b:struct']);
    expect(() => parseHiveType('struct<a:int')).toThrow(/cannot parse/);
  });

  it('reports a missing table as E_NOT_FOUND', async () => {
    await expect(
      new GlueCatalog({ client: c.glue, database: 'sales' }).listSchemaVersions('nope'),
    ).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});

describe('s3-audit-log', () => {
  it('appends a verifiable chain, never loses concurrent appends, and detects an edit', async () => {
    await c.s3.createBucket({ Bucket: 'healer-audit' });
    const audit = new S3AuditLog({
      s3: c.s3,
      bucket: 'healer-audit',
      keys: auditKeyring('test-audit-key-0123456789abcdef0123456789abcdef'),
    });
    const body = (i: number) => ({
      incidentId: 'inc-1',
      step: 'evidence' as const,
      at: new Date(Date.UTC(2026, 10, 22, 0, 0, i)).toISOString(),
      policyHash: 'p',
      guardHash: 'g',
      authorityHash: 'a',
      data: { i },
    });
    await audit.append(body(0));
    // Eight writers at once: conditional writes make every one land exactly once.
    await Promise.all(Array.from({ length: 8 }, (_, i) => audit.append(body(i + 1))));
    const records = await audit.read('inc-1');
    expect(records).toHaveLength(9);
    expect(new Set(records.map((r) => (r.data as { i: number }).i)).size).toBe(9);
    expect(await audit.verify('inc-1')).toMatchObject({ ok: true, records: 9, incidents: 1 });

    const got = await c.s3.getObject({ Bucket: 'healer-audit', Key: 'audit/inc-1.jsonl' });
    const edited = (await got.Body!.transformToString()).replace('"i":3', '"i":333');
    await c.s3.putObject({ Bucket: 'healer-audit', Key: 'audit/inc-1.jsonl', Body: edited });
    const verdict = await audit.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.problem).toMatch(/inc-1: hash does not match/);
  });
});

describe('sns-notifier', () => {
  it('publishes the evidence summary to the topic (read back through an SQS subscription)', async () => {
    const { TopicArn } = await c.sns.createTopic({ Name: 'healer-escalations' });
    const { QueueUrl } = await c.sqs.createQueue({ QueueName: 'escalations-inbox' });
    const attrs = await c.sqs.getQueueAttributes({ QueueUrl, AttributeNames: ['QueueArn'] });
    await c.sns.subscribe({ TopicArn, Protocol: 'sqs', Endpoint: attrs.Attributes!.QueueArn });
    // Secrets a Glue log leaks: none of them may reach the topic.
    const planted = ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'Tr0ub4dor3'];
    const evidence: Evidence = {
      event: { ...baseEvent, errorMessage: `AccessDenied for ${planted[0]}` },
      logs: [
        ...ACCESS_DENIED_LOG,
        `aws_secret_access_key=${planted[1]}`,
        `jdbc:mysql://db/x?password=${planted[2]}`,
      ].join('\n'),
      logsTruncated: false,
      datasets: [],
    };
    const steps = await new SnsNotifier({ sns: c.sns, topicArn: TopicArn! }).escalate({
      incidentId: 'inc-7',
      pipeline: 'orders-etl',
      job: 'orders-etl',
      runId: 'jr_7',
      summary: 'escalated: permission failure',
      reason: 'permission failures are never retried',
      evidence,
    });
    expect(steps).toEqual([expect.objectContaining({ name: 'sns_publish', status: 'applied' })]);
    const received = await c.sqs.receiveMessage({ QueueUrl, WaitTimeSeconds: 1 });
    const envelope = JSON.parse(received.Messages![0]!.Body!) as { Message: string; Subject: string };
    expect(envelope.Subject).toBe('healer: orders-etl needs a human');
    expect(envelope.Message).toContain('permission failures are never retried');
    expect(envelope.Message).toContain('AccessDenied');
    for (const secret of planted) expect(envelope.Message).not.toContain(secret);
    expect(envelope.Message).toContain('[REDACTED:aws_access_key_id]');
  });

  it('also POSTs the escalation to a webhook (a real local HTTP server) and reports each target', async () => {
    const received: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push(body);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const { TopicArn } = await c.sns.createTopic({ Name: 'healer-webhook-test' });
    try {
      const steps = await new SnsNotifier({
        sns: c.sns,
        topicArn: TopicArn!,
        webhookUrl: `http://127.0.0.1:${port}/hooks/healer`,
      }).escalate({
        incidentId: 'inc-w',
        pipeline: 'orders-etl',
        job: 'orders-etl',
        runId: 'jr_w',
        summary: 'escalated: schema drift on a protected dataset',
        reason: 'critical risk',
        evidence: { event: baseEvent, logs: '', logsTruncated: false, datasets: [] },
      });
      expect(steps.map((s) => `${s.name}:${s.status}`)).toEqual(['sns_publish:applied', 'webhook:applied']);
      expect(JSON.parse(received[0]!).text).toContain('critical risk');
    } finally {
      server.close();
    }
  });

  it('reports a failed publish as a failed step instead of throwing', async () => {
    const steps = await new SnsNotifier({
      sns: c.sns,
      topicArn: 'arn:aws:sns:us-east-1:123456789012:missing',
    }).escalate({
      incidentId: 'inc-8',
      pipeline: 'p',
      job: 'j',
      runId: 'r',
      summary: 's',
      reason: 'r',
      evidence: { event: baseEvent, logs: '', logsTruncated: false, datasets: [] },
    });
    expect(steps[0]).toMatchObject({ name: 'sns_publish', status: 'failed' });
  });
});

const baseEvent = {
  id: 'evt-1',
  source: 'glue',
  pipeline: 'orders-etl',
  job: 'orders-etl',
  runId: 'jr_x',
  state: 'FAILED' as const,
  occurredAt: '2026-11-22T10:14:10Z',
};

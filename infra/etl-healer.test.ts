// Template assertions on the synthesized EtlHealer stack: the rule pattern, encryption and public
// access, the DLQ and alarm, the tables' TTL, and IAM scoped to the named jobs, tables and groups.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { EtlHealer } from './etl-healer.js';

let template: Template;

beforeAll(() => {
  // The template does not depend on the code's content; a one-file asset keeps synthesis fast
  // (the real bundle is built by scripts/bundle-lambda.mjs for `cdk synth`/`deploy`).
  const codeDir = mkdtempSync(join(tmpdir(), 'healer-cdk-'));
  writeFileSync(join(codeDir, 'index.mjs'), 'export const handler = async () => ({});\n');
  const app = new App();
  const stack = new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'us-east-1' } });
  new EtlHealer(stack, 'Healer', {
    jobNames: ['orders-etl', 'customers-etl'],
    database: 'sales',
    tables: [{ database: 'sales', table: 'orders' }],
    dataBucketNames: ['acme-raw'],
    mode: 'supervised',
    code: lambda.Code.fromAsset(codeDir),
  });
  template = Template.fromStack(stack);
});

/** Every IAM statement of every policy in the template. */
function statements(): { Sid?: string; Action: string | string[]; Resource: unknown }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties.PolicyDocument.Statement,
  );
}

describe('EtlHealer', () => {
  it('routes only FAILED and TIMEOUT state changes of the named Glue jobs to the Lambda, with a DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.glue'],
        'detail-type': ['Glue Job State Change'],
        detail: { state: ['FAILED', 'TIMEOUT'], jobName: ['orders-etl', 'customers-etl'] },
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
  });

  it('runs the Lambda on Node 20 with a dead-letter queue and an error alarm that notifies the topic', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs20.x',
      DeadLetterConfig: { TargetArn: Match.anyValue() },
      Environment: {
        Variables: Match.objectLike({ HEALER_MODE: 'supervised', HEALER_GLUE_DATABASE: 'sales' }),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Threshold: 1,
      AlarmActions: [Match.objectLike({ Ref: Match.stringLikeRegexp('EscalationTopic') })],
    });
  });

  it('keeps audit and quarantine in an encrypted, versioned bucket with public access blocked and SSL enforced', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({})] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('creates the state and idempotency tables with TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });

  it('ships the remediation script as a Glue job', () => {
    template.hasResourceProperties('AWS::Glue::Job', {
      Command: { Name: 'glueetl', ScriptLocation: Match.stringLikeRegexp('^s3://.*\\.py$') },
      GlueVersion: '4.0',
    });
  });

  it('grants Glue and Logs actions only on named resources, never on *', () => {
    const all = statements();
    const glueOrLogs = all.filter((s) => [s.Action].flat().some((a) => /^(glue|logs):/.test(a)));
    expect(glueOrLogs.length).toBeGreaterThan(0);
    for (const s of glueOrLogs) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
    const bySid = Object.fromEntries(all.filter((s) => s.Sid).map((s) => [s.Sid!, s]));
    expect(bySid.ReadGlueRunLogs?.Action).toEqual(['logs:DescribeLogStreams', 'logs:FilterLogEvents']);
    expect(JSON.stringify(bySid.ReadGlueRunLogs?.Resource)).toContain('log-group:/aws-glue/jobs/error:*');
    expect(bySid.RerunNamedJobs?.Action).toBe('glue:StartJobRun');
    const rerun = JSON.stringify(bySid.RerunNamedJobs?.Resource);
    expect(rerun).toContain(':job/orders-etl');
    expect(rerun).toContain(':job/customers-etl');
    expect(rerun).toContain('healer-remediate');
    expect(bySid.RollbackNamedTables?.Action).toBe('glue:UpdateTable');
    expect(JSON.stringify(bySid.RollbackNamedTables?.Resource)).toContain(':table/sales/orders');
    expect(bySid.ReadCatalogTables?.Action).toEqual(['glue:GetTable', 'glue:GetTableVersions']);
    // No wildcard Glue actions anywhere in the Lambda's policies.
    expect(glueOrLogs.flatMap((s) => [s.Action].flat()).filter((a) => a.endsWith('*'))).toEqual([]);
  });

  it("lets scale_resources read the watched jobs' capacity and nothing else", () => {
    const bySid = Object.fromEntries(
      statements()
        .filter((s) => s.Sid)
        .map((s) => [s.Sid!, s]),
    );
    expect(bySid.ReadJobCapacity?.Action).toBe('glue:GetJob');
    const jobs = JSON.stringify(bySid.ReadJobCapacity?.Resource);
    expect(jobs).toContain(':job/orders-etl');
    expect(jobs).toContain(':job/customers-etl');
    expect(jobs).not.toContain('healer-remediate');
  });

  it('lets defer create schedules only in its group, pass only the scheduler role, which starts only the watched jobs', () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'TestStack-healer-defer' });
    const bySid = Object.fromEntries(
      statements()
        .filter((s) => s.Sid)
        .map((s) => [s.Sid!, s]),
    );
    expect(bySid.ScheduleDeferredRuns?.Action).toBe('scheduler:CreateSchedule');
    expect(JSON.stringify(bySid.ScheduleDeferredRuns?.Resource)).toContain(
      ':schedule/TestStack-healer-defer/healer-defer-*',
    );
    expect(bySid.PassSchedulerRole?.Action).toBe('iam:PassRole');
    expect(bySid.PassSchedulerRole).toMatchObject({
      Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    });
    // The one role passed is the one EventBridge Scheduler assumes, and it only starts the watched jobs.
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
        },
      },
    });
    const [roleId] = Object.keys(roles);
    expect(Object.keys(roles)).toHaveLength(1);
    expect(bySid.PassSchedulerRole?.Resource).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(bySid.StartDeferredRuns?.Action).toBe('glue:StartJobRun');
    const started = JSON.stringify(bySid.StartDeferredRuns?.Resource);
    expect(started).toContain(':job/orders-etl');
    expect(started).not.toContain('healer-remediate');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          HEALER_SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [roleId, 'Arn'] },
          HEALER_SCHEDULE_GROUP: 'TestStack-healer-defer',
        }),
      },
    });
    // No scheduler or PassRole action on *.
    for (const s of statements().filter((x) => [x.Action].flat().some((a) => /^(scheduler|iam):/.test(a))))
      expect(JSON.stringify(s.Resource)).not.toBe('"*"');
  });
});

// The AWS composition root: Glue, CloudWatch Logs, S3, SNS and DynamoDB adapters, the DuckDB data
// engine behind the S3 sampler, and the policy (an s3:// artifact, else the rule policy).

import { CloudWatchLogs } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Glue } from '@aws-sdk/client-glue';
import { S3 } from '@aws-sdk/client-s3';
import { Scheduler } from '@aws-sdk/client-scheduler';
import { SNS } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CloudwatchLogSource } from '../adapters/aws/cloudwatch-log-source.js';
import {
  ConfigPipelineRegistry,
  loadPipelineRegistryConfig,
} from '../adapters/aws/config-pipeline-registry.js';
import { DynamodbStateStore } from '../adapters/aws/dynamodb-state-store.js';
import { GlueCatalog } from '../adapters/aws/glue-catalog.js';
import { GlueRemediator } from '../adapters/aws/glue-remediator.js';
import type { LambdaEnv } from '../adapters/aws/lambda-config.js';
import { S3AuditLog } from '../adapters/aws/s3-audit-log.js';
import { S3DataSampler } from '../adapters/aws/s3-data-sampler.js';
import { parseS3Uri } from '../adapters/aws/s3-uri.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import { SystemClock } from '../adapters/aws/system-clock.js';
import { DuckdbDataEngine } from '../adapters/duckdb/duckdb-data-engine.js';
import { auditKeyring } from '../core/audit-chain.js';
import { PolicyArtifactError } from '../core/errors.js';
import { parsePolicyArtifact } from '../core/policy/artifact.js';
import type { Policy } from '../core/policy/policy.js';
import { QLearningPolicy } from '../core/policy/q-learning.js';
import { RulePolicy } from '../core/policy/rule-policy.js';
import type { Clock, Environment } from '../ports.js';

/** The AWS clients the environment uses; each defaults to one built from the standard SDK config. */
export interface AwsClients {
  glue?: Glue;
  logs?: CloudWatchLogs;
  s3?: S3;
  sns?: SNS;
  dynamodb?: DynamoDBDocumentClient;
  /** EventBridge Scheduler: deferred reruns (`defer`). */
  scheduler?: Scheduler;
}

export type AwsEnvironmentConfig = LambdaEnv & {
  /** Injected clock (tests); defaults to the system clock. */
  clock?: Clock;
};

/** An Environment plus the pieces the Lambda handler needs beyond the ports. */
export interface AwsEnvironment extends Environment {
  name: 'aws';
  clients: Required<AwsClients>;
}

/**
 * Builds the AWS environment. Endpoints come from the SDK's standard configuration
 * (`AWS_ENDPOINT_URL`, `AWS_REGION`), so the same code runs against AWS and against moto.
 *
 * @example
 * const env = await createAwsEnvironment(parseLambdaEnv(process.env));
 * await handleIncident(event, env);
 */
export async function createAwsEnvironment(
  config: AwsEnvironmentConfig,
  clients: AwsClients = {},
): Promise<AwsEnvironment> {
  const c: Required<AwsClients> = {
    glue: clients.glue ?? new Glue({}),
    logs: clients.logs ?? new CloudWatchLogs({}),
    s3: clients.s3 ?? new S3({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) }),
    sns: clients.sns ?? new SNS({}),
    dynamodb:
      clients.dynamodb ??
      DynamoDBDocumentClient.from(new DynamoDBClient({}), {
        marshallOptions: { removeUndefinedValues: true },
      }),
    scheduler: clients.scheduler ?? new Scheduler({}),
  };
  const clock = config.clock ?? new SystemClock();
  const registryConfig = await loadPipelineRegistryConfig({
    json: config.HEALER_PIPELINES,
    uri: config.HEALER_PIPELINES_URI,
    s3: c.s3,
  });
  const pipelines = new ConfigPipelineRegistry(registryConfig, config.HEALER_MODE);
  const tables = pipelines.tables();
  const logGroups = config.HEALER_LOG_GROUPS?.split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  return {
    name: 'aws',
    clients: c,
    pipelines,
    logs: new CloudwatchLogSource({ client: c.logs, logGroups }),
    catalog: new GlueCatalog({ client: c.glue, database: config.HEALER_GLUE_DATABASE, tables }),
    data: new S3DataSampler({
      s3: c.s3,
      engine: new DuckdbDataEngine(),
      sampleRows: config.HEALER_SAMPLE_ROWS,
    }),
    remediator: new GlueRemediator({
      glue: c.glue,
      s3: c.s3,
      clock,
      database: config.HEALER_GLUE_DATABASE,
      tables,
      remediationJobName: config.HEALER_REMEDIATION_JOB,
      quarantineUri: config.HEALER_QUARANTINE_URI,
      pollIntervalMs: config.HEALER_POLL_INTERVAL_MS,
      pollTimeoutMs: config.HEALER_POLL_TIMEOUT_MS,
      scheduler: c.scheduler,
      schedulerRoleArn: config.HEALER_SCHEDULER_ROLE_ARN,
      scheduleGroup: config.HEALER_SCHEDULE_GROUP,
      deferBaseSeconds: config.HEALER_DEFER_BASE_SECONDS,
    }),
    notifier: new SnsNotifier({
      sns: c.sns,
      topicArn: config.HEALER_ESCALATION_TOPIC_ARN,
      webhookUrl: config.HEALER_WEBHOOK_URL,
      approvalApiUrl: config.HEALER_APPROVAL_API_URL,
    }),
    audit: new S3AuditLog({
      s3: c.s3,
      bucket: config.HEALER_AUDIT_BUCKET,
      keys: auditKeyring(
        config.HEALER_AUDIT_KEY,
        (config.HEALER_AUDIT_KEY_PREVIOUS ?? '').split(',').filter((k) => k.trim() !== ''),
      ),
      ...(config.HEALER_AUDIT_ANCHOR_BUCKET ? { anchorBucket: config.HEALER_AUDIT_ANCHOR_BUCKET } : {}),
    }),
    state: new DynamodbStateStore({ client: c.dynamodb, tableName: config.HEALER_STATE_TABLE }),
    clock,
    policy: await loadPolicy(config.HEALER_POLICY_URI, c.s3),
  };
}

/** The Q-learning artifact at `uri` (hash-checked), else the hand-written rule policy. */
export async function loadPolicy(uri: string | undefined, s3: Pick<S3, 'getObject'>): Promise<Policy> {
  if (!uri) return new RulePolicy();
  const { bucket, key } = parseS3Uri(uri, 'HEALER_POLICY_URI');
  let text: string;
  try {
    const got = await s3.getObject({ Bucket: bucket, Key: key });
    text = (await got.Body?.transformToString()) ?? '';
  } catch (error) {
    throw new PolicyArtifactError(`${uri}: cannot read the policy artifact: ${String(error)}`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PolicyArtifactError(`${uri}: not valid JSON`);
  }
  return QLearningPolicy.fromArtifact(parsePolicyArtifact(json, uri));
}

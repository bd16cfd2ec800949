// The `EtlHealer` CDK construct: EventBridge rule on Glue job failures → the healer Lambda (DLQ,
// error alarm) with its S3 bucket (audit, quarantine), DynamoDB tables (state, idempotency), SNS
// escalation topic, the remediation Glue job, the approval API (infra/approval-api.ts), and
// least-privilege IAM scoped to named resources.

import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HealerApprovalApi } from './approval-api.js';
import { DeferScheduler } from './defer-scheduler.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A Glue Data Catalog table healer may read and roll back. */
export interface HealerTable {
  database: string;
  table: string;
}

export interface EtlHealerProps {
  /** Glue jobs healer watches and may re-run. Nothing else is ever started. */
  jobNames: string[];
  /** Catalog tables healer reads (GetTable, GetTableVersions) and may roll back (UpdateTable). */
  tables: HealerTable[];
  /** Default Glue database for dataset names without a `db.` prefix. */
  database: string;
  /** Buckets holding job inputs, read (bounded samples) by the Lambda and by the remediation job. */
  dataBucketNames?: string[];
  /** Deployment-wide mode ceiling. Default `shadow`: decide and record, never execute. */
  mode?: 'shadow' | 'supervised' | 'autonomous';
  /** Pipeline registry JSON (datasets, contracts, authority per job); see docs/aws.md. */
  pipelines?: unknown;
  /** s3:// URI of a Q-learning policy artifact; the rule policy when absent. */
  policyUri?: string;
  /** Slack/PagerDuty webhook for escalations. */
  webhookUrl?: string;
  /** Lambda code; defaults to the esbuild bundle in build/lambda (scripts/bundle-lambda.mjs). */
  code?: lambda.Code;
  /** Lambda runtime. Default Node.js 20 (the bundle targets node20; newer runtimes run it too). */
  runtime?: lambda.Runtime;
  /** The PySpark remediation script; defaults to remediation/glue_remediate.py. */
  remediationScriptPath?: string;
  /**
   * The approval API (API Gateway + Lambda, IAM auth) for supervised incidents. Default on; `false`
   * leaves it out. `approverArns` narrows who may approve beyond the IAM grant (docs/aws.md).
   */
  approvalApi?: false | { approverArns?: string[]; stageName?: string };
}

/**
 * Deploys healer for a set of Glue jobs.
 *
 * @example
 * new EtlHealer(stack, 'Healer', { jobNames: ['orders-etl'], database: 'sales', tables: [{ database: 'sales', table: 'orders' }] });
 */
export class EtlHealer extends Construct {
  readonly bucket: s3.Bucket;
  readonly stateTable: dynamodb.Table;
  readonly idempotencyTable: dynamodb.Table;
  readonly topic: sns.Topic;
  readonly deadLetterQueue: sqs.Queue;
  readonly function: lambda.Function;
  readonly errorAlarm: cloudwatch.Alarm;
  readonly rule: events.Rule;
  readonly remediationJob: glue.CfnJob;
  /** Schedule group and role of deferred reruns (`defer`). */
  readonly deferScheduler: DeferScheduler;
  /** The approval API, unless `approvalApi: false`. */
  readonly approvalApi?: HealerApprovalApi;

  constructor(scope: Construct, id: string, props: EtlHealerProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.stateTable = new dynamodb.Table(this, 'StateTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.idempotencyTable = new dynamodb.Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiration',
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.topic = new sns.Topic(this, 'EscalationTopic', {
      displayName: 'healer escalations',
      enforceSSL: true,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    // The remediation job: the shipped PySpark script, reading inputs and writing under the bucket.
    const script = new s3assets.Asset(this, 'RemediationScript', {
      path: props.remediationScriptPath ?? resolve(ROOT, 'remediation/glue_remediate.py'),
    });
    const glueRole = new iam.Role(this, 'RemediationJobRole', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSGlueServiceRole')],
    });
    script.grantRead(glueRole);
    this.bucket.grantReadWrite(glueRole, 'remediated/*');
    this.bucket.grantReadWrite(glueRole, 'quarantine/*');
    for (const name of props.dataBucketNames ?? [])
      s3.Bucket.fromBucketName(this, `GlueData-${name}`, name).grantRead(glueRole);
    this.remediationJob = new glue.CfnJob(this, 'RemediationJob', {
      name: `${stack.stackName}-healer-remediate`.slice(0, 255),
      role: glueRole.roleArn,
      glueVersion: '4.0',
      workerType: 'G.1X',
      numberOfWorkers: 2,
      timeout: 60,
      maxRetries: 0,
      command: { name: 'glueetl', pythonVersion: '3', scriptLocation: script.s3ObjectUrl },
      defaultArguments: { '--job-language': 'python', '--enable-continuous-cloudwatch-log': 'true' },
      executionProperty: { maxConcurrentRuns: 5 },
    });
    const remediationJobName = this.remediationJob.name!;

    // The audit's HMAC key lives outside the audit bucket, generated at deploy time.
    const auditKey = new secretsmanager.Secret(this, 'AuditKey', {
      description: 'healer audit signing key (HMAC); rotate per docs/crash-safety.md',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    // One source of truth for the configuration both Lambdas run with: the approval Lambda re-runs
    // the incident Lambda's approve flow, so it must see every one of these variables too.
    const sharedEnvironment: Record<string, string> = {
      HEALER_AUDIT_BUCKET: this.bucket.bucketName,
      HEALER_AUDIT_KEY: auditKey.secretValue.unsafeUnwrap(),
      HEALER_STATE_TABLE: this.stateTable.tableName,
      HEALER_IDEMPOTENCY_TABLE: this.idempotencyTable.tableName,
      HEALER_ESCALATION_TOPIC_ARN: this.topic.topicArn,
      HEALER_GLUE_DATABASE: props.database,
      HEALER_MODE: props.mode ?? 'shadow',
      HEALER_REMEDIATION_JOB: remediationJobName,
      HEALER_QUARANTINE_URI: `s3://${this.bucket.bucketName}/`,
      // coerce/quarantine wait for two runs (remediation, then the re-run): both fit in 15 min.
      HEALER_POLL_TIMEOUT_MS: String(6 * 60_000),
      ...(props.pipelines ? { HEALER_PIPELINES: JSON.stringify(props.pipelines) } : {}),
      ...(props.policyUri ? { HEALER_POLICY_URI: props.policyUri } : {}),
      ...(props.webhookUrl ? { HEALER_WEBHOOK_URL: props.webhookUrl } : {}),
    };
    this.function = new lambda.Function(this, 'Function', {
      runtime: props.runtime ?? lambda.Runtime.NODEJS_20_X,
      architecture: lambda.Architecture.X86_64,
      handler: 'index.handler',
      code: props.code ?? lambda.Code.fromAsset(resolve(ROOT, 'build/lambda')),
      memorySize: 1024,
      timeout: Duration.minutes(15),
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 2,
      environment: {
        ...sharedEnvironment,
        POWERTOOLS_SERVICE_NAME: 'etl-healer',
      },
    });

    // Evidence, read-only: the run's logs, the run, the catalog tables, the inputs.
    const fn = this.function;
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadGlueRunLogs',
        actions: ['logs:DescribeLogStreams', 'logs:FilterLogEvents'],
        resources: ['/aws-glue/jobs/error', '/aws-glue/jobs/output'].map((g) =>
          stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: `${g}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      }),
    );
    const jobArns = [...props.jobNames, remediationJobName].map((name) =>
      stack.formatArn({ service: 'glue', resource: 'job', resourceName: name }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ReadGlueRuns', actions: ['glue:GetJobRun'], resources: jobArns }),
    );
    const catalogArns = [
      stack.formatArn({ service: 'glue', resource: 'catalog' }),
      ...[...new Set(props.tables.map((t) => t.database))].map((db) =>
        stack.formatArn({ service: 'glue', resource: 'database', resourceName: db }),
      ),
      ...props.tables.map((t) =>
        stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${t.database}/${t.table}` }),
      ),
    ];
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadCatalogTables',
        actions: ['glue:GetTable', 'glue:GetTableVersions'],
        resources: catalogArns,
      }),
    );
    for (const name of props.dataBucketNames ?? [])
      s3.Bucket.fromBucketName(this, `LambdaData-${name}`, name).grantRead(fn);

    // Remediation: only the named Glue actions on the named jobs and tables.
    fn.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'RerunNamedJobs', actions: ['glue:StartJobRun'], resources: jobArns }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RollbackNamedTables',
        actions: ['glue:UpdateTable'],
        resources: catalogArns,
      }),
    );

    // Resources: `scale_resources` reads the watched jobs' capacity (GetJob) and re-runs them with
    // NumberOfWorkers/WorkerType overrides through RerunNamedJobs; `defer` schedules reruns of the
    // watched jobs only (never the remediation job).
    const watchedJobArns = props.jobNames.map((name) =>
      stack.formatArn({ service: 'glue', resource: 'job', resourceName: name }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadJobCapacity',
        actions: ['glue:GetJob'],
        resources: watchedJobArns,
      }),
    );
    this.deferScheduler = new DeferScheduler(this, 'DeferScheduler', { fn, jobArns: watchedJobArns });

    // Healer's own state and outputs.
    this.bucket.grantReadWrite(fn, 'audit/*');
    // Anchored audit heads: read and (over)write, never delete; with bucket versioning every
    // earlier head stays recoverable.
    this.bucket.grantRead(fn, 'audit-head/*');
    this.bucket.grantPut(fn, 'audit-head/*');
    this.bucket.grantRead(fn, 'remediated/*');
    this.stateTable.grantReadWriteData(fn);
    this.idempotencyTable.grantReadWriteData(fn);
    this.topic.grantPublish(fn);
    if (props.policyUri?.startsWith('s3://')) {
      const [bucket, ...key] = props.policyUri.slice(5).split('/');
      s3.Bucket.fromBucketName(this, 'PolicyBucket', bucket!).grantRead(fn, key.join('/'));
    }

    this.errorAlarm = new cloudwatch.Alarm(this, 'ErrorAlarm', {
      alarmDescription: 'healer Lambda failed to handle a Glue job failure (see the DLQ)',
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.errorAlarm.addAlarmAction(new cwActions.SnsAction(this.topic));

    if (props.approvalApi !== false) {
      // The approval Lambda runs the same approve flow, hence the same configuration and role.
      this.approvalApi = new HealerApprovalApi(this, 'ApprovalApi', {
        role: fn.role!,
        code: props.code ?? lambda.Code.fromAsset(resolve(ROOT, 'build/lambda')),
        runtime: props.runtime ?? lambda.Runtime.NODEJS_20_X,
        ...(props.approvalApi?.approverArns ? { approverArns: props.approvalApi.approverArns } : {}),
        ...(props.approvalApi?.stageName ? { stageName: props.approvalApi.stageName } : {}),
        environment: {
          ...sharedEnvironment,
          // Approving a deferral schedules its rerun like the incident Lambda does.
          HEALER_SCHEDULER_ROLE_ARN: this.deferScheduler.role.roleArn,
          HEALER_SCHEDULE_GROUP: this.deferScheduler.groupName,
        },
      });
      // Approval requests on SNS print the API's URL and the calls to make.
      fn.addEnvironment('HEALER_APPROVAL_API_URL', this.approvalApi.url);
    }

    this.rule = new events.Rule(this, 'GlueFailureRule', {
      description: 'Glue job FAILED or TIMEOUT → healer',
      eventPattern: {
        source: ['aws.glue'],
        detailType: ['Glue Job State Change'],
        detail: { state: ['FAILED', 'TIMEOUT'], jobName: props.jobNames },
      },
      targets: [
        new targets.LambdaFunction(fn, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 4,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
  }
}

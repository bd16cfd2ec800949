/**
 * The AWS runtime: Glue, CloudWatch Logs, Glue Data Catalog, S3, SNS, DynamoDB and EventBridge
 * Scheduler adapters, the Lambda handler and the approval API handler (`etl-healer/aws`).
 *
 * @module adapters/aws
 */

export * from './approval-api.js';
export * from './aws-errors.js';
export * from './cloudwatch-log-source.js';
export * from './config-pipeline-registry.js';
export * from './dynamodb-state-store.js';
export * from './glue-actions/defer.js';
export * from './glue-actions/scale-resources.js';
export * from './glue-catalog.js';
export * from './glue-event.js';
export * from './glue-remediator.js';
export * from './lambda.js';
export * from './lambda-config.js';
export * from './s3-audit-log.js';
export * from './s3-data-sampler.js';
export * from './s3-uri.js';
export * from './sns-notifier.js';
export * from './system-clock.js';

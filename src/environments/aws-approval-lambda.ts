// The approval Lambda's composition root (`approval.handler` in the bundle): the AWS environment
// from the same environment variables as the incident Lambda, behind the approval API handler.

import { Logger } from '@aws-lambda-powertools/logger';
import { type ApprovalApiDeps, makeApprovalHandler } from '../adapters/aws/approval-api.js';
import { parseLambdaEnv } from '../adapters/aws/lambda-config.js';
import { type AwsClients, createAwsEnvironment } from './aws-environment.js';

/**
 * Deps from environment variables (validated with zod) and the standard SDK configuration.
 *
 * @example
 * const handler = makeApprovalHandler(approvalDeps(process.env));
 */
export function approvalDeps(
  env: Record<string, string | undefined>,
  clients: AwsClients = {},
): ApprovalApiDeps {
  const config = parseLambdaEnv(env);
  const approvers = config.HEALER_APPROVER_ARNS?.split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  return {
    environment: () => createAwsEnvironment(config, clients),
    logger: new Logger({ serviceName: 'etl-healer-approvals' }),
    ...(approvers && approvers.length > 0 ? { approvers } : {}),
  };
}

let cached: ReturnType<typeof makeApprovalHandler> | undefined;

/** The deployed entry point. Configured only from the environment. */
export const handler: ReturnType<typeof makeApprovalHandler> = (event, context) => {
  cached ??= makeApprovalHandler(approvalDeps(process.env));
  return cached(event, context);
};

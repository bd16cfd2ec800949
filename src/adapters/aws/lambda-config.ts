// The Lambda's configuration: environment variables only, validated with zod, one line per error.

import { z } from 'zod';
import { MODES } from '../../core/authority.js';
import { ConfigError } from '../../core/errors.js';

const s3Uri = z
  .string()
  .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'must be an s3://bucket/key URI');
const positiveInt = z.coerce.number().int().positive();

/** Every environment variable the Lambda reads. Documented in docs/aws.md. */
export const lambdaEnvSchema = z.object({
  HEALER_AUDIT_BUCKET: z.string().min(3),
  /** HMAC key that signs audit records and heads (32+ characters; keep it out of the audit bucket). */
  HEALER_AUDIT_KEY: z.string().min(32, 'must be at least 32 characters (32 random bytes, hex)'),
  /** Retired audit keys, comma-separated, still accepted when verifying older records. */
  HEALER_AUDIT_KEY_PREVIOUS: z.string().optional(),
  /** Bucket of the anchored audit heads (versioned or object-locked); default the audit bucket. */
  HEALER_AUDIT_ANCHOR_BUCKET: z.string().min(3).optional(),
  HEALER_STATE_TABLE: z.string().min(3),
  HEALER_IDEMPOTENCY_TABLE: z.string().min(3),
  HEALER_ESCALATION_TOPIC_ARN: z.string().startsWith('arn:'),
  HEALER_GLUE_DATABASE: z.string().min(1),
  HEALER_MODE: z.enum(MODES).default('shadow'),
  HEALER_REMEDIATION_JOB: z.string().min(1).optional(),
  HEALER_QUARANTINE_URI: s3Uri.optional(),
  HEALER_POLICY_URI: s3Uri.optional(),
  HEALER_PIPELINES: z.string().min(2).optional(),
  HEALER_PIPELINES_URI: s3Uri.optional(),
  HEALER_WEBHOOK_URL: z.string().url().optional(),
  HEALER_LOG_GROUPS: z.string().optional(),
  HEALER_POLL_INTERVAL_MS: positiveInt.default(15_000),
  HEALER_POLL_TIMEOUT_MS: positiveInt.default(600_000),
  HEALER_SAMPLE_ROWS: positiveInt.default(100_000),
  /** Role EventBridge Scheduler assumes to start a deferred rerun; without it `defer` waits in the Lambda. */
  HEALER_SCHEDULER_ROLE_ARN: z.string().startsWith('arn:').optional(),
  /** Schedule group of deferred reruns (default `default`). */
  HEALER_SCHEDULE_GROUP: z.string().min(1).optional(),
  /** First `defer` delay in seconds, doubled for each deferral of a run chain. */
  HEALER_DEFER_BASE_SECONDS: positiveInt.default(60),
  /** Base URL of the approval API; approval requests sent to SNS print it with the calls to make. */
  HEALER_APPROVAL_API_URL: z.string().url().optional(),
  /**
   * The approval API only: IAM principal ARNs (comma-separated) allowed to approve or reject, on top
   * of the API's IAM auth; any principal the API lets in when unset.
   */
  HEALER_APPROVER_ARNS: z.string().optional(),
});
export type LambdaEnv = z.infer<typeof lambdaEnvSchema>;

/** Reads and validates the environment; the error names the variable. */
export function parseLambdaEnv(env: Record<string, string | undefined>): LambdaEnv {
  // Empty values behave as unset: CloudFormation cannot omit a variable conditionally.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = lambdaEnvSchema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue?.path.join('.') || '(environment)';
    throw new ConfigError(`environment variable ${key}: ${issue?.message ?? 'invalid'}`, {
      context: { key },
    });
  }
  if (result.data.HEALER_PIPELINES && result.data.HEALER_PIPELINES_URI)
    throw new ConfigError('set HEALER_PIPELINES or HEALER_PIPELINES_URI, not both');
  return result.data;
}

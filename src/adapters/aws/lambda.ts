// The Lambda entry point: an EventBridge `Glue Job State Change` event in, one incident out. It
// only translates (zod parse, GetJobRun) and calls `handleIncident`; Powertools idempotency on
// DynamoDB, keyed on detail.jobRunId + detail.state, makes the same event delivered twice act once,
// and the agent's own claim (leased for this invocation's lifetime) makes a redelivery after a
// failure or a dead invocation reconcile instead of acting twice or being dropped.

import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { eventClaimKey, handleIncident } from '../../agent.js';
import { HealerError, oneLine } from '../../core/errors.js';
import type { FailureEvent } from '../../core/event.js';
import { redact } from '../../core/redact.js';
import type { AwsClients } from '../../environments/aws-environment.js';
import type { Environment } from '../../ports.js';
import { GlueEventTranslator, parseGlueEvent } from './glue-event.js';
import { parseLambdaEnv } from './lambda-config.js';

/** What the handler returns (and Powertools stores for duplicates). Small and JSON-safe. */
export interface LambdaResult {
  incidentId?: string;
  jobRunId: string;
  state: string;
  status:
    | 'resolved'
    | 'escalated'
    | 'recorded'
    | 'awaiting_approval'
    | 'rejected'
    | 'failed'
    | 'duplicate'
    | 'observed';
  action?: string;
  summary: string;
}

/** Everything the handler needs, injected so tests build it against moto. */
export interface LambdaDeps {
  /** Built once per container and reused. */
  environment: () => Promise<Environment>;
  translate: (event: unknown) => Promise<FailureEvent>;
  persistenceStore: BasePersistenceLayer;
  logger: Logger;
  /** How long a handled event key is remembered. Default 24 h (EventBridge retries for up to 24 h). */
  idempotencyExpirySeconds?: number;
}

/**
 * Builds the Lambda handler from its deps.
 *
 * @example
 * export const handler = makeHandler(defaultDeps(process.env));
 */
export function makeHandler(deps: LambdaDeps) {
  let environment: Promise<Environment> | undefined;
  const config = new IdempotencyConfig({
    eventKeyJmesPath: '[detail.jobRunId, detail.state]',
    expiresAfterSeconds: deps.idempotencyExpirySeconds ?? 86_400,
    throwOnNoIdempotencyKey: true,
  });

  const handleOnce = makeIdempotent(
    async (event: unknown, context: Context): Promise<LambdaResult> => {
      const failure = await deps.translate(event);
      if (failure.state === 'SUCCEEDED') {
        deps.logger.info('run succeeded; nothing to heal', { jobRunId: failure.runId });
        return {
          jobRunId: failure.runId,
          state: failure.state,
          status: 'observed',
          summary: 'run succeeded',
        };
      }
      environment ??= deps.environment();
      const env = await environment;
      const claimKey = eventClaimKey(failure);
      let incident: Awaited<ReturnType<typeof handleIncident>>;
      try {
        // The claim lasts as long as this invocation can: if it dies before acting, the
        // redelivery after its timeout takes the claim over instead of calling it a duplicate.
        incident = await handleIncident(failure, env, { claimLeaseMs: context.getRemainingTimeInMillis() });
      } catch (error) {
        await settleFailedClaim(env, claimKey, error, deps.logger);
        throw error;
      }
      const result: LambdaResult = {
        incidentId: incident.id,
        jobRunId: failure.runId,
        state: failure.state,
        status: incident.status,
        // Powertools stores the result in DynamoDB, which rejects undefined attributes.
        ...(incident.action ? { action: incident.action } : {}),
        summary: incident.summary,
      };
      deps.logger.info('incident handled', { ...result });
      return result;
    },
    { persistenceStore: deps.persistenceStore, config },
  );

  return async (event: unknown, context: Context): Promise<LambdaResult> => {
    // Reject anything that is not a Glue Job State Change before touching any state.
    const parsed = parseGlueEvent(event);
    deps.logger.appendKeys({ jobName: parsed.detail.jobName, jobRunId: parsed.detail.jobRunId });
    config.registerLambdaContext(context);
    try {
      return await handleOnce(event, context);
    } catch (error) {
      // A concurrent delivery of the same event is being handled right now: not an error, and no
      // page for the on-call through the stack's Lambda error alarm.
      if (error instanceof IdempotencyAlreadyInProgressError) {
        deps.logger.info('duplicate delivery while the first is in progress; nothing to do');
        return {
          jobRunId: parsed.detail.jobRunId,
          state: parsed.detail.state,
          status: 'duplicate',
          summary: 'a concurrent invocation is handling this event',
        };
      }
      deps.logger.error('incident handling failed', {
        error: redact(oneLine(error)),
        code: error instanceof HealerError ? error.code : undefined,
      });
      throw error;
    } finally {
      deps.logger.removeKeys(['jobName', 'jobRunId']);
    }
  };
}

/**
 * After a failed invocation: a claim under which nothing ran is released, so the redelivery is
 * handled as new; a claim that started acting is kept and its lease ended, so the redelivery
 * reconciles it (finishes the audit, escalates) and never acts twice.
 */
async function settleFailedClaim(env: Environment, key: string, error: unknown, logger: Logger) {
  try {
    const claim = await env.state.getEventClaim(key);
    if (claim?.status === 'claimed') await env.state.releaseEvent(key);
    else if (claim?.status === 'acting') await env.state.endEventLease(key, env.clock.now());
    logger.warn('claim settled after a failure', { claim: claim?.status, error: oneLine(error) });
  } catch (settleError) {
    // The claim's lease still ends with this invocation's timeout: the redelivery then recovers.
    logger.error('could not settle the claim', { error: oneLine(settleError) });
  }
}

/** Deps from environment variables (validated with zod) and the standard SDK configuration. */
export function defaultDeps(
  env: Record<string, string | undefined>,
  clients: AwsClients & { dynamodbRaw?: DynamoDBClient } = {},
): LambdaDeps {
  const config = parseLambdaEnv(env);
  const translator = new GlueEventTranslator({ glue: clients.glue });
  return {
    environment: async () => {
      // Loaded lazily so a malformed event never pays for DuckDB and the SDK clients.
      const { createAwsEnvironment } = await import('../../environments/aws-environment.js');
      return createAwsEnvironment(config, clients);
    },
    translate: (event) => translator.translate(event),
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: config.HEALER_IDEMPOTENCY_TABLE,
      ...(clients.dynamodbRaw ? { awsSdkV3Client: clients.dynamodbRaw } : {}),
    }),
    logger: new Logger({ serviceName: 'etl-healer' }),
  };
}

let cached: ((event: unknown, context: Context) => Promise<LambdaResult>) | undefined;

/** The deployed entry point (`index.handler` in the bundle). Configured only from the environment. */
export const handler = (event: unknown, context: Context): Promise<LambdaResult> => {
  cached ??= makeHandler(defaultDeps(process.env));
  return cached(event, context);
};

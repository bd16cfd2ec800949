// Turns AWS SDK errors into healer's domain errors at the adapter boundary, with retry meaning as
// data (`retryable`), so nothing above the adapters reads vendor error names or messages.

import { HealerError, type HealerErrorOptions, NotFoundError } from '../../core/errors.js';

/** An AWS call failed. `retryable` says whether the same call may succeed later. */
export class AwsRemoteError extends HealerError {
  constructor(message: string, options: HealerErrorOptions = {}) {
    super('E_REMOTE', message, options);
  }
}

const RETRYABLE = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServiceException',
  'InternalFailure',
  'InternalError',
  'SlowDown',
  'ConcurrentRunsExceededException',
  'OperationTimeoutException',
  'ResourceNumberLimitExceededException',
  'TimeoutError',
]);

const NOT_FOUND = new Set([
  'EntityNotFoundException',
  'ResourceNotFoundException',
  'NoSuchKey',
  'NoSuchBucket',
  'NotFound',
  'NotFoundException',
  'JobRunNotFoundException',
]);

/** The vendor's error name (`ThrottlingException`), or undefined for non-AWS errors. */
export function awsErrorName(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'name' in error && typeof error.name === 'string')
    return error.name;
  return undefined;
}

/** HTTP status of an AWS SDK error, when it has one. */
export function awsStatus(error: unknown): number | undefined {
  if (error && typeof error === 'object' && '$metadata' in error) {
    const meta = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
    return meta?.httpStatusCode;
  }
  return undefined;
}

/** True for throttling, 5xx and concurrency errors that a later attempt may get past. */
export function isRetryableAwsError(error: unknown): boolean {
  if (error instanceof HealerError) return error.retryable;
  const name = awsErrorName(error);
  if (name && RETRYABLE.has(name)) return true;
  const status = awsStatus(error);
  return status !== undefined && (status === 429 || status >= 500);
}

/**
 * Wraps any error from an AWS call into a HealerError naming the operation and resource.
 *
 * @example
 * try { await glue.getTable(...) } catch (e) { throw toDomainError(e, 'glue:GetTable', 'db.orders') }
 */
export function toDomainError(error: unknown, operation: string, resource: string): HealerError {
  if (error instanceof HealerError) return error;
  const name = awsErrorName(error) ?? 'Error';
  const detail = error instanceof Error ? error.message : String(error);
  const message = `${operation} ${resource}: ${name}: ${detail}`.replace(/\s*\n\s*/g, ' ');
  const context = { operation, resource, awsError: name };
  if (NOT_FOUND.has(name) || awsStatus(error) === 404)
    return new NotFoundError(message, { cause: error, context });
  return new AwsRemoteError(message, { cause: error, context, retryable: isRetryableAwsError(error) });
}

/** Runs one AWS call and translates its error. */
export async function awsCall<T>(operation: string, resource: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toDomainError(error, operation, resource);
  }
}

// Signatures of transient failures: throttling, S3 SlowDown, dropped connections, timeouts and
// server-side 5xx errors. Retrying later (with backoff) is expected to work.

import type { Signature } from './signature.js';

export const TRANSIENT_SIGNATURES: readonly Signature[] = [
  {
    id: 'aws.throttling',
    family: 'transient',
    pattern:
      /\b(ThrottlingException|TooManyRequestsException|RequestLimitExceeded|ProvisionedThroughputExceededException|Throttling: Rate exceeded)\b/,
    specificity: 0.95,
    example:
      'botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling the GetCrawler operation (reached max retries: 4): Rate exceeded',
  },
  {
    id: 'aws.rate_exceeded',
    family: 'transient',
    pattern: /\bRate exceeded\b/,
    specificity: 0.8,
    example: 'An error occurred (ThrottledException) when calling the StartJobRun operation: Rate exceeded',
  },
  {
    id: 's3.slow_down',
    family: 'transient',
    pattern:
      /\b(503 Slow ?Down|Error Code: SlowDown|\(SlowDown\)|<Code>SlowDown<\/Code>|Please reduce your request rate)/i,
    specificity: 0.95,
    example:
      'com.amazonaws.services.s3.model.AmazonS3Exception: Slow Down (Service: Amazon S3; Status Code: 503; Error Code: 503 Slow Down; Request ID: 2E8B8866BFF00645)',
  },
  {
    id: 'net.connection_reset',
    family: 'transient',
    pattern:
      /\b(Connection reset( by peer)?|Broken pipe|ECONNRESET|Connection closed by peer|Remote end closed connection)\b/i,
    specificity: 0.7,
    example: 'java.net.SocketException: Connection reset',
  },
  {
    id: 'net.timeout',
    family: 'transient',
    pattern:
      /\b(SocketTimeoutException|ConnectTimeoutException|ReadTimeoutError|ConnectTimeoutError|Read timed out|Connect(ion)? timed out|connect timed out|ETIMEDOUT|Timeout waiting for connection from pool)\b/i,
    specificity: 0.7,
    example: 'java.net.SocketTimeoutException: Read timed out',
  },
  {
    id: 'net.connection_refused',
    family: 'transient',
    pattern: /\b(Connection refused|ECONNREFUSED)\b/,
    specificity: 0.55,
    example: 'java.net.ConnectException: Connection refused (Connection refused)',
  },
  {
    id: 'aws.server_error',
    family: 'transient',
    pattern:
      /(\b(InternalServerError|InternalServiceException|InternalFailure|ServiceUnavailable(Exception)?|InternalError)\b|Status Code: 5\d\d\b|\b(500 Internal Server Error|502 Bad Gateway|503 Service Unavailable|504 Gateway Time-?out)\b)/,
    specificity: 0.75,
    example:
      'com.amazonaws.services.s3.model.AmazonS3Exception: We encountered an internal error. Please try again. (Service: Amazon S3; Status Code: 500; Error Code: InternalError)',
  },
  {
    id: 'spark.futures_timed_out',
    family: 'transient',
    pattern: /TimeoutException: Futures timed out after/,
    specificity: 0.6,
    example: 'java.util.concurrent.TimeoutException: Futures timed out after [300 seconds]',
  },
  {
    id: 'airflow.sigterm',
    family: 'transient',
    pattern: /\bTask received SIGTERM signal\b/,
    specificity: 0.5,
    example: 'airflow.exceptions.AirflowException: Task received SIGTERM signal',
  },
];

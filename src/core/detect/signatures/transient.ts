// Signatures of transient failures: throttling, S3 SlowDown, dropped connections, timeouts and
// server-side 5xx errors. Retrying later (with backoff) is expected to work.

import { type Signature, sqlState } from './signature.js';

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
  {
    id: 'sql.transaction_rollback',
    family: 'transient',
    // SQLSTATE class 40: serialization failures and deadlocks; the same transaction retried succeeds.
    pattern: new RegExp(
      `could not serialize access due to|\\bdeadlock detected\\b|\\bDeadlock found when trying to get lock\\b|\\bER_LOCK_DEADLOCK\\b|\\bLock wait timeout exceeded\\b|\\bER_LOCK_WAIT_TIMEOUT\\b|\\bSerializationFailure\\b|\\bDeadlockLoserDataAccessException\\b|\\bSerializable isolation violation\\b|\\bORA-00060\\b|${sqlState('40(?:000|001|002|003|P01)')}`,
      'i',
    ),
    specificity: 0.93,
    example: 'psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update',
  },
  {
    id: 'sql.connection_lost',
    family: 'transient',
    // SQLSTATE class 08 and the drivers' words for a dropped or refused database connection.
    pattern: new RegExp(
      `\\bMySQL server has gone away\\b|\\bLost connection to (MySQL )?server\\b|\\bserver closed the connection unexpectedly\\b|\\bcould not connect to server\\b|\\bCommunications link failure\\b|\\bterminating connection due to administrator command\\b|\\bthe database system is (starting up|shutting down|in recovery mode)\\b|\\bORA-(03113|03114|12541|12170)\\b|${sqlState('08[0-9A-Z]{3}')}`,
      'i',
    ),
    specificity: 0.8,
    example: "pymysql.err.OperationalError: (2013, 'Lost connection to MySQL server during query')",
  },
  {
    id: 'sql.statement_cancelled',
    family: 'transient',
    // SQLSTATE class 57 (operator intervention): a cancelled or timed-out statement.
    pattern: new RegExp(
      `canceling statement due to (statement timeout|user request|conflict with recovery|lock timeout)|\\bQueryCanceled\\b|${sqlState('57[0-9A-Z]{3}')}`,
      'i',
    ),
    specificity: 0.8,
    example: 'ERROR:  canceling statement due to statement timeout',
  },
  {
    id: 'kafka.retriable',
    family: 'transient',
    // Kafka's RetriableException subclasses: leadership moves, coordinators loading, rebalances.
    pattern:
      /\b(LeaderNotAvailable|NotLeaderForPartition|NotLeaderOrFollower|BrokerNotAvailable|CoordinatorLoadInProgress|CoordinatorNotAvailable|NotCoordinator|RebalanceInProgress|NotEnoughReplicas|NotEnoughReplicasAfterAppend|ConcurrentTransactions|Disconnect|UnknownLeaderEpoch|FencedLeaderEpoch|KafkaStorage|Retriable)Exception\b|\borg\.apache\.kafka\.common\.errors\.(NetworkException|TimeoutException)\b/,
    specificity: 0.9,
    example:
      'org.apache.kafka.common.errors.NotLeaderOrFollowerException: For requests intended only for the leader, this error indicates that the broker is not the current leader.',
  },
  {
    id: 'table.concurrent_commit',
    family: 'transient',
    // Optimistic-concurrency conflicts of table formats (Iceberg, Delta): retrying the commit works.
    pattern:
      /\bCommitFailedException\b|\bConcurrent(Append|DeleteRead|DeleteDelete|Transaction)Exception\b|\bMetadataChangedException\b|\bProtocolChangedException\b|Files were added to the root of the table by a concurrent update|\bbranch \S+ (has changed|was created concurrently)\b/,
    specificity: 0.9,
    example:
      'org.apache.iceberg.exceptions.CommitFailedException: Cannot commit db.orders: metadata location s3://lake/orders/metadata/2.metadata.json has changed from s3://lake/orders/metadata/1.metadata.json',
  },
  {
    id: 'http.rate_limited',
    family: 'transient',
    // HTTP 429 and the rate-limit reasons of cloud APIs (BigQuery returns them with a 403 or 400).
    pattern:
      /\bExceeded rate limits\b|\b(job)?rateLimitExceeded\b|\b429 Too Many Requests\b|\bHTTP 429\b|Status Code: 429\b|\bstatus code 429\b/i,
    specificity: 0.93,
    example:
      'Forbidden: 403 Exceeded rate limits: too many concurrent queries for this project. For more information, see https://cloud.google.com/bigquery/troubleshooting-errors',
  },
];

// Signatures of resource failures: memory, disk, and capacity or concurrency limits. More of the
// resource (or waiting for it) fixes them; retrying as is usually fails the same way.

import { type Signature, sqlState } from './signature.js';

export const RESOURCE_SIGNATURES: readonly Signature[] = [
  {
    id: 'yarn.container_killed_memory',
    family: 'resource',
    pattern: /Container killed by YARN for exceeding (physical )?memory limits/i,
    specificity: 0.97,
    example:
      'ExecutorLostFailure (executor 72 exited caused by one of the running tasks) Reason: Container killed by YARN for exceeding memory limits. 12.0 GB of 12 GB physical memory used.',
  },
  {
    id: 'yarn.container_beyond_memory',
    family: 'resource',
    pattern: /is running beyond (physical|virtual) memory limits/i,
    specificity: 0.95,
    example:
      'Container is running beyond physical memory limits. Current usage: 4.1 GB of 4 GB physical memory used; 6.0 GB of 20 GB virtual memory used. Killing container.',
  },
  {
    id: 'jvm.out_of_memory',
    family: 'resource',
    pattern:
      /\b(java\.lang\.)?OutOfMemoryError\b|OutOfMemoryException\b|GC overhead limit exceeded|Unable to acquire \d+ bytes of memory|SparkOutOfMemoryError/,
    specificity: 0.93,
    example: 'java.lang.OutOfMemoryError: Java heap space',
  },
  {
    id: 'python.memory_error',
    family: 'resource',
    pattern: /^\s*MemoryError\b|\bpyarrow\.lib\.ArrowMemoryError\b/,
    specificity: 0.85,
    example:
      'MemoryError: Unable to allocate 7.45 GiB for an array with shape (1000000000,) and data type float64',
  },
  {
    id: 'duckdb.out_of_memory',
    family: 'resource',
    pattern: /Out of Memory Error:/,
    specificity: 0.95,
    example: 'Out of Memory Error: failed to allocate data of size 256.0 MiB (1.5 GiB/1.5 GiB used)',
  },
  {
    id: 'os.no_space_left',
    family: 'resource',
    pattern: /No space left on device|ENOSPC|Disk quota exceeded/i,
    specificity: 0.95,
    example: 'java.io.IOException: No space left on device',
  },
  {
    id: 'os.killed_sigkill',
    family: 'resource',
    pattern:
      /\b(Negsignal\.SIGKILL|exit(ed)? (with )?(code|status) 137|Exit code is 137|Command exited with return code -9|OOMKilled)\b|signal_name="SIGKILL"|'signal 9 \(SIGKILL\)'/,
    specificity: 0.75,
    example: 'INFO - Task exited with return code Negsignal.SIGKILL',
  },
  {
    id: 'glue.concurrent_runs_exceeded',
    family: 'resource',
    pattern: /\bConcurrentRunsExceededException\b|Concurrent runs exceeded for/,
    specificity: 0.97,
    example:
      'An error occurred (ConcurrentRunsExceededException) when calling the StartJobRun operation: Concurrent runs exceeded for nightly-etl',
  },
  {
    id: 'aws.resource_limit_exceeded',
    family: 'resource',
    pattern:
      /\b(ResourceNumberLimitExceededException|LimitExceededException|ServiceQuotaExceededException|InsufficientInstanceCapacity|Insufficient capacity)\b/,
    specificity: 0.9,
    example:
      'An error occurred (ResourceNumberLimitExceededException) when calling the StartJobRun operation: Failed to meet resource allocation requirements',
  },
  {
    id: 'scheduler.no_slots',
    family: 'resource',
    pattern: /\bNo slots available\b|\bNO SLOTS AVAILABLE\b|Too many running jobs \(\d+\)/,
    specificity: 0.85,
    example: 'Exception: No slots available in Spark JobServer.',
  },
  {
    id: 'glue.insufficient_workers',
    family: 'resource',
    pattern: /Failed to meet resource allocation requirements|Exceeded maximum concurrent compute capacity/i,
    specificity: 0.85,
    example: 'JobRunState FAILED: Exceeded maximum concurrent compute capacity for your account: 100.',
  },
  {
    id: 'sql.too_many_connections',
    family: 'resource',
    // SQLSTATE class 53 (insufficient resources) and the connection-slot limits of Postgres/MySQL.
    pattern: new RegExp(
      `too many clients already|remaining connection slots are reserved|\\bToo many connections\\b|\\bER_CON_COUNT_ERROR\\b|${sqlState('53300')}`,
      'i',
    ),
    specificity: 0.95,
    example: '(psycopg2.OperationalError) FATAL: sorry, too many clients already',
  },
  {
    id: 'sql.insufficient_resources',
    family: 'resource',
    // The rest of SQLSTATE class 53: out of memory (53200), disk full (53100), other limits.
    pattern: new RegExp(
      `\\bcould not extend file\\b|\\bout of shared memory\\b|${sqlState('53[0-9A-Z]{3}')}`,
      'i',
    ),
    specificity: 0.85,
    example: 'ERROR:  out of shared memory',
  },
  {
    id: 'query.memory_limit',
    family: 'resource',
    // Query engines that kill a query for its memory (Trino/Presto) or resources (BigQuery).
    pattern:
      /Query exceeded (per-node|distributed|local|maximum)[\w -]{0,40}memory limit|\bEXCEEDED_\w{0,30}MEMORY_LIMIT\b|\bINSUFFICIENT_RESOURCES\b|\bCLUSTER_OUT_OF_MEMORY\b|\bExceededMemoryLimitException\b|Resources exceeded during query execution|\bresourcesExceeded\b/,
    specificity: 0.95,
    example:
      'io.trino.ExceededMemoryLimitException: Query exceeded per-node memory limit of 25.80GB [Allocated: 25.79GB, Delta: 14.39MB]',
  },
  {
    id: 'cloud.quota_exceeded',
    family: 'resource',
    pattern: /\bQuota exceeded\b|\bquotaExceeded\b/i,
    specificity: 0.85,
    example: 'Quota exceeded: Your project exceeded quota for free query bytes scanned.',
  },
  {
    id: 'spark.shuffle_fetch_failed',
    family: 'resource',
    // Lost shuffle output or oversized blocks: executors died (usually of memory) or partitions are
    // too large; more memory or more partitions is what fixes it.
    pattern:
      /\b(Metadata)?FetchFailedException\b|Missing an output location for shuffle|\bToo large frame\b|\bframe length exceeds\b|\bExecutor heartbeat timed out after\b/,
    specificity: 0.7,
    example: 'org.apache.spark.shuffle.FetchFailedException: Too large frame: 2624680416',
  },
];

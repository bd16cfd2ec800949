// Signatures of resource failures: memory, disk, and capacity or concurrency limits. More of the
// resource (or waiting for it) fixes them; retrying as is usually fails the same way.

import type { Signature } from './signature.js';

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
];

// Tests of the classifier's rules: root cause over wrapper, honest unknown, permission never
// transient, misleading lines, the giant-log bound, and invariants over random logs (fast-check).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAILURE_FAMILIES } from '../failure-family.js';
import { CLASSIFIER_BOUNDS, classifyError } from './error-classifier.js';

describe('classifyError: root cause wins over wrapper', () => {
  it('prefers the deepest Caused by over the exception that wraps it', () => {
    const log = [
      'org.apache.spark.SparkException: Job aborted due to stage failure: Task 3 in stage 4.0 failed 4 times',
      'Caused by: java.io.FileNotFoundException: s3://lake/raw/orders/part-0001.parquet',
      '\tat org.apache.hadoop.fs.s3a.S3AFileSystem.getFileStatus(S3AFileSystem.java:2269)',
      'Caused by: com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)',
      '\t... 24 more',
    ].join('\n');
    const c = classifyError(log);
    expect(c.family).toBe('permission');
    expect(c.rule).toBe('aws.access_denied');
    expect(c.line.startsWith('Caused by: com.amazonaws')).toBe(true);
  });

  it('sees through a Py4JJavaError wrapper to the Java exception', () => {
    const log = [
      'Traceback (most recent call last):',
      '  File "/tmp/job.py", line 42, in <module>',
      '    df.write.parquet(out)',
      'py4j.protocol.Py4JJavaError: An error occurred while calling o123.parquet.',
      ': org.apache.spark.SparkException: Job aborted.',
      'Caused by: java.lang.OutOfMemoryError: GC overhead limit exceeded',
    ].join('\n');
    expect(classifyError(log)).toMatchObject({ family: 'resource', rule: 'jvm.out_of_memory' });
  });

  it('a wrapper alone (Py4J, Airflow task failure, Glue job run) is not a family', () => {
    const log = [
      'py4j.protocol.Py4JJavaError: An error occurred while calling o77.save.',
      '[2024-05-01, 10:00:00 UTC] {taskinstance.py:1851} ERROR - Task failed with exception',
      'JobRunState: FAILED, ErrorMessage: An error occurred while calling o77.save.',
    ].join('\n');
    expect(classifyError(log)).toEqual({ family: 'unknown', rule: 'none', confidence: 0, line: '' });
  });
});

describe('classifyError: unknown is an honest answer', () => {
  it.each([
    ['empty log', ''],
    ['blank lines', '\n\n   \n'],
    [
      'a user-code bug',
      "Traceback (most recent call last):\nTypeError: unsupported operand type(s) for +: 'int' and 'str'",
    ],
    [
      'only INFO noise',
      '24/01/01 10:00:00 INFO SparkContext: Running Spark version 3.5.1\n24/01/01 10:00:01 INFO Utils: Successfully started service',
    ],
  ])('%s -> unknown, rule none, confidence 0, empty line', (_name, log) => {
    expect(classifyError(log)).toEqual({ family: 'unknown', rule: 'none', confidence: 0, line: '' });
  });

  it('never defaults to transient: a bare "failed" or "error" is unknown', () => {
    expect(classifyError('ERROR: job failed\nJob run failed with error').family).toBe('unknown');
  });
});

describe('classifyError: a permission failure is never transient', () => {
  it('AccessDenied after throttling retries is permission', () => {
    const log = [
      '2024-05-01 10:00:00 WARN AmazonHttpClient: Retrying after ThrottlingException: Rate exceeded',
      '2024-05-01 10:00:02 WARN AmazonHttpClient: Retrying after SocketTimeoutException: Read timed out',
      '2024-05-01 10:00:05 ERROR GlueJob: An error occurred (AccessDeniedException) when calling the GetTable operation',
    ].join('\n');
    expect(classifyError(log)).toMatchObject({ family: 'permission', rule: 'aws.access_denied' });
  });

  it('even when the transient line is an ERROR and the denial a deeper WARN', () => {
    const log = [
      'ERROR Executor: java.net.SocketException: Connection reset',
      'WARN S3: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)',
    ].join('\n');
    expect(classifyError(log).family).toBe('permission');
  });

  it('holds for any interleaving of transient lines with one denial (property)', () => {
    const transientLines = [
      'WARN Retrying: com.amazonaws.services.glue.model.ThrottlingException: Rate exceeded',
      'ERROR java.net.SocketTimeoutException: Read timed out',
      'java.net.SocketException: Connection reset',
      'AmazonS3Exception: Slow Down (Service: Amazon S3; Status Code: 503; Error Code: 503 Slow Down)',
      'Status Code: 500; Error Code: InternalError',
    ];
    const denials = [
      'User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: s3:GetObject',
      'com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied',
      'The security token included in the request is expired',
      "PermissionError: [Errno 13] Permission denied: '/data/out'",
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...transientLines), { maxLength: 8 }),
        fc.constantFrom(...denials),
        fc.nat(),
        (lines, denial, at) => {
          const all = [...lines];
          all.splice(at % (all.length + 1), 0, denial);
          expect(classifyError(all.join('\n')).family).toBe('permission');
        },
      ),
    );
  });
});

describe('classifyError: misleading lines do not win', () => {
  it('a WARN retry line before the real error loses to the error', () => {
    const log = [
      '24/05/01 10:00:00 WARN TaskSetManager: Lost task 0.0 (TID 1): java.net.SocketTimeoutException: Read timed out',
      '24/05/01 10:00:09 ERROR Executor: Exception in task 0.1 (TID 2)',
      'org.apache.spark.sql.execution.QueryExecutionException: Parquet column cannot be converted in file s3://b/p.parquet. Column: [id], Expected: bigint, Found: BINARY',
    ].join('\n');
    expect(classifyError(log)).toMatchObject({
      family: 'schema',
      rule: 'parquet.column_cannot_be_converted',
    });
  });

  it('the word timeout in a config key or option is not a timeout', () => {
    const log = [
      'INFO SparkContext: spark.network.timeout=800s',
      '--conf spark.sql.broadcastTimeout=1200 --conf spark.executor.heartbeatInterval=60s',
      'connectTimeout: 30000, readTimeout: 60000',
      'ERROR yarn.ApplicationMaster: User class threw exception: java.lang.NumberFormatException: For input string: "12,5"',
    ].join('\n');
    expect(classifyError(log)).toMatchObject({ family: 'data_quality', rule: 'jvm.number_format' });
    expect(classifyError(log.split('\n').slice(0, 3).join('\n')).family).toBe('unknown');
  });

  it('Java stack frames are never the matched line', () => {
    const log = [
      'java.lang.NumberFormatException: For input string: "x"',
      '\tat org.apache.hadoop.fs.s3a.AccessDeniedHandler.handle(AccessDeniedHandler.java:10)',
    ].join('\n');
    expect(classifyError(log).rule).toBe('jvm.number_format');
  });

  it('an ERROR record outranks the same-specificity match in a WARN record', () => {
    const log = [
      '2024-01-01 10:00:00 WARN Client: java.lang.OutOfMemoryError: Java heap space (recovered, spilled to disk)',
      '2024-01-01 10:05:00 ERROR Client: java.io.IOException: No space left on device',
    ].join('\n');
    expect(classifyError(log).rule).toBe('os.no_space_left');
  });
});

describe('classifyError: reported line and confidence', () => {
  it('trims the line and cuts a very long line to a window around the match', () => {
    const long = `${'x'.repeat(5000)} java.lang.OutOfMemoryError: Java heap space ${'y'.repeat(5000)}`;
    const c = classifyError(`   ${long}   `);
    expect(c.rule).toBe('jvm.out_of_memory');
    expect(c.line.length).toBeLessThanOrEqual(CLASSIFIER_BOUNDS.MAX_REPORTED_LINE_CHARS);
    expect(c.line).toContain('java.lang.OutOfMemoryError');
  });

  it('a match in a WARN record has lower confidence than the same match in an ERROR record', () => {
    const warn = classifyError('2024-01-01 10:00:00 WARN x: java.net.SocketException: Connection reset');
    const error = classifyError('2024-01-01 10:00:00 ERROR x: java.net.SocketException: Connection reset');
    expect(warn.rule).toBe(error.rule);
    expect(warn.confidence).toBeLessThan(error.confidence);
  });

  it('accepts CRLF line endings', () => {
    expect(
      classifyError('INFO start\r\nCaused by: java.io.IOException: No space left on device\r\n').line,
    ).toBe('Caused by: java.io.IOException: No space left on device');
  });
});

describe('classifyError: giant logs are bounded', () => {
  const { HEAD_CHARS, TAIL_CHARS } = CLASSIFIER_BOUNDS;
  const filler = (chars: number) => {
    const line =
      '24/05/01 10:00:00 INFO BlockManagerInfo: Added broadcast_0_piece0 in memory (size: 11.2 KB)\n';
    return line.repeat(Math.ceil(chars / line.length));
  };

  it('finds an error in the first lines of a giant log (the head is kept)', () => {
    const log = `ERROR x: java.lang.OutOfMemoryError: Java heap space\n${filler(HEAD_CHARS + TAIL_CHARS + 1_000_000)}`;
    expect(classifyError(log).rule).toBe('jvm.out_of_memory');
  });

  it('finds the final error at the end of a giant log (the tail is kept)', () => {
    const log = `${filler(HEAD_CHARS + TAIL_CHARS + 1_000_000)}ERROR x: Access Denied (Status Code: 403)\n`;
    expect(classifyError(log).family).toBe('permission');
  });

  it('does not read the middle of a giant log: the documented bound, enforced', () => {
    const head = filler(HEAD_CHARS + 10_000);
    const log = `${head}ERROR x: java.lang.OutOfMemoryError: Java heap space\n${filler(TAIL_CHARS + 10_000)}`;
    expect(classifyError(log).family).toBe('unknown');
  });

  it('classifies a 64 MB log (one pass over the bounded text, within the test timeout)', () => {
    const log = `${filler(64 * 1024 * 1024)}Caused by: java.io.IOException: No space left on device\n`;
    expect(classifyError(log).rule).toBe('os.no_space_left');
  });

  it('a single 20 MB line without newlines is bounded too', () => {
    const log = `${'a'.repeat(20 * 1024 * 1024)}\nThrottlingException: Rate exceeded`;
    expect(classifyError(log).rule).toBe('aws.throttling');
  });
});

describe('classifyError: invariants (fast-check)', () => {
  it('always returns a well-formed classification', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (log) => {
        const c = classifyError(log);
        expect(FAILURE_FAMILIES).toContain(c.family);
        expect(c.confidence).toBeGreaterThanOrEqual(0);
        expect(c.confidence).toBeLessThanOrEqual(1);
        expect(c.line).toBe(c.line.trim());
        const unknown = c.family === 'unknown';
        expect(c.rule === 'none').toBe(unknown);
        expect(c.confidence === 0).toBe(unknown);
        expect(c.line === '').toBe(unknown);
      }),
      { numRuns: 300 },
    );
  });
});

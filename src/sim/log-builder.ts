// Builds job log text in the style of real Glue / Spark / S3 / DuckDB runs: timestamps, INFO noise,
// Py4J wrappers and `Caused by:` chains around the injected root error.

import type { Rng } from '../core/policy/rng.js';

export type LogStyle = 'glue_pyspark' | 'spark' | 'duckdb';

export interface LogSpec {
  style: LogStyle;
  job: string;
  runId: string;
  /** When the run failed. */
  at: Date;
  /** The exception the engine raised at the top (a wrapper), when the style wraps. */
  wrapper?: string;
  /** The root error, innermost last: each becomes a `Caused by:` level under the wrapper. */
  causes: string[];
  /** Lines written before the failure that look alarming but are not the cause (WARN retries...). */
  misleading?: string[];
}

const INFO_NOISE = [
  'INFO SparkContext: Running Spark version 3.3.0-amzn-1',
  'INFO GlueContext: GlueMetrics configured and enabled',
  'INFO DAGScheduler: Got job 3 (save at NativeMethodAccessorImpl.java:0) with 200 output partitions',
  'INFO TaskSetManager: Finished task 12.0 in stage 4.0 (TID 57) in 1874 ms on 172.35.21.9 (executor 2) (13/200)',
  'INFO BlockManagerInfo: Added broadcast_7_piece0 in memory on 172.35.88.14:41295 (size: 38.1 KiB, free: 5.8 GiB)',
  'INFO FileSourceStrategy: Pushed Filters: IsNotNull(order_id)',
  'INFO CodeGenerator: Code generated in 21.044318 ms',
  'INFO S3NativeFileSystem: Opening s3://acme-lake-raw/landing/part-00007.snappy.parquet for reading',
  'INFO MemoryStore: Block broadcast_9 stored as values in memory (estimated size 412.3 KiB, free 5.7 GiB)',
  'INFO ExecutorAllocationManager: Requesting 4 new executors because tasks are backlogged',
];

const FRAMES = [
  'at org.apache.spark.sql.execution.datasources.FileFormatWriter$.write(FileFormatWriter.scala:261)',
  'at org.apache.spark.scheduler.DAGScheduler.runJob(DAGScheduler.scala:2238)',
  'at org.apache.spark.sql.Dataset.withAction(Dataset.scala:3706)',
  'at sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)',
  'at py4j.commands.CallCommand.execute(CallCommand.java:79)',
  'at java.lang.Thread.run(Thread.java:750)',
];

function stamp(d: Date, style: LogStyle): string {
  const iso = d.toISOString();
  if (style === 'spark') return `${iso.slice(2, 10).replaceAll('-', '/')} ${iso.slice(11, 19)}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 23).replace('.', ',')}`;
}

/** Renders one run's log. Deterministic for a given RNG state. */
export function buildLog(rng: Rng, spec: LogSpec): string {
  const lines: string[] = [];
  const start = spec.at.getTime() - (60 + rng.int(600)) * 1000;
  let t = start;
  const tick = () => {
    t += 200 + rng.int(9000);
    return new Date(Math.min(t, spec.at.getTime()));
  };
  if (spec.style === 'duckdb') {
    lines.push(`${stamp(tick(), 'duckdb')} INFO healer-runner: starting ${spec.job} run ${spec.runId}`);
    lines.push(`${stamp(tick(), 'duckdb')} INFO healer-runner: reading input with read_parquet`);
    for (const m of spec.misleading ?? []) lines.push(`${stamp(tick(), 'duckdb')} WARN healer-runner: ${m}`);
    const [first, ...rest] = spec.causes;
    lines.push(
      `${stamp(tick(), 'duckdb')} ERROR healer-runner: step transform failed: ${first ?? 'unknown failure'}`,
    );
    for (const c of rest) lines.push(c);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`${stamp(tick(), spec.style)} INFO GlueJobRunner: Starting job ${spec.job} (run ${spec.runId})`);
  const noise = 3 + rng.int(6);
  for (let i = 0; i < noise; i++)
    lines.push(`${stamp(tick(), spec.style)} ${INFO_NOISE[rng.int(INFO_NOISE.length)]!}`);
  for (const m of spec.misleading ?? []) lines.push(`${stamp(tick(), spec.style)} ${m}`);
  const ts = stamp(tick(), spec.style);
  if (spec.style === 'glue_pyspark') {
    lines.push(`${ts} ERROR GlueJobRunner: Error from Python:Traceback (most recent call last):`);
    lines.push(`  File "/tmp/${spec.job}.py", line ${40 + rng.int(120)}, in <module>`);
    lines.push('    df.write.mode("overwrite").parquet(target)');
    lines.push('  File "/opt/amazon/spark/python/lib/pyspark.zip/pyspark/sql/utils.py", line 190, in deco');
    lines.push('    return f(*a, **kw)');
    lines.push(`py4j.protocol.Py4JJavaError: An error occurred while calling o${80 + rng.int(200)}.parquet.`);
  } else {
    lines.push(
      `${ts} ERROR ApplicationMaster: User class threw exception: ${spec.wrapper ?? 'org.apache.spark.SparkException: Job aborted.'}`,
    );
  }
  if (spec.style === 'glue_pyspark')
    lines.push(`: ${spec.wrapper ?? 'org.apache.spark.SparkException: Job aborted.'}`);
  for (let i = 0; i < 2 + rng.int(3); i++) lines.push(`\t${FRAMES[rng.int(FRAMES.length)]!}`);
  for (const cause of spec.causes) {
    lines.push(`Caused by: ${cause}`);
    for (let i = 0; i < 1 + rng.int(3); i++) lines.push(`\t${FRAMES[rng.int(FRAMES.length)]!}`);
    lines.push(`\t... ${10 + rng.int(40)} more`);
  }
  lines.push(
    `${stamp(new Date(spec.at.getTime()), spec.style)} INFO GlueJobRunner: Job run ${spec.runId} finished with status FAILED`,
  );
  return `${lines.join('\n')}\n`;
}

// `npm run bench:classify`: how classifyError's time grows with the size of the log. Below the
// bound (CLASSIFIER_BOUNDS) time should grow linearly (ratio ~2 per doubling); above it, stay flat.

import { performance } from 'node:perf_hooks';
import { CLASSIFIER_BOUNDS, classifyError } from '../../src/core/detect/error-classifier.js';

const MB = 1024 * 1024;
const NOISE = [
  '24/05/01 10:00:00 INFO BlockManagerInfo: Added broadcast_0_piece0 in memory on 10.0.0.1:38124 (size: 11.2 KB)',
  '24/05/01 10:00:01 WARN TaskSetManager: Lost task 1.0 in stage 0.0 (TID 1): ExecutorLostFailure (executor 4 lost)',
  '\tat org.apache.spark.scheduler.DAGScheduler.handleTaskSetFailed(DAGScheduler.scala:926)',
  'Caused by: org.apache.spark.SparkException: Job aborted due to stage failure',
].join('\n');

function logOf(bytes: number): string {
  const body = `${NOISE}\n`.repeat(Math.ceil(bytes / (NOISE.length + 1)));
  return `${body}Caused by: java.lang.OutOfMemoryError: Java heap space\n`;
}

function medianMs(log: string, runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    const c = classifyError(log);
    times.push(performance.now() - start);
    if (c.rule !== 'jvm.out_of_memory') throw new Error(`unexpected classification ${c.rule}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)] ?? Number.NaN;
}

const bound = (CLASSIFIER_BOUNDS.HEAD_CHARS + CLASSIFIER_BOUNDS.TAIL_CHARS) / MB;
console.log(`classifyError scaling (bound: ${bound.toFixed(2)} MB read at most)`);
console.log('size_mb  median_ms  ratio_to_previous');
let previous: number | undefined;
for (const size of [0.25, 0.5, 1, 2, 8, 32, 128]) {
  const ms = medianMs(logOf(size * MB));
  const ratio = previous === undefined ? '' : (ms / previous).toFixed(2);
  console.log(`${String(size).padStart(7)}  ${ms.toFixed(1).padStart(9)}  ${ratio.padStart(17)}`);
  previous = ms;
}

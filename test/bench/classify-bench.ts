// `npm run bench:classify [-- --json]`: how well and how fast classifyError works.
// 1. Accuracy on both halves of the real error corpus (test/fixtures/error-logs/corpus.json, split
//    by a hash of the text; signatures and the learned fallback are tuned on `dev` only), with the
//    per-family confusion, how many answers came from the model, and wrong-family (not unknown)
//    misses. 2. Scaling: below the bound (CLASSIFIER_BOUNDS) time grows linearly (ratio ~2 per
//    doubling of the log), above it time stays flat. `--json` prints one line with both.

import { performance } from 'node:perf_hooks';
import { CLASSIFIER_BOUNDS, classifyError } from '../../src/core/detect/error-classifier.js';
import { FAILURE_FAMILIES, type FailureFamily } from '../../src/core/failure-family.js';
import { type CorpusEntry, corpusHalf, type Half, loadCorpus } from '../support/error-corpus.js';

const json = process.argv.includes('--json');
const MB = 1024 * 1024;

interface HalfReport {
  entries: number;
  correct: number;
  accuracy: number;
  /** Answers that named a wrong family (an `unknown` miss is not counted here). */
  wrongFamily: number;
  /** Answers that came from the learned fallback, and how many of those were right. */
  model: { answered: number; correct: number };
  /** confusion[expected][got] */
  confusion: Record<FailureFamily, Record<FailureFamily, number>>;
  misses: { id: string; expected: FailureFamily; got: FailureFamily; rule: string }[];
}

function measure(entries: CorpusEntry[]): HalfReport {
  const zero = () => Object.fromEntries(FAILURE_FAMILIES.map((f) => [f, 0])) as Record<FailureFamily, number>;
  const confusion = Object.fromEntries(FAILURE_FAMILIES.map((f) => [f, zero()])) as HalfReport['confusion'];
  const report: HalfReport = {
    entries: entries.length,
    correct: 0,
    accuracy: 0,
    wrongFamily: 0,
    model: { answered: 0, correct: 0 },
    confusion,
    misses: [],
  };
  for (const e of entries) {
    const c = classifyError(e.text);
    confusion[e.expectedFamily][c.family] += 1;
    const right = c.family === e.expectedFamily;
    if (right) report.correct += 1;
    else {
      report.misses.push({ id: e.id, expected: e.expectedFamily, got: c.family, rule: c.rule });
      if (c.family !== 'unknown') report.wrongFamily += 1;
    }
    if (c.source === 'model') {
      report.model.answered += 1;
      if (right) report.model.correct += 1;
    }
  }
  report.accuracy = Math.round((report.correct / entries.length) * 1000) / 1000;
  return report;
}

function printHalf(half: Half, r: HalfReport): void {
  const short: Record<FailureFamily, string> = {
    transient: 'trans',
    resource: 'resrc',
    schema: 'schem',
    data_quality: 'dataq',
    permission: 'perm',
    config: 'confg',
    dependency: 'depnd',
    unknown: 'unkn',
  };
  console.log(
    `\n${half}: ${r.correct}/${r.entries} = ${r.accuracy.toFixed(3)}  (wrong family ${r.wrongFamily}, model answered ${r.model.answered}, right ${r.model.correct})`,
  );
  console.log(`${'expected \\ got'.padEnd(15)}${FAILURE_FAMILIES.map((f) => short[f].padStart(6)).join('')}`);
  for (const f of FAILURE_FAMILIES)
    console.log(
      `${f.padEnd(15)}${FAILURE_FAMILIES.map((g) => String(r.confusion[f][g]).padStart(6)).join('')}`,
    );
  for (const m of r.misses) console.log(`  miss ${m.id}: ${m.expected} -> ${m.got} (${m.rule})`);
}

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

const corpus = loadCorpus();
const halves = { dev: measure(corpusHalf('dev', corpus)), heldout: measure(corpusHalf('heldout', corpus)) };

const scaling: { sizeMb: number; medianMs: number; ratio: number | null }[] = [];
let previous: number | undefined;
for (const size of [0.25, 0.5, 1, 2, 8, 32]) {
  const ms = medianMs(logOf(size * MB));
  scaling.push({
    sizeMb: size,
    medianMs: Math.round(ms * 10) / 10,
    ratio: previous === undefined ? null : Math.round((ms / previous) * 100) / 100,
  });
  previous = ms;
}

if (json) {
  const brief = (r: HalfReport) => ({
    entries: r.entries,
    correct: r.correct,
    accuracy: r.accuracy,
    wrongFamily: r.wrongFamily,
    model: r.model,
    confusion: r.confusion,
  });
  console.log(JSON.stringify({ dev: brief(halves.dev), heldout: brief(halves.heldout), scaling }));
} else {
  console.log(`classifyError on ${corpus.length} real error messages (split by sha256 of the text)`);
  printHalf('dev', halves.dev);
  printHalf('heldout', halves.heldout);
  const bound = (CLASSIFIER_BOUNDS.HEAD_CHARS + CLASSIFIER_BOUNDS.TAIL_CHARS) / MB;
  console.log(`\nscaling (bound: ${bound.toFixed(2)} MB read at most)`);
  console.log('size_mb  median_ms  ratio_to_previous');
  for (const s of scaling)
    console.log(
      `${String(s.sizeMb).padStart(7)}  ${s.medianMs.toFixed(1).padStart(9)}  ${(s.ratio === null ? '' : s.ratio.toFixed(2)).padStart(17)}`,
    );
}

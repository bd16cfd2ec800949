// The error classifier: a multi-line job log (Glue, Spark, PySpark, Airflow, S3, DuckDB) -> one
// failure family, the signature that proved it, the line it matched and a confidence. Pure.

import type { Classification } from '../failure-family.js';
import { SIGNATURES, type Signature } from './signatures/index.js';

/**
 * Work bounds for giant logs. A log longer than HEAD_CHARS + TAIL_CHARS is cut to its first
 * HEAD_CHARS (where the first errors of a run usually are) and its last TAIL_CHARS (where the
 * final failure is). Each line is matched on at most MAX_LINE_CHARS characters. So one call reads
 * at most ~2.1 MB whatever the input, in one linear pass.
 */
export const CLASSIFIER_BOUNDS = {
  HEAD_CHARS: 64 * 1024,
  TAIL_CHARS: 2 * 1024 * 1024,
  MAX_LINE_CHARS: 16 * 1024,
  /** The `line` reported back is at most this long (a window around the match). */
  MAX_REPORTED_LINE_CHARS: 500,
} as const;

/** Score bonus per `Caused by:` level (capped): the root cause outranks its wrappers. */
const DEPTH_BONUS = 0.15;
const MAX_DEPTH = 4;
/** Penalty for a match inside a WARN/INFO/DEBUG record: a retry warning is not the failure. */
const LOW_LEVEL_PENALTY = 0.3;

const UNKNOWN: Classification = { family: 'unknown', rule: 'none', confidence: 0, line: '' };

/** One signature matching one line, with what the ranking needs. */
interface Candidate {
  signature: Signature;
  line: string;
  matchIndex: number;
  depth: number;
  lowLevel: boolean;
  score: number;
}

// Any signature hit implies this case-insensitive union hits, so most lines cost one regex test.
const PREFILTER = new RegExp(SIGNATURES.map((s) => `(?:${s.pattern.source})`).join('|'), 'i');
// Java stack frames (`at a.b.C.m(C.java:1)`) and `... 36 more` never carry the message.
const STACK_FRAME = /^\s*(at [\w$.<>/]+\(.*\)|\.\.\. \d+ more|at\$)/;
// A line that starts a new log record (timestamp, level or a Python traceback first): the cause
// chain and the record's level restart there.
const RECORD_START =
  /^\s*(Traceback \(most recent call last\)|\[?\d{4}-\d{2}-\d{2}[T ]|\[?\d{2}\/\d{2}\/\d{2}[ ,]|\d{2}:\d{2}:\d{2}[.,]\d+ |\[?(ERROR|WARN|WARNING|INFO|DEBUG|TRACE|FATAL|CRITICAL)\]?[\s:])/;
const LOW_LEVEL = /\b(WARN|WARNING|INFO|DEBUG|TRACE)\b/;
const HIGH_LEVEL = /\b(ERROR|FATAL|CRITICAL)\b/;
const CAUSED_BY = /^\s*Caused by:/;

/**
 * Classifies one job log into a failure family.
 *
 * Rules: the root cause wins over its wrappers (the deepest `Caused by:`, the real exception over
 * Py4J/Glue/Airflow/SparkException wrappers, which carry no signature); a match in a WARN/INFO
 * record loses to one in an ERROR record; a permission failure anywhere is never reported as
 * `transient`; and when nothing matches the answer is `unknown` (rule `none`, confidence 0).
 *
 * @example
 * classifyError('Caused by: java.lang.OutOfMemoryError: Java heap space')
 * // { family: 'resource', rule: 'jvm.out_of_memory', confidence: 0.98, line: 'Caused by: ...' }
 */
export function classifyError(log: string): Classification {
  const text = boundLog(log);
  let best: Candidate | undefined;
  let bestPermission: Candidate | undefined;
  let depth = 0;
  let lowLevel = false;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const raw = text.slice(start, Math.min(end, start + CLASSIFIER_BOUNDS.MAX_LINE_CHARS));
    start = end + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (RECORD_START.test(line)) {
      depth = 0;
      const head = line.slice(0, 120);
      lowLevel = LOW_LEVEL.test(head) && !HIGH_LEVEL.test(head);
    } else if (CAUSED_BY.test(line)) {
      depth += 1;
    }
    if (line.trim() === '' || STACK_FRAME.test(line) || !PREFILTER.test(line)) continue;
    const candidate = bestOnLine(line, depth, lowLevel);
    if (candidate === undefined) continue;
    if (best === undefined || candidate.score > best.score) best = candidate;
    if (
      candidate.signature.family === 'permission' &&
      (bestPermission === undefined || candidate.score > bestPermission.score)
    )
      bestPermission = candidate;
  }
  if (best === undefined) return UNKNOWN;
  // A denial that shows up next to throttling or timeouts is the real failure: retrying the
  // same call is denied again, so the answer must not invite a blind retry.
  const chosen =
    best.signature.family === 'transient' && bestPermission !== undefined ? bestPermission : best;
  return {
    family: chosen.signature.family,
    rule: chosen.signature.id,
    confidence: confidenceOf(chosen),
    line: reportedLine(chosen.line, chosen.matchIndex),
  };
}

function bestOnLine(line: string, depth: number, lowLevel: boolean): Candidate | undefined {
  let found: Candidate | undefined;
  for (const signature of SIGNATURES) {
    const match = signature.pattern.exec(line);
    if (match === null) continue;
    const score =
      signature.specificity + DEPTH_BONUS * Math.min(depth, MAX_DEPTH) - (lowLevel ? LOW_LEVEL_PENALTY : 0);
    if (found === undefined || score > found.score)
      found = { signature, line, matchIndex: match.index, depth, lowLevel, score };
  }
  return found;
}

function confidenceOf(c: Candidate): number {
  const raw = c.signature.specificity + 0.02 * Math.min(c.depth, 2) - (c.lowLevel ? 0.15 : 0);
  return Math.round(Math.min(0.99, Math.max(0.05, raw)) * 100) / 100;
}

/** The matched line, trimmed; a very long line is cut to a window around the match. */
function reportedLine(line: string, matchIndex: number): string {
  const trimmed = line.trim();
  const max = CLASSIFIER_BOUNDS.MAX_REPORTED_LINE_CHARS;
  if (trimmed.length <= max) return trimmed;
  const offset = line.length - line.trimStart().length;
  const from = Math.max(0, Math.min(matchIndex - offset - 100, trimmed.length - max));
  return trimmed.slice(from, from + max).trim();
}

/** Keeps the head and the tail of a giant log (see CLASSIFIER_BOUNDS). */
function boundLog(log: string): string {
  const { HEAD_CHARS, TAIL_CHARS } = CLASSIFIER_BOUNDS;
  if (log.length <= HEAD_CHARS + TAIL_CHARS) return log;
  return `${log.slice(0, HEAD_CHARS)}\n${log.slice(log.length - TAIL_CHARS)}`;
}

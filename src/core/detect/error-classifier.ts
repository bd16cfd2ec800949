// The error classifier: a multi-line job log (Glue, Spark, PySpark, Airflow, S3, DuckDB) -> one
// failure family, the signature that proved it, the line it matched and a confidence. Pure.

import type { Classification } from '../failure-family.js';
import { CLASSIFIER_MODEL } from './classifier-model.generated.js';
import { predictor } from './error-model.js';
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
  /** The learned fallback reads at most the last this many characters of the bounded log. */
  MODEL_TAIL_CHARS: 64 * 1024,
} as const;

/** The model is never as sure as a signature: its confidence is capped here. */
const MAX_MODEL_CONFIDENCE = 0.85;
const predictFamily = predictor(CLASSIFIER_MODEL);

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

// Any signature hit implies one of these two unions hits, so most lines cost two regex tests. The
// case-sensitive patterns are kept apart: a case-insensitive union of everything is ~2x slower.
const unionOf = (sigs: readonly Signature[], flags: string) =>
  new RegExp(sigs.map((s) => `(?:${s.pattern.source})`).join('|') || '(?!)', flags);
const PREFILTER_CASED = unionOf(
  SIGNATURES.filter((s) => !s.pattern.ignoreCase),
  '',
);
const PREFILTER_UNCASED = unionOf(
  SIGNATURES.filter((s) => s.pattern.ignoreCase),
  'i',
);
const PREFILTER = { test: (line: string) => PREFILTER_CASED.test(line) || PREFILTER_UNCASED.test(line) };
// Java stack frames (`at a.b.C.m(C.java:1)`) and `... 36 more` never carry the message.
const STACK_FRAME = /^\s*(at [\w$.<>/]+\(.*\)|\.\.\. \d+ more|at\$)/;
// A line that starts a new log record (timestamp, level or a Python traceback first): the cause
// chain and the record's level restart there.
const RECORD_START =
  /^\s*(Traceback \(most recent call last\)|\[?\d{4}-\d{2}-\d{2}[T ]|\[?\d{2}\/\d{2}\/\d{2}[ ,]|\d{2}:\d{2}:\d{2}[.,]\d+ |\[?(ERROR|WARN|WARNING|INFO|DEBUG|TRACE|FATAL|CRITICAL)\]?[\s:])/;
const LOW_LEVEL = /\b(WARN|WARNING|INFO|DEBUG|TRACE)\b/;
const HIGH_LEVEL = /\b(ERROR|FATAL|CRITICAL)\b/;
const CAUSED_BY = /^\s*Caused by:/;
// A Python traceback frame (`  File "x.py", line 3, in f`); the indented source line under it is
// code, not a message.
const PY_FRAME = /^\s*File "[^"]{1,1000}", line \d+/;
const PY_SOURCE = /^\s{4,}\S/;

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
  if (best === undefined) return modelFallback(text);
  // A denial that shows up next to throttling or timeouts is the real failure: retrying the
  // same call is denied again, so the answer must not invite a blind retry.
  const chosen =
    best.signature.family === 'transient' && bestPermission !== undefined ? bestPermission : best;
  return {
    family: chosen.signature.family,
    rule: chosen.signature.id,
    confidence: confidenceOf(chosen),
    line: reportedLine(chosen.line, chosen.matchIndex),
    source: 'signature',
  };
}

/**
 * No signature matched: the learned fallback reads the tail of the log (without Java and Python stack
 * frames and INFO/DEBUG records, which never carry the failure) and answers only when its calibrated
 * probability clears the threshold fitted on the development corpus; otherwise `unknown`.
 */
function modelFallback(text: string): Classification {
  const p = predictFamily(modelLines(text));
  if (p.family === 'unknown' || p.line === '') return UNKNOWN;
  return {
    family: p.family,
    rule: `model.${p.family}`,
    confidence: Math.round(Math.min(MAX_MODEL_CONFIDENCE, p.probability) * 100) / 100,
    line: reportedLine(p.line, 0),
    source: 'model',
  };
}

/** The lines of a log the learned fallback reads (training reads texts through this too). */
export function modelLines(text: string): string[] {
  const lines: string[] = [];
  let afterPyFrame = false;
  for (const raw of text.slice(-CLASSIFIER_BOUNDS.MODEL_TAIL_CHARS).split('\n')) {
    const line = raw.slice(0, CLASSIFIER_BOUNDS.MAX_LINE_CHARS);
    const codeUnderFrame = afterPyFrame && PY_SOURCE.test(line);
    afterPyFrame = PY_FRAME.test(line);
    if (line.trim() === '' || STACK_FRAME.test(line) || afterPyFrame || codeUnderFrame) continue;
    const head = line.slice(0, 120);
    if (LOW_LEVEL.test(head) && !HIGH_LEVEL.test(head) && !/\bWARN(ING)?\b/.test(head)) continue;
    lines.push(line);
  }
  return lines;
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

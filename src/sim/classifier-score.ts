// The error classifier scored inside the benchmark: on the simulated incidents (the log each one
// carries, against the injected fault's family) and on the held-out half of the real-message corpus
// (test/fixtures/error-logs/corpus.json), so the simulator's own log templates are not the only test.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { classifyError } from '../core/detect/error-classifier.js';
import { FAILURE_FAMILIES, type FailureFamily } from '../core/failure-family.js';
import { type MeanCi, meanCi } from './stats.js';
import type { PreparedIncident } from './train.js';

/** Per family, over one seed's evaluation incidents: how many, and how many got their true family. */
export interface FamilyTally {
  incidents: number;
  /** The classifier's answer on the incident's log (before diagnose() refines an `unknown`). */
  log: number;
  /** The family diagnose() settles on (an `unknown` log refined by unambiguous findings). */
  diagnosis: number;
}
export type ClassifierTally = Record<FailureFamily, FamilyTally>;

/** The `"classifier"` key of results.json (accuracies as fractions of 1). */
export interface ClassifierJson {
  /** Where the texts come from: the simulator's log templates, built to look like engine logs. */
  source: 'simulated_logs';
  /** Log-only accuracy per seed, mean ± CI over seeds. */
  accuracy: MeanCi;
  /** Accuracy of the family diagnose() settles on, mean ± CI over seeds. */
  diagnosis_accuracy: MeanCi;
  /** Per injected family, pooled over seeds (a family can be absent from a seed). */
  families: Record<
    FailureFamily,
    { incidents: number; accuracy: number | null; diagnosis_accuracy: number | null }
  >;
}

function emptyTally(): ClassifierTally {
  return Object.fromEntries(
    FAILURE_FAMILIES.map((f) => [f, { incidents: 0, log: 0, diagnosis: 0 }]),
  ) as ClassifierTally;
}

/** Compares each incident's classifications (made by the real classifier in diagnose()) with its truth. */
export function tallyClassifier(prepared: readonly PreparedIncident[]): ClassifierTally {
  const t = emptyTally();
  for (const p of prepared) {
    const truth = p.incident.truth.family;
    const fromLog = p.diagnosis.familyRefinedFrom ?? p.diagnosis.classification;
    const row = t[truth];
    row.incidents++;
    if (fromLog.family === truth) row.log++;
    if (p.diagnosis.classification.family === truth) row.diagnosis++;
  }
  return t;
}

/** A share, or null when there is nothing to share (a family absent from the sample). */
const ratio = (n: number, d: number) => (d === 0 ? null : n / d);

/** Mean ± CI of the per-seed accuracies, and the per-family accuracies pooled over seeds. */
export function classifierJson(perSeed: readonly ClassifierTally[]): ClassifierJson {
  const total = (t: ClassifierTally, k: keyof FamilyTally) =>
    FAILURE_FAMILIES.reduce((s, f) => s + t[f][k], 0);
  const families = Object.fromEntries(
    FAILURE_FAMILIES.map((f) => {
      const incidents = perSeed.reduce((s, t) => s + t[f].incidents, 0);
      const log = perSeed.reduce((s, t) => s + t[f].log, 0);
      const diagnosis = perSeed.reduce((s, t) => s + t[f].diagnosis, 0);
      return [
        f,
        { incidents, accuracy: ratio(log, incidents), diagnosis_accuracy: ratio(diagnosis, incidents) },
      ];
    }),
  ) as ClassifierJson['families'];
  return {
    source: 'simulated_logs',
    accuracy: meanCi(perSeed.map((t) => total(t, 'log') / total(t, 'incidents'))),
    diagnosis_accuracy: meanCi(perSeed.map((t) => total(t, 'diagnosis') / total(t, 'incidents'))),
    families,
  };
}

/** One real error message of the corpus (the fields the score reads; the file has more). */
export const corpusMessageSchema = z.object({
  id: z.string().min(1),
  expectedFamily: z.enum(FAILURE_FAMILIES),
  text: z.string().min(1),
});
export type CorpusMessage = z.infer<typeof corpusMessageSchema>;

/**
 * The corpus half a message belongs to: parity of the first byte of sha256(text), the split
 * `npm run bench:classify` uses (test/support/error-corpus.ts; a test checks both agree).
 * Signatures and the learned fallback are tuned on `dev` only.
 */
export function corpusHalf(text: string): 'dev' | 'heldout' {
  const first = createHash('sha256').update(text, 'utf8').digest()[0] ?? 0;
  return first % 2 === 0 ? 'dev' : 'heldout';
}

/** Where the corpus lives in a checkout (the published package does not ship `test/`). */
export const CORPUS_FILE = fileURLToPath(
  new URL('../../test/fixtures/error-logs/corpus.json', import.meta.url),
);

/** The held-out half of the corpus, or undefined when the file is not there. */
export function loadHeldOutCorpus(file = CORPUS_FILE): CorpusMessage[] | undefined {
  if (!existsSync(file)) return undefined;
  const all = z.array(corpusMessageSchema).parse(JSON.parse(readFileSync(file, 'utf8')));
  return all.filter((m) => corpusHalf(m.text) === 'heldout');
}

/** The `"classifier_corpus"` key of results.json: real messages, never seen when tuning. */
export interface CorpusScoreJson {
  source: 'corpus_heldout';
  messages: number;
  correct: number;
  accuracy: number | null;
  /** Answers naming a wrong family (an `unknown` is a miss, not a wrong family). */
  wrong_family: number;
  families: Record<FailureFamily, { messages: number; accuracy: number | null }>;
}

/** Classifies every message with the real classifier and compares with its labelled family. */
export function scoreCorpus(messages: readonly CorpusMessage[]): CorpusScoreJson {
  const per = Object.fromEntries(FAILURE_FAMILIES.map((f) => [f, { messages: 0, correct: 0 }])) as Record<
    FailureFamily,
    { messages: number; correct: number }
  >;
  let correct = 0;
  let wrong = 0;
  for (const m of messages) {
    const got = classifyError(m.text).family;
    per[m.expectedFamily].messages++;
    if (got === m.expectedFamily) {
      correct++;
      per[m.expectedFamily].correct++;
    } else if (got !== 'unknown') wrong++;
  }
  return {
    source: 'corpus_heldout',
    messages: messages.length,
    correct,
    accuracy: ratio(correct, messages.length),
    wrong_family: wrong,
    families: Object.fromEntries(
      FAILURE_FAMILIES.map((f) => [
        f,
        { messages: per[f].messages, accuracy: ratio(per[f].correct, per[f].messages) },
      ]),
    ) as CorpusScoreJson['families'],
  };
}

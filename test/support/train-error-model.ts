// Trains the classifier's learned fallback (src/core/detect/error-model.ts) on labelled texts:
// multinomial naive Bayes over distinct tokens, a vocabulary of tokens seen in at least two
// texts, then a softmax temperature and an abstain threshold fitted on 5-fold out-of-fold scores
// so the reported probability means what it says. Deterministic: no randomness, sorted
// vocabulary, folds by a hash of the text, rounded weights.

import { createHash } from 'node:crypto';
import { modelLines } from '../../src/core/detect/error-classifier.js';
import {
  classScores,
  type ErrorModel,
  knownTokens,
  softmax,
  tokensOf,
} from '../../src/core/detect/error-model.js';
import { FAILURE_FAMILIES, type FailureFamily } from '../../src/core/failure-family.js';

export interface LabelledText {
  text: string;
  family: FailureFamily;
}

/** Laplace smoothing of token counts. */
const ALPHA = 0.5;
const MIN_DOC_FREQUENCY = 2;
const FOLDS = 5;
/** Out-of-fold precision the abstain threshold must reach among the answers it lets through. */
const TARGET_PRECISION = 0.95;
const MIN_TOKENS = 3;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Naive Bayes weights (no calibration yet) from texts. */
function fitNaiveBayes(docs: readonly LabelledText[]): Omit<ErrorModel, 'temperature' | 'threshold'> {
  const classes = [...FAILURE_FAMILIES];
  const docTokens = docs.map((d) => [...new Set(tokensOf(d.text))]);
  const df = new Map<string, number>();
  for (const tokens of docTokens) for (const t of tokens) df.set(t, (df.get(t) ?? 0) + 1);
  const vocabulary = [...df.entries()]
    .filter(([, n]) => n >= MIN_DOC_FREQUENCY)
    .map(([t]) => t)
    .sort();
  const index = new Map(vocabulary.map((t, i) => [t, i] as const));
  const counts = classes.map(() => new Array<number>(vocabulary.length).fill(0));
  const docsPerClass = classes.map(() => 0);
  docs.forEach((d, k) => {
    const c = classes.indexOf(d.family);
    docsPerClass[c] = (docsPerClass[c] ?? 0) + 1;
    for (const t of docTokens[k] ?? []) {
      const i = index.get(t);
      if (i !== undefined && counts[c]) counts[c][i] = (counts[c][i] ?? 0) + 1;
    }
  });
  const logPrior = docsPerClass.map((n) => round(Math.log((n + 1) / (docs.length + classes.length)), 4));
  const logLikelihood = counts.map((row) => {
    const total = row.reduce((a, b) => a + b, 0) + ALPHA * vocabulary.length;
    return row.map((n) => round(Math.log((n + ALPHA) / total), 3));
  });
  return {
    version: 1,
    classes,
    vocabulary,
    logPrior,
    logLikelihood,
    minTokens: MIN_TOKENS,
    trainedOn: {
      entries: docs.length,
      textsSha256: createHash('sha256')
        .update(docs.map((d) => `${d.family}\u0000${d.text}`).join('\u0001'))
        .digest('hex'),
    },
  };
}

/** Out-of-fold class scores for every doc (fold = second byte of sha256(text) mod FOLDS). */
function outOfFoldScores(
  docs: readonly LabelledText[],
): { scores: number[]; family: FailureFamily; tokens: number }[] {
  const fold = docs.map((d) => (sha256(d.text)[1] ?? 0) % FOLDS);
  const result: { scores: number[]; family: FailureFamily; tokens: number }[] = new Array(docs.length);
  for (let f = 0; f < FOLDS; f += 1) {
    const train = docs.filter((_, k) => fold[k] !== f);
    const model = { ...fitNaiveBayes(train), temperature: 1, threshold: 0 };
    const index = new Map(model.vocabulary.map((t, i) => [t, i] as const));
    docs.forEach((d, k) => {
      if (fold[k] !== f) return;
      const tokens = knownTokens(index, d.text);
      result[k] = { scores: classScores(model, tokens), family: d.family, tokens: tokens.length };
    });
  }
  return result;
}

/** The temperature minimising out-of-fold negative log-likelihood (grid, deterministic). */
function fitTemperature(
  oof: { scores: number[]; family: FailureFamily }[],
  classes: readonly FailureFamily[],
) {
  let best = 1;
  let bestLoss = Number.POSITIVE_INFINITY;
  for (let k = 0; k <= 80; k += 1) {
    const t = round(10 ** (k / 20), 4); // 1 .. 10^4
    let loss = 0;
    for (const o of oof)
      loss -= Math.log(Math.max(1e-12, softmax(o.scores, t)[classes.indexOf(o.family)] ?? 0));
    if (loss < bestLoss - 1e-9) {
      bestLoss = loss;
      best = t;
    }
  }
  return best;
}

/** The lowest threshold whose out-of-fold answers (non-abstentions) reach TARGET_PRECISION. */
function fitThreshold(
  oof: { scores: number[]; family: FailureFamily; tokens: number }[],
  classes: readonly FailureFamily[],
  temperature: number,
): number {
  const answers = oof.map((o) => {
    const p = softmax(o.scores, temperature);
    let best = 0;
    for (let c = 1; c < p.length; c += 1) if ((p[c] ?? 0) > (p[best] ?? 0)) best = c;
    return { p: p[best] ?? 0, predicted: classes[best], truth: o.family, tokens: o.tokens };
  });
  for (let k = 30; k <= 99; k += 1) {
    const threshold = k / 100;
    const taken = answers.filter(
      (a) => a.tokens >= MIN_TOKENS && a.predicted !== 'unknown' && a.p >= threshold,
    );
    const right = taken.filter((a) => a.predicted === a.truth).length;
    if (taken.length > 0 && right / taken.length >= TARGET_PRECISION) return threshold;
  }
  return 0.99;
}

/**
 * The whole training: weights on all docs, calibration from out-of-fold scores. Texts are read
 * through the classifier's own line filter, so training sees what inference sees.
 */
export function trainErrorModel(input: readonly LabelledText[]): ErrorModel {
  const docs = input.map((d) => ({ family: d.family, text: modelLines(d.text).join('\n') }));
  const weights = fitNaiveBayes(docs);
  const oof = outOfFoldScores(docs);
  const temperature = fitTemperature(oof, weights.classes);
  const threshold = fitThreshold(oof, weights.classes, temperature);
  return { ...weights, temperature, threshold };
}

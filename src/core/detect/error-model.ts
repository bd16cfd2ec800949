// The learned fallback of the error classifier: a multinomial naive Bayes over the tokens of a log,
// trained on the development half of the public error corpus (scripts/train-classifier.ts), with a
// temperature and an abstain threshold calibrated by cross-validation. Pure: the weights come in
// as data (classifier-model.generated.ts), nothing is read or learned at run time.

import type { FailureFamily } from '../failure-family.js';

/** The trained weights and the calibration, as the training script writes them. */
export interface ErrorModel {
  readonly version: 1;
  /** The classes, `unknown` included (predicting it means abstaining). */
  readonly classes: readonly FailureFamily[];
  /** The vocabulary; `logLikelihood[c][i]` is log P(vocabulary[i] | classes[c]). */
  readonly vocabulary: readonly string[];
  readonly logPrior: readonly number[];
  readonly logLikelihood: readonly (readonly number[])[];
  /** Softmax temperature fitted on out-of-fold scores (naive Bayes is overconfident). */
  readonly temperature: number;
  /** Calibrated probability below which the model abstains. */
  readonly threshold: number;
  /** A log with fewer known tokens than this carries too little evidence to judge. */
  readonly minTokens: number;
  /** What it was trained on, for the audit and the up-to-date test. */
  readonly trainedOn: { readonly entries: number; readonly textsSha256: string };
}

/** The model's answer for one log. `family` is `unknown` when it abstains. */
export interface ModelPrediction {
  family: FailureFamily;
  /** Calibrated probability of `family` (of the best family when abstaining). */
  probability: number;
  /** Calibrated probability of every class, in `model.classes` order. */
  probabilities: number[];
  /** The line that carries the most evidence for the family ('' when abstaining). */
  line: string;
  /** Known tokens the decision rests on. */
  evidence: number;
}

// Words, error codes and SQLSTATEs. Long digit runs, hex ids and UUID parts are noise.
const WORD = /[A-Za-z0-9_]+/g;
const CODE = /^(\d{3,5}|[0-9][0-9A-Z]{4})$/;
const NOISE = /^(\d+|[0-9a-f]{8,})$/i;
const DIGIT = /\d/g;
const CAMEL = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g;

/**
 * The tokens of a text: lowercased words, the parts of CamelCase and snake_case names (so
 * `TopicAuthorizationException` also counts as `authorization`), and error codes (`#42501`,
 * `#1045`, `#42P01`) kept verbatim because codes generalise across messages.
 */
export function tokensOf(text: string): string[] {
  const out: string[] = [];
  for (const word of text.match(WORD) ?? []) {
    if (CODE.test(word) && /\d/.test(word)) {
      out.push(`#${word.toUpperCase()}`);
      continue;
    }
    if (word.length < 2 || word.length > 60 || NOISE.test(word)) continue;
    const digits = word.match(DIGIT)?.length ?? 0;
    if (digits >= 5 || (digits >= 2 && word.length >= 8)) continue;
    out.push(word.toLowerCase());
    const parts = word.split('_').flatMap((p) => p.match(CAMEL) ?? []);
    if (parts.length > 1)
      for (const part of parts) if (part.length > 1 && !/^\d+$/.test(part)) out.push(part.toLowerCase());
  }
  return out;
}

/** The distinct tokens of a text that the model knows, as vocabulary indexes. */
export function knownTokens(index: ReadonlyMap<string, number>, text: string): number[] {
  const seen = new Set<number>();
  for (const t of tokensOf(text)) {
    const i = index.get(t);
    if (i !== undefined) seen.add(i);
  }
  return [...seen].sort((a, b) => a - b);
}

/** Naive Bayes log-scores of each class for a set of known tokens. */
export function classScores(model: ErrorModel, tokens: readonly number[]): number[] {
  return model.classes.map((_, c) => {
    const lik = model.logLikelihood[c] ?? [];
    let s = model.logPrior[c] ?? 0;
    for (const t of tokens) s += lik[t] ?? 0;
    return s;
  });
}

/** Softmax of scores divided by a temperature. */
export function softmax(scores: readonly number[], temperature: number): number[] {
  const scaled = scores.map((s) => s / temperature);
  const max = Math.max(...scaled);
  const exps = scaled.map((s) => Math.exp(s - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** A predictor bound to one model (the vocabulary index is built once). */
export function predictor(model: ErrorModel): (lines: readonly string[]) => ModelPrediction {
  const index = new Map(model.vocabulary.map((t, i) => [t, i] as const));
  const unknownAt = model.classes.indexOf('unknown');
  const permissionAt = model.classes.indexOf('permission');
  return (lines) => {
    const tokens = knownTokens(index, lines.join('\n'));
    const probabilities = softmax(classScores(model, tokens), model.temperature);
    let best = 0;
    for (let c = 1; c < probabilities.length; c += 1)
      if ((probabilities[c] ?? 0) > (probabilities[best] ?? 0)) best = c;
    const probability = probabilities[best] ?? 0;
    const family = model.classes[best] ?? 'unknown';
    const abstain =
      tokens.length < model.minTokens ||
      best === unknownAt ||
      probability < model.threshold ||
      // Never invite a blind retry when the text also reads like a denial.
      (family === 'transient' && (probabilities[permissionAt] ?? 0) > 0.01);
    if (abstain) return { family: 'unknown', probability, probabilities, line: '', evidence: tokens.length };
    return {
      family,
      probability,
      probabilities,
      line: evidenceLine(model, index, lines, best),
      evidence: tokens.length,
    };
  };
}

/** The line whose tokens most favour class `c` over the average class. */
function evidenceLine(
  model: ErrorModel,
  index: ReadonlyMap<string, number>,
  lines: readonly string[],
  c: number,
): string {
  const lik = model.logLikelihood;
  let bestLine = '';
  let bestScore = 0;
  for (const line of lines) {
    let score = 0;
    for (const t of knownTokens(index, line)) {
      let mean = 0;
      for (const row of lik) mean += row[t] ?? 0;
      mean /= lik.length;
      score += (lik[c]?.[t] ?? 0) - mean;
    }
    if (score > bestScore) {
      bestScore = score;
      bestLine = line;
    }
  }
  return bestLine.trim();
}

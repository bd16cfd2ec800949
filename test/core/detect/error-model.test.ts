// The classifier's learned fallback: the shipped weights are exactly what the training script
// produces from the development half (retrained here), the model is calibrated and abstains on
// noise, it is what answers when no signature matches, and on no input (corpus, mixtures, random
// logs) is a permission failure ever called transient.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLASSIFIER_MODEL } from '../../../src/core/detect/classifier-model.generated.js';
import { classifyError, modelLines } from '../../../src/core/detect/error-classifier.js';
import { predictor, softmax, tokensOf } from '../../../src/core/detect/error-model.js';
import { corpusHalf, loadCorpus } from '../../support/error-corpus.js';
import { trainErrorModel } from '../../support/train-error-model.js';

const corpus = loadCorpus();
const dev = corpusHalf('dev', corpus);
const heldout = corpusHalf('heldout', corpus);
const predict = predictor(CLASSIFIER_MODEL);

describe('the shipped model', () => {
  it('is up to date: retraining on the development half gives exactly the shipped weights', () => {
    const retrained = trainErrorModel(dev.map((e) => ({ text: e.text, family: e.expectedFamily })));
    expect(retrained).toEqual(CLASSIFIER_MODEL);
  });

  it('was trained on the development half only (no held-out text in its training set)', () => {
    expect(CLASSIFIER_MODEL.trainedOn.entries).toBe(dev.length);
    const withHeldout = trainErrorModel(
      [...dev, heldout[0]!].map((e) => ({ text: e.text, family: e.expectedFamily })),
    );
    expect(withHeldout.trainedOn.textsSha256).not.toBe(CLASSIFIER_MODEL.trainedOn.textsSha256);
  });

  it('is well-formed: one weight per class and token, a temperature and a threshold in range', () => {
    const m = CLASSIFIER_MODEL;
    expect(m.logPrior).toHaveLength(m.classes.length);
    for (const row of m.logLikelihood) expect(row).toHaveLength(m.vocabulary.length);
    expect([...m.vocabulary].sort()).toEqual(m.vocabulary);
    expect(m.temperature).toBeGreaterThan(0);
    expect(m.threshold).toBeGreaterThanOrEqual(0.3);
    expect(m.threshold).toBeLessThan(1);
  });
});

describe('tokens', () => {
  it('keeps error codes and splits exception class names into words', () => {
    const t = tokensOf(
      'org.apache.kafka.common.errors.TopicAuthorizationException: SQLSTATE 42501, ERROR 1045',
    );
    expect(t).toEqual(
      expect.arrayContaining(['topicauthorizationexception', 'authorization', '#42501', '#1045']),
    );
  });

  it('drops ids, hashes and long numbers', () => {
    expect(tokensOf('Request ID: 8SV7S6VZTXYQZQMW 1d8e4f2a9b7c 1728639379364')).toEqual(['request', 'id']);
  });
});

describe('calibration', () => {
  it('softmax with a temperature is a probability distribution', () => {
    const p = softmax([-10, -12, -30], CLASSIFIER_MODEL.temperature);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(p[0]).toBeGreaterThan(p[1]!);
  });

  it('answers on the held-out half are right at least 80% of the time (measured, blind to training)', () => {
    const answered = heldout.filter((e) => predict(modelLines(e.text)).family !== 'unknown');
    const right = answered.filter((e) => predict(modelLines(e.text)).family === e.expectedFamily);
    expect(answered.length).toBeGreaterThan(heldout.length * 0.2);
    expect(right.length / answered.length).toBeGreaterThanOrEqual(0.8);
  });

  it.each([
    ['a user-code bug', "TypeError: unsupported operand type(s) for +: 'int' and 'str'"],
    ['a bare failure', 'job failed'],
    ['wrapper lines only', 'py4j.protocol.Py4JJavaError: An error occurred while calling o77.save.'],
    ['config noise', 'spark.network.timeout=800s spark.sql.broadcastTimeout=1200'],
  ])('abstains on %s', (_name, text) => {
    expect(predict(modelLines(text)).family).toBe('unknown');
  });
});

describe('the classifier with its fallback', () => {
  it('answers from the model, with source and a capped confidence, when no signature matches', () => {
    // A Hudi key error: no signature knows Hudi's wording; the model reads "null", "cannot be null".
    const log =
      'org.apache.hudi.exception.HoodieKeyException: recordKey value: "null" for field: "id" cannot be null or empty.';
    const c = classifyError(log);
    expect(c).toMatchObject({ family: 'data_quality', rule: 'model.data_quality', source: 'model' });
    expect(c.confidence).toBeGreaterThanOrEqual(CLASSIFIER_MODEL.threshold - 0.01);
    expect(c.confidence).toBeLessThanOrEqual(0.85);
    expect(c.line).toBe(log);
  });

  it('a signature match is reported with source signature and wins over the model', () => {
    const c = classifyError(
      'psycopg2.OperationalError: FATAL:  password authentication failed for user "etl"',
    );
    expect(c).toMatchObject({ family: 'permission', rule: 'sql.invalid_authorization', source: 'signature' });
  });
});

describe('a permission failure is never transient', () => {
  const permissionLines = corpus
    .filter((e) => e.expectedFamily === 'permission')
    .flatMap((e) => e.text.split('\n'))
    .filter((l) => classifyError(l).source === 'signature' && classifyError(l).family === 'permission');
  const transientLines = corpus
    .filter((e) => e.expectedFamily === 'transient')
    .flatMap((e) => e.text.split('\n'))
    .filter((l) => classifyError(l).family === 'transient');

  it('has material to mix', () => {
    expect(permissionLines.length).toBeGreaterThan(30);
    expect(transientLines.length).toBeGreaterThan(30);
  });

  it('for any mix of real transient lines with one real denial line (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...transientLines), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...permissionLines),
        fc.nat(),
        (transient, denial, at) => {
          const lines = [...transient];
          lines.splice(at % (lines.length + 1), 0, denial);
          expect(classifyError(lines.join('\n')).family).toBe('permission');
        },
      ),
      { numRuns: 300, seed: 9 },
    );
  });

  it('the model alone never answers transient for a text that reads like a denial', () => {
    for (const e of corpus.filter((f) => f.expectedFamily === 'permission'))
      expect(predict(modelLines(e.text)).family, e.id).not.toBe('transient');
  });
});

describe('regressions from issue 9', () => {
  it.each([
    ['psycopg2.OperationalError: FATAL:  password authentication failed for user "analytics"', 'permission'],
    ["ERROR 1045 (28000): Access denied for user 'etl'@'10.0.0.4' (using password: YES)", 'permission'],
    ["airflow.exceptions.AirflowNotFoundException: The conn_id `warehouse` isn't defined", 'config'],
    [
      "dbt.exceptions.EnvVarMissingError: Parsing Error\n  Env var required but not provided: 'DBT_PASSWORD'",
      'config',
    ],
    ["FAILED: ParseException line 1:7 cannot recognize input near 'SELEC' '*' 'FROM'", 'config'],
    [
      'java.lang.ClassNotFoundException: Failed to find data source: delta. Please find packages at https://spark.apache.org/third-party-projects.html',
      'config',
    ],
  ])('%s -> %s', (log, family) => {
    expect(classifyError(log).family).toBe(family);
  });
});

// Tests of the signature library: one block per family. Every signature classifies its own real
// example to itself, ids are unique and well formed, and everyday log noise matches nothing.

import { describe, expect, it } from 'vitest';
import { FAILURE_FAMILIES } from '../../failure-family.js';
import { classifyError } from '../error-classifier.js';
import { CONFIG_SIGNATURES } from './config.js';
import { DATA_QUALITY_SIGNATURES } from './data-quality.js';
import { DEPENDENCY_SIGNATURES } from './dependency.js';
import { SIGNATURES } from './index.js';
import { PERMISSION_SIGNATURES } from './permission.js';
import { RESOURCE_SIGNATURES } from './resource.js';
import { SCHEMA_SIGNATURES } from './schema.js';
import type { Signature, SignatureFamily } from './signature.js';
import { TRANSIENT_SIGNATURES } from './transient.js';

const BY_FAMILY: Record<SignatureFamily, readonly Signature[]> = {
  transient: TRANSIENT_SIGNATURES,
  resource: RESOURCE_SIGNATURES,
  schema: SCHEMA_SIGNATURES,
  data_quality: DATA_QUALITY_SIGNATURES,
  permission: PERMISSION_SIGNATURES,
  config: CONFIG_SIGNATURES,
  dependency: DEPENDENCY_SIGNATURES,
};

for (const [family, signatures] of Object.entries(BY_FAMILY)) {
  describe(`${family} signatures`, () => {
    it('the family has at least two signatures, all declaring this family', () => {
      expect(signatures.length).toBeGreaterThanOrEqual(2);
      for (const s of signatures) expect(s.family).toBe(family);
    });

    it.each(signatures.map((s) => [s.id, s] as const))(
      '%s classifies its own example to itself',
      (_id, s) => {
        expect(s.pattern.test(s.example)).toBe(true);
        const c = classifyError(s.example);
        expect(c).toMatchObject({ family, rule: s.id });
        expect(c.confidence).toBeGreaterThan(0.4);
        expect(c.line).toBe(s.example.trim());
      },
    );
  });
}

describe('the signature library', () => {
  it('is the union of the family files, with unique well-formed ids', () => {
    expect(SIGNATURES.length).toBe(Object.values(BY_FAMILY).reduce((n, list) => n + list.length, 0));
    const ids = SIGNATURES.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(\.[a-z0-9_]+)+$/);
  });

  it('covers every family except unknown, which has no signature by design', () => {
    const covered = new Set(SIGNATURES.map((s) => s.family));
    expect([...covered].sort()).toEqual(FAILURE_FAMILIES.filter((f) => f !== 'unknown').sort());
  });

  it('declares specificity in (0, 1] and uses no global or sticky flags (they make test() stateful)', () => {
    for (const s of SIGNATURES) {
      expect(s.specificity).toBeGreaterThan(0);
      expect(s.specificity).toBeLessThanOrEqual(1);
      expect(s.pattern.global || s.pattern.sticky).toBe(false);
    }
  });

  it.each([
    '24/05/01 10:00:00 INFO SparkContext: Running Spark version 3.5.1',
    'INFO GlueContext: job arguments: --TempDir s3://aws-glue-temporary/ --job-bookmark-option job-bookmark-enable',
    'spark.network.timeout=800s spark.sql.broadcastTimeout=1200',
    '24/05/01 10:00:03 INFO DAGScheduler: Job 3 finished: save at NativeMethodAccessorImpl.java:0, took 12.3 s',
    '[2024-05-01, 10:00:00 UTC] {taskinstance.py:1138} INFO - Marking task as SUCCESS. dag_id=etl, task_id=load',
    "SELECT customer_id, SUM(amount) FROM read_csv('orders.csv') GROUP BY ALL",
    'Status Code: 200; Error Code: null',
  ])('matches nothing in everyday noise: %s', (line) => {
    expect(SIGNATURES.filter((s) => s.pattern.test(line)).map((s) => s.id)).toEqual([]);
  });
});

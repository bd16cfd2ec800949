// The classifier on real error messages people posted publicly (Stack Overflow, GitHub issues,
// AWS re:Post): each fixture names its source, the family it must get, and often the rule.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { classifyError } from '../../../src/core/detect/error-classifier.js';
import { SIGNATURES } from '../../../src/core/detect/signatures/index.js';
import { FAILURE_FAMILIES } from '../../../src/core/failure-family.js';

const Fixture = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    source: z.url(),
    expectedFamily: z.enum(FAILURE_FAMILIES),
    expectedRule: z.string().optional(),
    text: z.string().min(1),
  })
  .strict();

const corpus = z
  .array(Fixture)
  .parse(JSON.parse(readFileSync(new URL('../../fixtures/error-logs/corpus.json', import.meta.url), 'utf8')));

describe('error corpus: the fixture file', () => {
  it('holds at least 40 real messages with unique ids, covering every family', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    expect(new Set(corpus.map((f) => f.id)).size).toBe(corpus.length);
    for (const family of FAILURE_FAMILIES) {
      expect(corpus.filter((f) => f.expectedFamily === family).length, family).toBeGreaterThanOrEqual(3);
    }
  });

  it('names only rules that exist (or none for unknown)', () => {
    const ids = new Set([...SIGNATURES.map((s) => s.id), 'none']);
    for (const f of corpus)
      if (f.expectedRule !== undefined) expect(ids.has(f.expectedRule), f.id).toBe(true);
  });
});

describe('error corpus: classification', () => {
  it.each(corpus.map((f) => [f.id, f] as const))('%s', (_id, fixture) => {
    const c = classifyError(fixture.text);
    expect(c.family).toBe(fixture.expectedFamily);
    if (fixture.expectedRule !== undefined) expect(c.rule).toBe(fixture.expectedRule);
    if (c.family !== 'unknown') expect(fixture.text).toContain(c.line.slice(0, 80));
  });
});

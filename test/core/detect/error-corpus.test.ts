// The corpus of real public error messages (test/fixtures/error-logs/corpus.json) and the
// classifier measured on it: integrity of the file (sources, ids, balance, the fixed hash split),
// accuracy floors on both halves, and the safety invariant that a permission failure is never
// called transient.

import { describe, expect, it } from 'vitest';
import { classifyError } from '../../../src/core/detect/error-classifier.js';
import { SIGNATURES } from '../../../src/core/detect/signatures/index.js';
import { FAILURE_FAMILIES } from '../../../src/core/failure-family.js';
import { corpusHalf, familyCounts, halfOf, loadCorpus } from '../../support/error-corpus.js';

const corpus = loadCorpus();
const dev = corpusHalf('dev', corpus);
const heldout = corpusHalf('heldout', corpus);

function accuracy(entries: typeof corpus): number {
  const right = entries.filter((e) => classifyError(e.text).family === e.expectedFamily).length;
  return right / entries.length;
}

describe('error corpus: the fixture file', () => {
  it('holds at least 300 real messages with unique ids and texts, each with a source URL', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    expect(new Set(corpus.map((f) => f.id)).size).toBe(corpus.length);
    expect(new Set(corpus.map((f) => f.text)).size).toBe(corpus.length);
    for (const f of corpus) expect(f.source, f.id).toMatch(/^https?:\/\/\S+$/);
  });

  it('is balanced: every failure family has at least 30 messages, and unknown a few', () => {
    const counts = familyCounts(corpus);
    for (const family of FAILURE_FAMILIES) {
      const floor = family === 'unknown' ? 5 : 30;
      expect(counts[family], family).toBeGreaterThanOrEqual(floor);
    }
  });

  it('is split once by a hash of the text: deterministic, disjoint, both halves cover every family', () => {
    expect(dev.length + heldout.length).toBe(corpus.length);
    for (const e of corpus) expect(halfOf(e.text)).toBe(halfOf(`${e.text}`));
    // The rule is the parity of sha256's first byte: 'a' starts 0xca (even), 'e' starts 0x3f (odd).
    expect([halfOf('a'), halfOf('e')]).toEqual(['dev', 'heldout']);
    for (const half of [dev, heldout]) {
      const counts = familyCounts(half);
      for (const family of FAILURE_FAMILIES) expect(counts[family], family).toBeGreaterThan(0);
      expect(half.length).toBeGreaterThan(corpus.length * 0.4);
    }
  });

  it('names only rules that exist (or none for unknown)', () => {
    const ids = new Set([...SIGNATURES.map((s) => s.id), 'none']);
    for (const f of corpus)
      if (f.expectedRule !== undefined) expect(ids.has(f.expectedRule), f.id).toBe(true);
  });
});

describe('error corpus: accuracy (computed, floors are regression guards)', () => {
  it('development half: at least 0.97', () => {
    expect(accuracy(dev)).toBeGreaterThanOrEqual(0.97);
  });

  it('held-out half: at least 0.95', () => {
    expect(accuracy(heldout)).toBeGreaterThanOrEqual(0.95);
  });

  it('a permission failure is never classified transient, on either half', () => {
    for (const e of corpus.filter((f) => f.expectedFamily === 'permission'))
      expect(classifyError(e.text).family, e.id).not.toBe('transient');
  });

  it('a wrong answer is rare: misses are mostly honest unknowns', () => {
    const wrong = corpus.filter((e) => {
      const c = classifyError(e.text);
      return c.family !== e.expectedFamily && c.family !== 'unknown';
    });
    expect(wrong.length / corpus.length).toBeLessThanOrEqual(0.03);
  });
});

describe('error corpus: the rule of each pinned entry', () => {
  it.each(corpus.filter((f) => f.expectedRule !== undefined).map((f) => [f.id, f] as const))(
    '%s',
    (_id, fixture) => {
      const c = classifyError(fixture.text);
      expect(c.family).toBe(fixture.expectedFamily);
      expect(c.rule).toBe(fixture.expectedRule);
      if (c.family !== 'unknown') expect(fixture.text).toContain(c.line.slice(0, 80));
    },
  );
});

// The error-log corpus (test/fixtures/error-logs/corpus.json) read and validated once, and its
// fixed split: a hash of each entry's text puts it in the development or the held-out half, so the
// split never depends on order, ids or anyone's choice. Signatures and the learned fallback are
// tuned on `dev` only; `heldout` measures how they generalise.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { FAILURE_FAMILIES, type FailureFamily } from '../../src/core/failure-family.js';

export const CorpusEntry = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    source: z.url(),
    expectedFamily: z.enum(FAILURE_FAMILIES),
    expectedRule: z.string().optional(),
    /** The product the message comes from (spark, postgres, glue, ...). */
    system: z.string().optional(),
    /** True when a real format string (error catalogue, exception message) was filled with values. */
    templated: z.boolean().optional(),
    text: z.string().min(1),
  })
  .strict();
export type CorpusEntry = z.infer<typeof CorpusEntry>;

export type Half = 'dev' | 'heldout';

/** The half an entry belongs to: parity of the first byte of sha256(text). */
export function halfOf(text: string): Half {
  const first = createHash('sha256').update(text, 'utf8').digest()[0] ?? 0;
  return first % 2 === 0 ? 'dev' : 'heldout';
}

const CORPUS_URL = new URL('../fixtures/error-logs/corpus.json', import.meta.url);

/** Every corpus entry, validated. */
export function loadCorpus(): CorpusEntry[] {
  return z.array(CorpusEntry).parse(JSON.parse(readFileSync(CORPUS_URL, 'utf8')));
}

/** The entries of one half, in file order. */
export function corpusHalf(half: Half, corpus: CorpusEntry[] = loadCorpus()): CorpusEntry[] {
  return corpus.filter((e) => halfOf(e.text) === half);
}

/** Family counts, every family present (zero when absent). */
export function familyCounts(entries: CorpusEntry[]): Record<FailureFamily, number> {
  const counts = Object.fromEntries(FAILURE_FAMILIES.map((f) => [f, 0])) as Record<FailureFamily, number>;
  for (const e of entries) counts[e.expectedFamily] += 1;
  return counts;
}

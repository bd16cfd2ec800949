// The classifier's score on the real-message corpus: the split matches `npm run bench:classify`'s,
// and the counting (right, unknown miss, wrong family) is checked on messages with known answers.

import { describe, expect, it } from 'vitest';
import { halfOf, loadCorpus, corpusHalf as supportHalf } from '../../test/support/error-corpus.js';
import { corpusHalf, loadHeldOutCorpus, scoreCorpus } from './classifier-score.js';

describe('classifier score on the corpus', () => {
  it('loads exactly the held-out half npm run bench:classify uses', () => {
    const all = loadCorpus();
    const held = loadHeldOutCorpus();
    expect(held?.map((m) => m.id)).toEqual(supportHalf('heldout', all).map((e) => e.id));
    expect(held!.length).toBeGreaterThan(100);
    for (const e of all) expect(corpusHalf(e.text)).toBe(halfOf(e.text));
  });

  it('is undefined when the corpus is not shipped (an installed package has no test/)', () => {
    expect(loadHeldOutCorpus('/nonexistent/corpus.json')).toBeUndefined();
  });

  it('counts right answers, unknown misses and wrong families per family', () => {
    const s = scoreCorpus([
      {
        id: 'throttle',
        expectedFamily: 'transient',
        text: 'botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling the GetCrawler operation: Rate exceeded',
      },
      // The same throttling text labelled as a permission failure: a wrong family.
      {
        id: 'mislabelled',
        expectedFamily: 'permission',
        text: 'botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling the GetCrawler operation: Rate exceeded',
      },
      { id: 'opaque', expectedFamily: 'config', text: 'zzz qqq' },
    ]);
    expect(s).toMatchObject({ messages: 3, correct: 1, wrong_family: 1 });
    expect(s.accuracy).toBeCloseTo(1 / 3, 12);
    expect(s.families.transient).toEqual({ messages: 1, accuracy: 1 });
    expect(s.families.permission).toEqual({ messages: 1, accuracy: 0 });
    expect(s.families.config).toEqual({ messages: 1, accuracy: 0 });
    expect(s.families.schema).toEqual({ messages: 0, accuracy: null });
  });
});

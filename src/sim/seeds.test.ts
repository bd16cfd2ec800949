// The held-out seeds are never tuned on: disjoint from the reference range and from every default
// that trains or ships a policy.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicyArtifact } from '../core/policy/artifact.js';
import { HELD_OUT_SEEDS, heldOutSeeds, isHeldOutSeed, parseSeeds, REFERENCE_SEEDS } from './seeds.js';

describe('held-out seeds', () => {
  it('are 1000..1029, disjoint from the reference protocol 42..71', () => {
    expect(HELD_OUT_SEEDS).toBe('1000..1029');
    expect(heldOutSeeds()).toHaveLength(30);
    expect(parseSeeds(REFERENCE_SEEDS).filter(isHeldOutSeed)).toEqual([]);
  });

  it('were not used to train the shipped default policy', () => {
    const file = new URL('../../policies/default.policy.json', import.meta.url);
    const artifact = parsePolicyArtifact(JSON.parse(readFileSync(file, 'utf8')));
    expect(artifact.training.seed).toBeTypeOf('number');
    expect(isHeldOutSeed(artifact.training.seed as number)).toBe(false);
  });
});

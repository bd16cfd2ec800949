// Parsing of seed lists for the CLI: `42..71` (inclusive range) or `1,2,3`.

import { InvalidInputError } from '../core/errors.js';

const MAX_SEEDS = 1000;

/** The reference protocol's seeds (Benzon 2026): the range every figure is compared on. */
export const REFERENCE_SEEDS = '42..71';

/**
 * Seeds reported beside the reference range and never tuned on: no default, no training run and
 * no shipped artifact may use them (`healer train` refuses them; a test checks the defaults), so
 * the gap between the two ranges shows how much of a figure is fitted to 42..71.
 */
export const HELD_OUT_SEEDS = '1000..1029';

/** True when the seed is one of the held-out seeds. */
export function isHeldOutSeed(seed: number): boolean {
  return heldOutSeeds().includes(seed);
}

/** The held-out seeds as numbers. */
export function heldOutSeeds(): number[] {
  return parseSeeds(HELD_OUT_SEEDS);
}

/** Parses `A..B` or a comma list of non-negative integers; throws InvalidInputError naming the bad part. */
export function parseSeeds(text: string, where = '--seeds'): number[] {
  const t = text.trim();
  const range = /^(\d+)\.\.(\d+)$/.exec(t);
  let seeds: number[];
  if (range) {
    const a = Number(range[1]);
    const b = Number(range[2]);
    if (b < a) throw new InvalidInputError(`${where}: range ${t} is empty (end before start)`);
    if (b - a + 1 > MAX_SEEDS)
      throw new InvalidInputError(`${where}: at most ${MAX_SEEDS} seeds, got ${b - a + 1}`);
    seeds = Array.from({ length: b - a + 1 }, (_, i) => a + i);
  } else {
    const parts = t.split(',').map((p) => p.trim());
    for (const p of parts)
      if (!/^\d+$/.test(p) || !Number.isSafeInteger(Number(p)))
        throw new InvalidInputError(
          `${where}: '${p}' is not a seed (expected A..B or a comma list of integers, e.g. 42..71 or 1,2,3)`,
        );
    seeds = parts.map(Number);
    if (seeds.length > MAX_SEEDS) throw new InvalidInputError(`${where}: at most ${MAX_SEEDS} seeds`);
  }
  if (seeds.some((s) => s > 0xffffffff)) throw new InvalidInputError(`${where}: seeds must be below 2^32`);
  return seeds;
}

/** Parses a positive integer option. */
export function parsePositiveInt(text: string, where: string, max = 10_000_000): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max)
    throw new InvalidInputError(`${where}: '${text}' is not an integer between 1 and ${max}`);
  return n;
}

// A small seeded pseudo-random generator (mulberry32): the only randomness policies use, so every
// training run and benchmark is reproducible from its seed.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n); n must be a positive integer. */
  int(n: number): number;
}

/** mulberry32: 32-bit state, full period, good enough for exploration and sampling (not crypto). */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0)
        throw new RangeError(`rng.int: n must be a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
  };
}

// The SLO stress workload: which pipeline meets which fault in which round, at a given fault rate,
// seeded so every arm of the benchmark faces the same schedule. Pure: the harness produces the
// faults for real (slo-bench.ts); this file only draws them.

import { createRng } from '../core/policy/rng.js';

/** The faults of the stress benchmark, as the issue names them. */
export const SLO_FAULTS = ['memory_pressure', 'throttling', 'late_upstream', 'drift', 'bad_rows'] as const;
export type SloFault = (typeof SLO_FAULTS)[number];

/** One scheduled run of one pipeline. */
export interface PlannedRun {
  pipeline: number;
  round: number;
  /** The fault injected into this run, if any. */
  fault?: SloFault;
  /**
   * Milliseconds the condition lasts after the round starts: how long a throttle keeps refusing
   * reads, or when a late input is written.
   */
  delayMs?: number;
  /**
   * The job's memory_limit was cut below what its transform needs (this round or an earlier one):
   * it stays cut, so every later run of the job needs the memory a `scale_resources` found, unless
   * someone keeps it for the job.
   */
  memoryCut: boolean;
}

export interface WorkloadOptions {
  seed: number;
  pipelines: number;
  rounds: number;
  /** Probability that a run gets a new fault (0..1). */
  rate: number;
  /** Only these faults (tests); default all. */
  faults?: readonly SloFault[];
}

/**
 * Draws every run of the workload. A throttle lasts 0.3-1.5 s (a retry's backoff rides it out) or,
 * one time in three, 2.5-5 s (a storm); a late input lands after 0.4-1.4 s or 2.5-5 s. A memory cut
 * stays for the job's later rounds.
 */
export function planWorkload(options: WorkloadOptions): PlannedRun[][] {
  const rng = createRng((options.seed * 0x9e3779b1) ^ Math.round(options.rate * 1000));
  const faults = options.faults ?? SLO_FAULTS;
  const cut = new Set<number>();
  const rounds: PlannedRun[][] = [];
  for (let r = 0; r < options.rounds; r++) {
    const runs: PlannedRun[] = [];
    for (let p = 0; p < options.pipelines; p++) {
      const run: PlannedRun = { pipeline: p, round: r, memoryCut: cut.has(p) };
      // Every draw is made whether or not it is used, so the schedule of one pipeline does not
      // depend on another's faults.
      const hit = rng.next() < options.rate;
      const fault = faults[rng.int(faults.length)]!;
      const storm = rng.next() < 1 / 3;
      const jitter = rng.next();
      if (hit && !(fault === 'memory_pressure' && run.memoryCut)) {
        run.fault = fault;
        if (fault === 'memory_pressure') {
          run.memoryCut = true;
          cut.add(p);
        }
        if (fault === 'throttling')
          run.delayMs = Math.round(storm ? 2500 + jitter * 2500 : 300 + jitter * 1200);
        if (fault === 'late_upstream')
          run.delayMs = Math.round(storm ? 2500 + jitter * 2500 : 400 + jitter * 1000);
      }
      runs.push(run);
    }
    rounds.push(runs);
  }
  return rounds;
}

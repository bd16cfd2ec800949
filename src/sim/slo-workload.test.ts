import { describe, expect, it } from 'vitest';
import { planWorkload, SLO_FAULTS } from './slo-workload.js';

describe('planWorkload', () => {
  it('is seeded, draws faults near the rate, and keeps a memory cut for the later rounds', () => {
    const a = planWorkload({ seed: 7, pipelines: 40, rounds: 5, rate: 0.3 });
    expect(planWorkload({ seed: 7, pipelines: 40, rounds: 5, rate: 0.3 })).toEqual(a);
    const runs = a.flat();
    const share = runs.filter((r) => r.fault).length / runs.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
    expect(new Set(runs.map((r) => r.fault).filter(Boolean))).toEqual(new Set(SLO_FAULTS));
    for (const r of runs.filter((x) => x.fault === 'memory_pressure'))
      for (const later of runs.filter((x) => x.pipeline === r.pipeline && x.round > r.round))
        expect(later.memoryCut).toBe(true);
    for (const r of runs.filter((x) => x.fault === 'throttling' || x.fault === 'late_upstream')) {
      expect(r.delayMs).toBeGreaterThanOrEqual(300);
      expect(r.delayMs).toBeLessThanOrEqual(5000);
    }
  });

  it('a higher rate faults at least the runs a lower one does (same draws)', () => {
    const low = planWorkload({ seed: 3, pipelines: 30, rounds: 3, rate: 0.1 }).flat();
    const high = planWorkload({ seed: 3, pipelines: 30, rounds: 3, rate: 0.5 }).flat();
    expect(high.filter((r) => r.fault).length).toBeGreaterThan(low.filter((r) => r.fault).length);
  });
});

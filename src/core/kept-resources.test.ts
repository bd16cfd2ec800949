import { describe, expect, it } from 'vitest';
import { afterRun, KEEP_RUNS_BEFORE_TRIAL, planRun, stepDown } from './kept-resources.js';

const base = { memoryMb: 64, threads: 1 };

describe('kept resources', () => {
  it('steps down threads first, then memory, never below the pipeline setting', () => {
    expect(stepDown({ memoryMb: 256, threads: 4 }, base)).toEqual({ memoryMb: 256, threads: 2 });
    expect(stepDown({ memoryMb: 256, threads: 1 }, base)).toEqual({ memoryMb: 128, threads: 1 });
    expect(stepDown({ memoryMb: 96, threads: 1 }, base)).toEqual({ memoryMb: 64, threads: 1 });
    expect(stepDown(base, base)).toBeUndefined();
  });

  it('plain runs use the kept setting; after enough successes one run tries a step down', () => {
    expect(planRun(undefined, base)).toEqual({ settings: base });
    const kept = { settings: { memoryMb: 128, threads: 1 }, successes: KEEP_RUNS_BEFORE_TRIAL - 1 };
    expect(planRun(kept, base)).toEqual({ settings: kept.settings });
    const due = { ...kept, successes: KEEP_RUNS_BEFORE_TRIAL };
    expect(planRun(due, base)).toEqual({ settings: base, trial: { from: kept.settings, to: base } });
    // A pipeline that raised its own setting to the kept one makes the record moot.
    expect(planRun(kept, { memoryMb: 128, threads: 1 })).toEqual({ settings: { memoryMb: 128, threads: 1 } });
  });

  it('counts successes, keeps a step down that succeeded, and resets when it failed', () => {
    const kept = { settings: { memoryMb: 256 }, successes: 1 };
    expect(afterRun(kept, { settings: kept.settings }, base, true)).toEqual({
      kept: { ...kept, successes: 2 },
    });
    expect(afterRun(kept, { settings: kept.settings }, base, false)).toEqual({ kept });
    const trial = { settings: { memoryMb: 128 }, trial: { from: { memoryMb: 256 }, to: { memoryMb: 128 } } };
    const ok = afterRun({ ...kept, successes: 3 }, trial, base, true);
    expect(ok.kept).toEqual({ settings: { memoryMb: 128 }, successes: 0 });
    expect(ok.change?.reason).toMatch(/no longer needed/);
    const failed = afterRun({ ...kept, successes: 3 }, trial, base, false);
    expect(failed.kept).toEqual({ settings: { memoryMb: 256 }, successes: 0 });
    expect(failed.change?.reason).toMatch(/still needed/);
    // Back at the pipeline's own setting: nothing is kept any more.
    const last = { settings: { memoryMb: 64 }, trial: { from: { memoryMb: 128 }, to: { memoryMb: 64 } } };
    expect(afterRun({ settings: { memoryMb: 128 }, successes: 3 }, last, base, true).kept).toBeUndefined();
  });
});

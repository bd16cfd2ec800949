// The SLO stress benchmark in quick mode, on the embedded runtime for real: its JSON shape, no unsafe
// action, and the arms ordered as they must be (doing nothing never beats retrying; the agents
// recover what retries cannot).

import { describe, expect, it } from 'vitest';
import { runSloBench, SLO_ARMS, SLO_QUICK } from './slo-bench.js';

describe('runSloBench (quick)', () => {
  it('keeps the invariants on real DuckDB runs with produced faults', async () => {
    const { json, records } = await runSloBench({ ...SLO_QUICK, rates: [0.8], rounds: 2 });
    expect(Object.keys(json.slo_adherence).sort()).toEqual([...SLO_ARMS].sort());
    expect(Object.keys(json.mttr_seconds).sort()).toEqual([...SLO_ARMS].sort());
    expect(json.pipelines).toBe(SLO_QUICK.pipelines);
    expect(json.runs).toBe(records.length);
    expect(json.runs).toBe(SLO_ARMS.length * SLO_QUICK.pipelines * 2);
    // Every arm faced the same schedule.
    const faults = (arm: string) =>
      records.filter((r) => r.arm === arm).map((r) => `${r.round}/${r.pipeline}/${r.fault}`);
    for (const arm of SLO_ARMS) expect(faults(arm)).toEqual(faults('none'));
    for (const arm of SLO_ARMS) expect(json.by_rate[0]!.arms[arm].unsafe_actions).toBe(0);
    // No agent: a failed run is never recovered; it meets its SLO only when nothing failed.
    expect(records.filter((r) => r.arm === 'none' && r.failed && r.met)).toEqual([]);
    expect(json.mttr_seconds.none).toBeNull();
    const s = json.slo_adherence;
    expect(s.retry_only).toBeGreaterThanOrEqual(s.none);
    expect(s.rules).toBeGreaterThanOrEqual(s.none);
    expect(s.healer).toBeGreaterThanOrEqual(s.none);
    // The agents recover failures retries cannot (a memory cut, drift, bad rows all fail every retry).
    const recovered = (arm: string) =>
      records.filter((r) => r.arm === arm && r.recoverySeconds !== undefined).length;
    expect(recovered('healer')).toBeGreaterThan(recovered('retry_only'));
    expect(json.by_rate[0]!.arms.retry_only.memory_steps).toBe(0);
  }, 240_000);
});

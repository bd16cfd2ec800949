// The shift scenario's invariants in quick mode (few seeds, short streams): the shift changes the
// right fix only for the shifted faults, no policy executes anything unsafe with the guard on, and
// results.json's `shift` shape is exactly the one the issue spells out.

import { describe, expect, it } from 'vitest';
import { memoryIo } from '../cli/io.js';
import { main } from '../cli/main.js';
import { generateIncidents } from './scenarios.js';
import { runShift, SHIFT_POLICIES, shiftIncident } from './shift.js';
import { RETRY_WINDOW_SECONDS } from './sim-authority.js';

describe('shiftIncident', () => {
  const incidents = generateIncidents({
    seed: 7,
    count: 60,
    faults: ['upstream_not_ready', 'throttling', 'timeout', 'rename'],
    protectedShare: 0,
  });

  it('retry stops fixing the shifted faults, defer fixes what a re-run fixes before and after', () => {
    for (const incident of incidents) {
      const before = shiftIncident(incident, false).truth.fixing;
      const after = shiftIncident(incident, true).truth.fixing;
      switch (incident.truth.fault) {
        case 'upstream_not_ready':
        case 'throttling':
          // A throttling storm outlasts a retry's backoff even before the shift (scenarios.ts).
          expect(before.sort()).toEqual(
            (incident.truth.delaySeconds ?? 0) <= RETRY_WINDOW_SECONDS ? ['defer', 'retry'] : ['defer'],
          );
          expect(after).toEqual(['defer']);
          break;
        case 'timeout':
          expect(before.sort()).toEqual(['defer', 'retry']);
          expect(after.sort()).toEqual(['defer', 'retry']);
          break;
        default:
          expect(after).toEqual(incident.truth.fixing);
      }
    }
  });
});

describe('runShift (quick mode)', async () => {
  const result = await runShift({
    seeds: [3, 4],
    before: 60,
    after: 150,
    trainIncidents: 60,
    episodes: 2400,
  });

  it('has exactly the shape of results.json, every number { mean, ci95 }', () => {
    const stat = { mean: expect.any(Number), ci95: expect.any(Number) };
    expect(Object.keys(result.json).sort()).toEqual(['ope', 'policies']);
    expect(Object.keys(result.json.policies).sort()).toEqual([...SHIFT_POLICIES].sort());
    for (const name of SHIFT_POLICIES)
      expect(result.json.policies[name]).toEqual({
        success_before: stat,
        success_after: stat,
        unsafe_executions: stat,
      });
    expect(result.json.ope).toEqual({
      ips: { estimate: stat, true: stat, abs_error: stat },
      dr: { estimate: stat, true: stat, abs_error: stat },
    });
  });

  it('executes nothing unsafe with the guard on, exploring or not', () => {
    for (const seed of result.perSeed)
      for (const name of SHIFT_POLICIES) expect(seed.policies[name].unsafe_executions).toBe(0);
  });

  it('the shift hurts the policies that keep retrying and the learner adapts', () => {
    const p = result.json.policies;
    expect(p.rules.success_after.mean).toBeLessThan(p.rules.success_before.mean);
    expect(p.online_q.success_after.mean).toBeGreaterThan(p.rules.success_after.mean);
    // What the learner ends up with is better still than what it did while learning.
    expect(result.json.ope.dr.true.mean).toBeGreaterThan(p.rules.success_after.mean);
    for (const seed of result.perSeed) {
      expect(seed.ope.true).toBeGreaterThanOrEqual(0);
      expect(seed.ope.true).toBeLessThanOrEqual(1);
      expect(seed.ope.n).toBe(150);
    }
  });
});

describe('healer bench --scenario', () => {
  it('refuses an unknown scenario with one line, exit 2', async () => {
    const io = memoryIo('', '/tmp');
    expect(await main(['bench', '--scenario', 'drift', '--seeds', '1'], io)).toBe(2);
    expect(io.stderr).toBe("healer: E_INPUT: --scenario: 'drift' is not one of stationary, shift\n");
  });
});

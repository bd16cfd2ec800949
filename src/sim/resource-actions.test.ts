// The simulator's resource actions: scale_resources fixes an out-of-memory fault when its one step
// within the caps reaches what the job needs, defer fixes a late input or a throttle when its bound
// covers the delay; the guard keeps both to the families and bounds it allows.

import { describe, expect, it } from 'vitest';
import { decide } from '../core/decide.js';
import type { Policy } from '../core/policy/policy.js';
import { RulePolicy } from '../core/policy/rule-policy.js';
import { nextScaleStep } from '../core/resources.js';
import { simulateAction } from './outcome-model.js';
import { generateIncidents } from './scenarios.js';
import { RETRY_WINDOW_SECONDS, SIM_ACTIONS, SIM_AUTHORITY, SIM_RESOURCE_CAPS } from './sim-authority.js';
import { prepareIncident } from './train.js';

/** A policy that always proposes `defer` (to see what the guard does with it). */
const ALWAYS_DEFER: Policy = {
  kind: 'rules',
  version: 'always-defer',
  hash: 'always-defer',
  propose: () => ({ action: 'defer', qValues: {}, propensity: 1, policyVersion: 'always-defer' }),
};
const NO_USAGE = { retriesThisRun: 0, retriesThisJobLastHour: 0, consecutiveFailedRemediations: 0 };

describe('scale_resources in the simulator', () => {
  const incidents = generateIncidents({
    seed: 21,
    count: 40,
    faults: ['memory_pressure'],
    protectedShare: 0,
  });

  it('fixes a DuckDB out-of-memory failure exactly when the next step within the caps reaches the need', () => {
    let fixed = 0;
    let unfixed = 0;
    for (const i of incidents) {
      expect(i.log).toMatch(/Out of Memory Error: failed to allocate data of size/);
      const step = nextScaleStep(i.resources!, SIM_RESOURCE_CAPS);
      const reaches = step !== undefined && (step.after.memoryMb ?? 0) >= i.truth.resourceNeed!;
      const outcome = simulateAction(i, 'scale_resources');
      expect(outcome.fixed).toBe(reaches);
      expect(outcome.spent).toEqual({ scaleSteps: 1, waitedMinutes: 0 });
      // More of the same memory never helps a retry.
      expect(simulateAction(i, 'retry').fixed).toBe(false);
      if (reaches) fixed++;
      else unfixed++;
    }
    // The mix has both: needs one step covers, and jobs at the cap or needing more than double.
    expect(fixed).toBeGreaterThan(0);
    expect(unfixed).toBeGreaterThan(0);
  });

  it('the guard lets the rule policy scale a resource failure within the caps, and vetoes it at the cap', () => {
    const rules = new RulePolicy({ actions: SIM_ACTIONS });
    let scaled = 0;
    for (const i of incidents) {
      const p = prepareIncident(i);
      const d = decide({
        diagnosis: p.diagnosis,
        policy: rules,
        capabilities: p.capabilities,
        authority: SIM_AUTHORITY,
        usage: NO_USAGE,
      });
      if (p.diagnosis.classification.family !== 'resource') continue;
      expect(d.proposal.action).toBe('scale_resources');
      if (i.resources!.memoryMb! >= SIM_RESOURCE_CAPS.maxMemoryMb!) {
        expect(p.capabilities.scaleStep).toBeUndefined();
        expect(d.verdict.final).toBe('escalate');
        expect(d.verdict.fired.map((r) => r.id)).toContain('G17_SCALE_WITHIN_CAPS');
      } else {
        expect(d.verdict.final).toBe('scale_resources');
        expect(p.capabilities.scaleStep!.after.memoryMb).toBe(i.resources!.memoryMb! * 2);
        scaled++;
      }
    }
    expect(scaled).toBeGreaterThan(0);
  });
});

describe('defer in the simulator', () => {
  it('fixes a late input when the wait bound covers its delay; a retry only within its backoff', () => {
    const bound = SIM_AUTHORITY.defer.maxWaitSeconds;
    const seen = { covered: 0, beyond: 0 };
    for (const i of generateIncidents({
      seed: 22,
      count: 40,
      faults: ['late_upstream'],
      protectedShare: 0,
    })) {
      const delay = i.truth.delaySeconds!;
      expect(i.currentRows).toBeUndefined();
      const deferred = simulateAction(i, 'defer');
      expect(deferred.fixed).toBe(delay <= bound);
      expect(deferred.spent!.waitedMinutes).toBeCloseTo(Math.min(delay, bound) / 60);
      expect(simulateAction(i, 'retry').fixed).toBe(delay <= RETRY_WINDOW_SECONDS);
      if (delay <= bound) seen.covered++;
      else seen.beyond++;
    }
    expect(seen.covered).toBeGreaterThan(0);
    expect(seen.beyond).toBeGreaterThan(0);
  });

  it('rides out throttling storms a retry cannot, and the guard allows it only with a condition', () => {
    let storms = 0;
    for (const i of generateIncidents({ seed: 23, count: 40, faults: ['throttling'], protectedShare: 0 })) {
      const p = prepareIncident(i);
      expect(p.capabilities.deferCondition).toBe('the throttle to pass');
      expect(simulateAction(i, 'defer').fixed).toBe(true);
      if (!simulateAction(i, 'retry').fixed) storms++;
    }
    expect(storms).toBeGreaterThan(0);
    // A schema failure has nothing to wait for: defer is vetoed (G20).
    const [drift] = generateIncidents({ seed: 24, count: 1, faults: ['add_column'], protectedShare: 0 });
    const p = prepareIncident(drift!);
    expect(p.capabilities.deferCondition).toBeUndefined();
    const d = decide({
      diagnosis: p.diagnosis,
      policy: ALWAYS_DEFER,
      capabilities: p.capabilities,
      authority: SIM_AUTHORITY,
      usage: NO_USAGE,
    });
    expect(d.verdict.final).toBe('escalate');
    expect(d.verdict.fired.map((r) => r.id)).toContain('G20_DEFER_NEEDS_WAITABLE_CONDITION');
  });
});

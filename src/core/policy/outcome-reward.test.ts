import { describe, expect, it } from 'vitest';
import { outcomeReward, OUTCOME_REWARD as R, timePenalty } from './outcome-reward.js';

describe('outcomeReward', () => {
  it('a validated resolution earns 1 less its time, a failed validation −0.5', () => {
    expect(outcomeReward({ final: 'retry', executed: true, validation: 'resolved', minutes: 0 })).toBe(1);
    expect(outcomeReward({ final: 'retry', executed: true, validation: 'resolved', minutes: 30 })).toBe(
      0.875,
    );
    expect(outcomeReward({ final: 'retry', executed: true, validation: 'resolved', minutes: 600 })).toBe(
      0.75,
    );
    expect(outcomeReward({ final: 'quarantine', executed: true, validation: 'escalate' })).toBe(-0.5);
  });

  it('is unknown while awaiting approval or unlabelled in shadow; known after a verdict or a label', () => {
    expect(outcomeReward({ final: 'retry', executed: false })).toBeUndefined();
    expect(outcomeReward({ final: 'retry', executed: false, verdict: 'rejected' })).toBe(R.failedAction);
    expect(outcomeReward({ final: 'retry', executed: false, label: 'retry' })).toBe(R.resolved);
    expect(outcomeReward({ final: 'retry', executed: false, label: 'escalate' })).toBe(R.failedAction);
  });

  it('an escalation is neutral until a label says whether it was needed', () => {
    expect(outcomeReward({ final: 'escalate', executed: false })).toBe(0);
    expect(outcomeReward({ final: 'escalate', executed: false, label: 'escalate' })).toBe(0.5);
    expect(outcomeReward({ final: 'escalate', executed: false, label: 'retry' })).toBe(-0.2);
  });

  it('log_only that ran is passive; a veto costs 0.1 on top', () => {
    expect(outcomeReward({ final: 'log_only', executed: true })).toBe(-0.3);
    expect(
      outcomeReward({ final: 'escalate', executed: false, label: 'escalate', overridden: true }),
    ).toBeCloseTo(0.4, 12);
  });

  it('the time penalty rises linearly to its cap', () => {
    expect(timePenalty(-5)).toBe(0);
    expect(timePenalty(60)).toBe(R.maxTimePenalty);
  });
});

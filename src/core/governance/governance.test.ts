import { describe, expect, it } from 'vitest';
import { type ApprovalFacts, approvalExpiresAt, diffFacts } from './approval-facts.js';
import { DEFAULT_AUTONOMY_THRESHOLDS, eligibility, shouldDemote } from './autonomy.js';
import { agreementOf, shadowReport, wilsonInterval } from './shadow-report.js';

describe('wilsonInterval', () => {
  it('matches published values (8/10, 0/10, 10/10, 81/263)', () => {
    const a = wilsonInterval(8, 10);
    expect(a.lower).toBeCloseTo(0.4902, 4);
    expect(a.upper).toBeCloseTo(0.9433, 4);
    expect(wilsonInterval(0, 10).lower).toBe(0);
    expect(wilsonInterval(0, 10).upper).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(10, 10).lower).toBeCloseTo(0.7225, 4);
    expect(wilsonInterval(10, 10).upper).toBe(1);
    // Wikipedia / Newcombe (1998) example: 81 of 263 → 0.2553 .. 0.3662.
    const b = wilsonInterval(81, 263);
    expect(b.lower).toBeCloseTo(0.2553, 3);
    expect(b.upper).toBeCloseTo(0.3662, 3);
  });
  it('is the whole [0, 1] with no observations', () => {
    expect(wilsonInterval(0, 0)).toEqual({ lower: 0, upper: 1 });
  });
});

describe('agreement', () => {
  it('counts approval as agreement, rejection as disagreement, and a label over both', () => {
    expect(agreementOf({ family: 'schema', proposed: 'coerce_schema', verdict: 'approved' })).toEqual({
      labelled: true,
      agreed: true,
      engineer: 'coerce_schema',
    });
    expect(agreementOf({ family: 'schema', proposed: 'coerce_schema', verdict: 'rejected' }).agreed).toBe(
      false,
    );
    expect(
      agreementOf({
        family: 'schema',
        proposed: 'coerce_schema',
        verdict: 'rejected',
        label: 'coerce_schema',
      }).agreed,
    ).toBe(true);
    expect(
      agreementOf({ family: 'schema', proposed: 'retry', verdict: 'approved', label: 'escalate' }),
    ).toEqual({
      labelled: true,
      agreed: false,
      engineer: 'escalate',
    });
    expect(agreementOf({ family: 'schema', proposed: 'retry' }).labelled).toBe(false);
  });
});

describe('shadowReport', () => {
  it('aggregates per family and overall with the confusion of proposed vs engineer action', () => {
    const report = shadowReport([
      ...Array.from({ length: 8 }, () => ({
        family: 'schema' as const,
        proposed: 'coerce_schema' as const,
        verdict: 'approved' as const,
      })),
      { family: 'schema', proposed: 'coerce_schema', label: 'rollback_schema' },
      { family: 'schema', proposed: 'coerce_schema', verdict: 'rejected' },
      { family: 'schema', proposed: 'coerce_schema' },
      { family: 'transient', proposed: 'retry', label: 'retry' },
    ]);
    const schema = report.families.schema;
    expect(schema).toMatchObject({ decisions: 11, labelled: 10, agreed: 8, precision: 0.8 });
    expect(schema?.lower95).toBeCloseTo(0.4902, 4);
    expect(schema?.confusion).toEqual({
      coerce_schema: { coerce_schema: 8, rollback_schema: 1, rejected: 1 },
    });
    expect(report.overall).toMatchObject({ decisions: 12, labelled: 11, agreed: 9 });
    expect(report.families.transient?.precision).toBe(1);
  });
});

describe('autonomy', () => {
  it('is eligible only above every threshold and names each unmet one', () => {
    const t = DEFAULT_AUTONOMY_THRESHOLDS;
    const good = wilsonInterval(29, 30);
    expect(eligibility({ labelled: 30, precision: 29 / 30, lower95: good.lower }, t)).toEqual({
      eligible: true,
      reasons: [],
    });
    // 19/19 is perfect but under the count, and its lower bound (0.832) alone would pass.
    const few = eligibility({ labelled: 19, precision: 1, lower95: wilsonInterval(19, 19).lower }, t);
    expect(few).toEqual({ eligible: false, reasons: ['19 labelled < 20'] });
    // 18/20 = 0.9 precision but a lower bound of 0.699.
    const low = eligibility({ labelled: 20, precision: 0.9, lower95: wilsonInterval(18, 20).lower }, t);
    expect(low.eligible).toBe(false);
    expect(low.reasons).toEqual(['lower bound 0.699 < 0.8']);
  });
  it('demotes on 2 failed validations among the last 10 only', () => {
    const t = DEFAULT_AUTONOMY_THRESHOLDS;
    expect(shouldDemote([false, false, ...Array(10).fill(true)], t).demote).toBe(false);
    expect(shouldDemote([...Array(8).fill(true), false, false], t)).toEqual({
      demote: true,
      failed: 2,
      window: 10,
    });
    expect(shouldDemote([true, false], t).demote).toBe(false);
  });
});

describe('diffFacts', () => {
  const facts: ApprovalFacts = {
    fingerprints: { orders: 'a1' },
    catalogVersions: { orders: 'v1' },
    badRowFraction: 0.02,
    coercionBadRowFraction: null,
    usage: { retriesThisRun: 0, retriesThisJobLastHour: 1, consecutiveFailedRemediations: 0 },
    mode: 'supervised',
    action: 'quarantine',
  };
  it('is empty for equal facts and names every changed one, including a dataset that appeared', () => {
    expect(diffFacts(facts, structuredClone(facts))).toEqual([]);
    const after: ApprovalFacts = {
      ...facts,
      fingerprints: { orders: 'b2', customers: 'c3' },
      badRowFraction: 0.12,
      usage: { ...facts.usage, consecutiveFailedRemediations: 1 },
      action: 'escalate',
    };
    expect(diffFacts(facts, after)).toEqual([
      { fact: 'input customers fingerprint', before: '-', after: 'c3' },
      { fact: 'input orders fingerprint', before: 'a1', after: 'b2' },
      { fact: 'bad-row share', before: '0.02', after: '0.12' },
      { fact: 'consecutive failed remediations', before: '0', after: '1' },
      { fact: 'action', before: 'quarantine', after: 'escalate' },
    ]);
  });
  it('expires 24 h after the request by default', () => {
    expect(approvalExpiresAt(new Date('2026-01-01T00:00:00Z')).toISOString()).toBe(
      '2026-01-02T00:00:00.000Z',
    );
    expect(approvalExpiresAt(new Date('2026-01-01T00:00:00Z'), 0.5).toISOString()).toBe(
      '2026-01-01T00:30:00.000Z',
    );
  });
});

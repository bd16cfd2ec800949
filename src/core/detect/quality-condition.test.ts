import { describe, expect, it } from 'vitest';
import { nullSpike, removed } from '../../../test/core/decision-fixtures.js';
import type { Finding } from '../finding.js';
import { qualityCondition } from './quality-condition.js';

describe('qualityCondition', () => {
  it('is ok without quality findings, or with info only; drift does not count', () => {
    expect(qualityCondition([])).toBe('ok');
    expect(qualityCondition([removed('amount')])).toBe('ok');
    expect(qualityCondition([nullSpike('email', 0.01, 0.03, 'info')])).toBe('ok');
  });

  it('is degraded for a warning at a moderate rate', () => {
    expect(qualityCondition([nullSpike('email', 0.01, 0.08, 'warning')])).toBe('degraded');
  });

  it('a contract breach (severity error) at a moderate rate is degraded: quarantine can repair it', () => {
    expect(qualityCondition([nullSpike('email', 0.01, 0.08, 'error')])).toBe('degraded');
  });

  it('is severe when most of the batch is bad, an empty batch, or data far too stale', () => {
    expect(qualityCondition([nullSpike('email', 0.01, 0.6, 'warning')])).toBe('severe');
    const validity: Finding = {
      kind: 'validity_drop',
      column: 'amount',
      baseline: 1,
      current: 0.3,
      invalidRows: 700,
      severity: 'warning',
      compatible: true,
      message: 'amount validity 1 → 0.3',
    };
    expect(qualityCondition([validity])).toBe('severe');
    const volume: Finding = {
      kind: 'volume_change',
      column: '*',
      baseline: 10_000,
      current: 500,
      severity: 'warning',
      compatible: true,
      message: 'rows 10000 → 500',
    };
    expect(qualityCondition([volume])).toBe('severe');
    expect(qualityCondition([{ ...volume, current: 7000 }])).toBe('degraded');
    expect(qualityCondition([{ ...volume, baseline: 0, current: 0, severity: 'error' }])).toBe('severe');
    const stale: Finding = {
      kind: 'freshness_lag',
      column: 'updated_at',
      baseline: '2026-11-22T00:00:00Z',
      current: '2026-11-20T00:00:00Z',
      lagMinutes: 2880,
      severity: 'error',
      compatible: false,
      message: 'newest record is 48 h old',
    };
    expect(qualityCondition([stale])).toBe('severe');
    expect(qualityCondition([{ ...stale, severity: 'warning' }])).toBe('degraded');
  });
});

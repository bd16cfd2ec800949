import { describe, expect, it } from 'vitest';
import { classifyError } from './error-classifier.js';
import { detectInputNotReady } from './input-not-ready.js';

describe('input not ready', () => {
  it('a missing input and a stale one become freshness_lag warnings; other failures none', () => {
    const missing = classifyError(
      '2026-03-02T08:00:00Z ERROR [p] E_DATA: Input not ready: /in/orders.csv has not arrived (source orders)',
    );
    expect(detectInputNotReady(missing, 'orders')).toMatchObject({
      kind: 'freshness_lag',
      severity: 'warning',
      current: 'not arrived',
    });
    const stale = classifyError(
      'Input not ready: /in/orders.csv is older than its freshness (modified 95 min ago, contract maxAgeMinutes 60)',
    );
    expect(detectInputNotReady(stale, 'orders')).toMatchObject({ current: '95 min old', lagMinutes: 35 });
    expect(
      detectInputNotReady(classifyError('IO Error: No files found that match the pattern "x"'), 'orders'),
    ).toBeUndefined();
  });
});

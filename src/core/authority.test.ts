import { describe, expect, it } from 'vitest';
import { authoritySchema, effectiveBudgets, HARD_LIMITS, modeFor } from './authority.js';

describe('authority', () => {
  it('defaults to the four active core actions, autonomous, with budgets under the hard limits', () => {
    const authority = authoritySchema.parse({});
    expect(authority.allowedActions).toEqual(['retry', 'coerce_schema', 'rollback_schema', 'quarantine']);
    expect(authority.mode).toBe('autonomous');
    expect(effectiveBudgets(authority.budgets)).toEqual(authority.budgets);
  });

  it('can never raise a budget above the hard limits', () => {
    const authority = authoritySchema.parse({
      budgets: {
        maxRetriesPerRun: 1000,
        maxRetriesPerJobPerHour: 1e6,
        circuitBreakerFailures: 99,
        quarantineMaxFraction: 1,
      },
    });
    expect(effectiveBudgets(authority.budgets)).toEqual(HARD_LIMITS);
  });

  it('rejects typos and unknown actions instead of ignoring them', () => {
    expect(authoritySchema.safeParse({ allowedActions: ['retyr'] }).success).toBe(false);
    expect(authoritySchema.safeParse({ alowedActions: ['retry'] }).success).toBe(false);
    expect(authoritySchema.safeParse({ budgets: { maxRetries: 2 } }).success).toBe(false);
  });

  it('applies per-family mode overrides', () => {
    const authority = authoritySchema.parse({ mode: 'autonomous', modeByFamily: { schema: 'supervised' } });
    expect(modeFor(authority, 'schema')).toBe('supervised');
    expect(modeFor(authority, 'transient')).toBe('autonomous');
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidEventError } from './errors.js';
import { parseFailureEvent } from './event.js';

const valid = {
  id: 'evt-1',
  source: 'local',
  pipeline: 'orders_daily',
  job: 'orders_daily',
  runId: 'run-20261122-1',
  state: 'FAILED',
  occurredAt: '2026-11-22T10:00:00Z',
  errorMessage: 'Binder Error: Referenced column "customer_id" not found',
};

describe('parseFailureEvent', () => {
  it('accepts a well-formed event', () => {
    expect(parseFailureEvent(valid).runId).toBe('run-20261122-1');
  });

  it('rejects an unknown field, naming it (typos are errors, not ignored)', () => {
    expect(() => parseFailureEvent({ ...valid, sate: 'FAILED' })).toThrow(InvalidEventError);
    expect(() => parseFailureEvent({ ...valid, sate: 'FAILED' })).toThrow(/sate|unrecognized/i);
  });

  it('rejects a bad state and a bad timestamp, naming the field', () => {
    expect(() => parseFailureEvent({ ...valid, state: 'EXPLODED' }, 'event.json')).toThrow(
      /event\.json: state/,
    );
    expect(() => parseFailureEvent({ ...valid, occurredAt: 'yesterday' })).toThrow(/occurredAt/);
  });

  it('rejects non-objects with a code', () => {
    try {
      parseFailureEvent('not an event');
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidEventError).code).toBe('E_EVENT');
    }
  });
});

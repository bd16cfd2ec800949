// The StateStore contract: one suite every adapter runs (DynamoDB on moto, DuckDB locally), so all
// stores agree on claims, budgets, the circuit breaker, locks (holder, heartbeat, takeover) and
// incidents.
//
//   runStateStoreContract('dynamodb', { create: async () => new DynamodbStateStore(...) });

import { describe, expect, it } from 'vitest';
import type { IncidentRecord, StateStore } from '../../src/ports.js';

export interface StateStoreContractOptions {
  /** A fresh, empty store per test. */
  create(): Promise<StateStore>;
}

const NOW = new Date('2026-11-22T12:00:00Z');
const HOUR = 3_600_000;

/** Registers the contract tests for one StateStore implementation. */
export function runStateStoreContract(name: string, options: StateStoreContractOptions): void {
  describe(`StateStore contract: ${name}`, () => {
    it('claims an event key once', async () => {
      const state = await options.create();
      expect(await state.claimEvent('jr_1:FAILED')).toBe(true);
      expect(await state.claimEvent('jr_1:FAILED')).toBe(false);
      expect(await state.claimEvent('jr_1:TIMEOUT')).toBe(true);
    });

    it('takes over a claim whose holder died before acting, never one that started acting', async () => {
      const state = await options.create();
      const at = (ms: number) => new Date(NOW.getTime() + ms);
      expect(await state.claimEvent('jr_2:FAILED', { now: NOW, leaseMs: 1000, incidentId: 'inc-2' })).toBe(
        true,
      );
      expect(await state.claimEvent('jr_2:FAILED', { now: at(500), leaseMs: 1000 })).toBe(false);
      // The holder died before acting: after its lease the redelivery takes the claim over.
      expect(
        await state.claimEvent('jr_2:FAILED', { now: at(1500), leaseMs: 1000, incidentId: 'inc-2' }),
      ).toBe(true);
      await state.markEventActing('jr_2:FAILED', 'quarantine');
      expect(await state.getEventClaim('jr_2:FAILED')).toMatchObject({
        status: 'acting',
        action: 'quarantine',
        incidentId: 'inc-2',
      });
      // Acting: never taken over nor released, whatever the lease says.
      expect(await state.claimEvent('jr_2:FAILED', { now: at(10_000), leaseMs: 1000 })).toBe(false);
      await state.releaseEvent('jr_2:FAILED');
      expect((await state.getEventClaim('jr_2:FAILED'))?.status).toBe('acting');
      await state.endEventLease('jr_2:FAILED', at(2000));
      expect((await state.getEventClaim('jr_2:FAILED'))?.leaseUntil).toBe(at(2000).toISOString());
      await state.finishEvent('jr_2:FAILED');
      expect((await state.getEventClaim('jr_2:FAILED'))?.status).toBe('done');
      expect(await state.claimEvent('jr_2:FAILED', { now: at(20_000), leaseMs: 1000 })).toBe(false);
      expect(await state.getEventClaim('jr_unknown:FAILED')).toBeUndefined();
    });

    it('releases a claim under which nothing ran, and claims without a lease never expire', async () => {
      const state = await options.create();
      expect(await state.claimEvent('jr_3:FAILED', { now: NOW })).toBe(true);
      expect(await state.claimEvent('jr_3:FAILED', { now: new Date(NOW.getTime() + 86_400_000) })).toBe(
        false,
      );
      await state.releaseEvent('jr_3:FAILED');
      expect(await state.getEventClaim('jr_3:FAILED')).toBeUndefined();
      expect(await state.claimEvent('jr_3:FAILED', { now: NOW })).toBe(true);
    });

    it('counts retries per run and per job in the last hour', async () => {
      const state = await options.create();
      await state.recordRetry('job-a', 'jr_1', new Date(NOW.getTime() - 2 * HOUR));
      await state.recordRetry('job-a', 'jr_1', new Date(NOW.getTime() - 60_000));
      await state.recordRetry('job-a', 'jr_2', new Date(NOW.getTime() - 30_000));
      await state.recordRetry('job-b', 'jr_9', new Date(NOW.getTime() - 30_000));
      const usage = await state.usage('job-a', 'jr_1', NOW);
      expect(usage.retriesThisRun).toBe(2);
      expect(usage.retriesThisJobLastHour).toBe(2);
    });

    it('counts consecutive failed remediations and resets on a success', async () => {
      const state = await options.create();
      await state.recordRemediation('job-a', false);
      await state.recordRemediation('job-a', false);
      expect((await state.usage('job-a', 'jr_1', NOW)).consecutiveFailedRemediations).toBe(2);
      expect((await state.usage('job-b', 'jr_1', NOW)).consecutiveFailedRemediations).toBe(0);
      await state.recordRemediation('job-a', true);
      expect((await state.usage('job-a', 'jr_1', NOW)).consecutiveFailedRemediations).toBe(0);
    });

    it('grants a per-job lock to one holder until it is released or its heartbeat goes stale', async () => {
      const state = await options.create();
      const got = async (job: string, owner: string, at: Date) =>
        (await state.tryLock(job, owner, 60_000, at)).acquired;
      expect(await got('job-a', 'inc-a', NOW)).toBe(true);
      expect(await got('job-a', 'inc-b', NOW)).toBe(false);
      expect(await got('job-b', 'inc-b', NOW)).toBe(true);
      const later = new Date(NOW.getTime() + 61_000);
      expect(await got('job-a', 'inc-b', later)).toBe(true);
      await state.releaseLock('job-a', 'inc-a'); // no longer the holder: no effect
      expect(await got('job-a', 'inc-c', new Date(later.getTime() + 1000))).toBe(false);
      await state.releaseLock('job-a', 'inc-b');
      expect(await got('job-a', 'inc-c', later)).toBe(true);
    });

    it('names the holder when it refuses, and a heartbeat keeps the lock from going stale', async () => {
      const state = await options.create();
      const first = await state.tryLock('job-a', 'inc-a', 60_000, NOW);
      expect(first.acquired).toBe(true);
      const refused = await state.tryLock('job-a', 'inc-b', 60_000, new Date(NOW.getTime() + 1000));
      expect(refused.acquired).toBe(false);
      expect(refused.holder.owner).toBe('inc-a');
      expect(refused.holder.pid).toBeGreaterThan(0);
      expect(refused.holder.host).not.toBe('');
      expect(Date.parse(refused.holder.acquiredAt)).toBe(NOW.getTime());
      // Beating at +50 s keeps it at +70 s, when the first heartbeat alone would be stale.
      expect(await state.heartbeatLock('job-a', 'inc-a', new Date(NOW.getTime() + 50_000))).toBe(true);
      expect((await state.tryLock('job-a', 'inc-b', 60_000, new Date(NOW.getTime() + 70_000))).acquired).toBe(
        false,
      );
      expect(await state.heartbeatLock('job-a', 'inc-z', new Date(NOW.getTime() + 70_000))).toBe(false);
    });

    it('reports a takeover of a stale holder, whose next heartbeat learns it lost the lock', async () => {
      const state = await options.create();
      await state.tryLock('job-a', 'inc-a', 60_000, NOW);
      const taken = await state.tryLock('job-a', 'inc-b', 60_000, new Date(NOW.getTime() + 120_000));
      expect(taken.acquired).toBe(true);
      if (!taken.acquired) return;
      expect(taken.holder.owner).toBe('inc-b');
      expect(taken.takenOver?.previous.owner).toBe('inc-a');
      expect(taken.takenOver?.reason).toBe('heartbeat_stale');
      expect(await state.heartbeatLock('job-a', 'inc-a', new Date(NOW.getTime() + 121_000))).toBe(false);
      // Taking a lock one already holds is a refresh, not a takeover.
      const again = await state.tryLock('job-a', 'inc-b', 60_000, new Date(NOW.getTime() + 122_000));
      expect(again.acquired && again.takenOver).toBeFalsy();
      expect(again.acquired).toBe(true);
    });

    it('saves, reads and lists incidents newest first', async () => {
      const state = await options.create();
      const incident = (id: string, startedAt: string): IncidentRecord => ({
        id,
        event: {
          id: `evt-${id}`,
          source: 'test',
          pipeline: 'p',
          job: 'j',
          runId: `run-${id}`,
          state: 'FAILED',
          occurredAt: startedAt,
        },
        status: 'escalated',
        summary: `escalated ${id}`,
        startedAt,
      });
      await state.saveIncident(incident('inc-1', '2026-11-22T10:00:00.000Z'));
      await state.saveIncident(incident('inc-2', '2026-11-22T11:00:00.000Z'));
      expect(await state.getIncident('inc-1')).toEqual(incident('inc-1', '2026-11-22T10:00:00.000Z'));
      expect(await state.getIncident('inc-missing')).toBeUndefined();
      expect((await state.listIncidents()).map((i) => i.id)).toEqual(['inc-2', 'inc-1']);
      expect((await state.listIncidents(1)).map((i) => i.id)).toEqual(['inc-2']);
    });
  });
}

// The lease over a real SQLite store and the system clock: its heartbeat keeps a lock alive past its
// time to live, a holder learns at its next beat that it was taken over, a waiter gets the lock when
// the holder releases it, and gives up (naming the holder) when the wait runs out.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../../src/adapters/local/sqlite-state-store.js';
import { SystemClock } from '../../../src/adapters/local/system-clock.js';
import { describeHolder, takeLease } from '../../../src/lock-lease.js';

const dirs: string[] = [];
const stores: SqliteStateStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function store(): Promise<SqliteStateStore> {
  const dir = await mkdtemp(join(tmpdir(), 'healer-lease-'));
  dirs.push(dir);
  const s = SqliteStateStore.open(join(dir, 'state.sqlite'));
  stores.push(s);
  return s;
}

const clock = new SystemClock();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('takeLease', () => {
  it('beats while held, so the lock outlives its time to live; released, it is free', async () => {
    const state = await store();
    const lease = await takeLease(state, clock, 'orders', 'inc-a', { ttlMs: 400 });
    expect(lease.acquired).toBe(true);
    await sleep(1300); // more than three times the time to live
    const refused = await state.tryLock('orders', 'inc-b', 400, new Date());
    expect(refused.acquired).toBe(false);
    expect(describeHolder(refused.holder)).toMatch(
      new RegExp(`^inc-a \\(pid ${process.pid} on .+, since .+, last heartbeat .+\\)$`),
    );
    expect(lease.lost()).toBe(false);
    await lease.release();
    await lease.release(); // twice is harmless
    expect((await state.tryLock('orders', 'inc-b', 400, new Date())).acquired).toBe(true);
  });

  it('a holder whose lock was taken over learns it at its next heartbeat', async () => {
    const state = await store();
    const lease = await takeLease(state, clock, 'orders', 'inc-a', { ttlMs: 200 });
    // Someone judged it stale (a clock far ahead): the lock changes hands.
    const taken = await state.tryLock('orders', 'inc-b', 200, new Date(Date.now() + 60_000));
    expect(taken.acquired && taken.takenOver?.reason).toBe('heartbeat_stale');
    await sleep(200);
    expect(lease.lost()).toBe(true);
    await lease.release(); // does not free inc-b's lock
    expect(state.lockHolder('orders')?.owner).toBe('inc-b');
  });

  it('waits for a living holder up to the bound, and gets the lock when it is released', async () => {
    const state = await store();
    const holder = await takeLease(state, clock, 'run:p', 'run-1', { ttlMs: 10_000 });
    const started = Date.now();
    const gaveUp = await takeLease(state, clock, 'run:p', 'run-2', {
      ttlMs: 10_000,
      waitMs: 300,
      pollMs: 50,
    });
    expect(gaveUp.acquired).toBe(false);
    expect(gaveUp.holder.owner).toBe('run-1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    setTimeout(() => void holder.release(), 200);
    const waited = await takeLease(state, clock, 'run:p', 'run-2', {
      ttlMs: 10_000,
      waitMs: 5_000,
      pollMs: 50,
    });
    expect(waited.acquired).toBe(true);
    await waited.release();
  });
});

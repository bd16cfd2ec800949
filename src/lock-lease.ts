// A lock held for a while: taken (waiting a bounded time for a living holder), kept alive by a
// heartbeat so a dead holder's lock can be taken over quickly, and released. Used by the agent for
// the per-job lock and by `healer run` for the per-pipeline run lock; any StateStore provides it.

import { randomUUID } from 'node:crypto';
import { LockedError } from './core/errors.js';
import type { Clock, LockAttempt, LockHolder, StateStore } from './ports.js';

export interface LeaseOptions {
  /** A holder whose heartbeat is older than this is taken over. */
  ttlMs: number;
  /** How long to wait for a living holder before giving up. Default 0 (one try). */
  waitMs?: number;
  /** Pause between tries while waiting. Default 200 ms. */
  pollMs?: number;
}

/** A granted or refused lock; when granted, `release()` must be called (it stops the heartbeat). */
export type LockLease = LockAttempt & {
  /** Stops the heartbeat and frees the lock; safe to call twice. */
  release(): Promise<void>;
  /** True once a heartbeat found the lock held by someone else (it was taken over). */
  lost(): boolean;
};

/**
 * Takes `name` for `owner`, waiting up to `waitMs` while a living holder has it.
 *
 * @example
 * const lease = await takeLease(env.state, env.clock, 'orders', incidentId, { ttlMs: 120_000 });
 * if (!lease.acquired) throw new LockedError(`orders is locked by ${describeHolder(lease.holder)}`);
 * try { ... } finally { await lease.release(); }
 */
export async function takeLease(
  state: Pick<StateStore, 'tryLock' | 'heartbeatLock' | 'releaseLock'>,
  clock: Clock,
  name: string,
  owner: string,
  options: LeaseOptions,
): Promise<LockLease> {
  const deadline = clock.now().getTime() + (options.waitMs ?? 0);
  let attempt = await state.tryLock(name, owner, options.ttlMs, clock.now());
  while (!attempt.acquired && clock.now().getTime() < deadline) {
    await clock.sleep(Math.min(options.pollMs ?? 200, Math.max(1, deadline - clock.now().getTime())));
    attempt = await state.tryLock(name, owner, options.ttlMs, clock.now());
  }
  if (!attempt.acquired)
    return {
      ...attempt,
      release: async () => {},
      lost: () => false,
    };
  let lost = false;
  let released = false;
  // A quarter of the time to live: three beats may be missed before anyone may take over.
  const timer = setInterval(
    () => {
      state.heartbeatLock(name, owner, clock.now()).then(
        (held) => {
          if (!held) lost = true;
        },
        () => {
          // A busy store skips one beat; the next one retries.
        },
      );
    },
    Math.max(50, Math.floor(options.ttlMs / 4)),
  );
  timer.unref();
  return {
    ...attempt,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      await state.releaseLock(name, owner);
    },
    lost: () => lost,
  };
}

/** One line naming a holder: who, which process on which host, since when, last heartbeat. */
export function describeHolder(h: LockHolder): string {
  return `${h.owner} (pid ${h.pid} on ${h.host}, since ${h.acquiredAt}, last heartbeat ${h.heartbeatAt})`;
}

/**
 * A function that runs work while holding `name` (waiting up to `waitMs` for a living holder), for
 * writers that must not interleave across processes, such as audit appends.
 *
 * @example
 * const exclusive = exclusiveLease(state, clock, 'audit-append', { ttlMs: 30_000, waitMs: 10_000 });
 * await exclusive(() => appendRecord());
 */
export function exclusiveLease(
  state: StateStore,
  clock: Clock,
  name: string,
  options: LeaseOptions,
): <T>(work: () => Promise<T>) => Promise<T> {
  const owner = `${name}-${process.pid}-${randomUUID()}`;
  return async (work) => {
    const lease = await takeLease(state, clock, name, owner, options);
    if (!lease.acquired)
      throw new LockedError(
        `${name} is held by ${describeHolder(lease.holder)}; waited ${options.waitMs ?? 0} ms`,
        {
          context: { lock: name, holder: lease.holder.owner },
        },
      );
    try {
      return await work();
    } finally {
      await lease.release();
    }
  };
}

// One-time upgrade of a state folder written by an older healer: `state.duckdb` (incidents, claimed
// events, retries, the circuit breaker, the audit head) is copied into `state.sqlite`, then renamed
// `state.duckdb.migrated`. Locks are not copied: their holders are gone.

import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ConfigError } from '../../core/errors.js';
import type { LegacyState, SqliteStateStore } from './sqlite-state-store.js';

/** The older store's file name in a state folder. */
export const LEGACY_STATE_FILE = 'state.duckdb';

/**
 * Copies `stateDir/state.duckdb` into `store` when it is there; returns what was copied. Safe to run
 * twice (or from two processes): every row is inserted only when absent.
 *
 * @example
 * const copied = await migrateDuckdbState(stateDir, store); // { incidents: 12, ... } or undefined
 */
export async function migrateDuckdbState(
  stateDir: string,
  store: SqliteStateStore,
): Promise<Record<keyof LegacyState, number> | undefined> {
  const file = join(stateDir, LEGACY_STATE_FILE);
  if (!existsSync(file)) return undefined;
  let legacy: LegacyState;
  try {
    const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
    const conn = await instance.connect();
    const rows = async (sql: string) =>
      (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, string | number | null>[];
    const has = new Set(
      (await rows('SELECT table_name AS t FROM information_schema.tables')).map((r) => r.t),
    );
    const table = async (name: string, sql: string) => (has.has(name) ? rows(sql) : []);
    try {
      legacy = {
        incidents: (await table('incidents', 'SELECT id, started_at, body FROM incidents')).map((r) => ({
          id: String(r.id),
          startedAt: String(r.started_at),
          body: String(r.body),
        })),
        claimedEvents: (
          await table('claimed_events', 'SELECT key, CAST(claimed_at AS VARCHAR) AS at FROM claimed_events')
        ).map((r) => ({ key: String(r.key), claimedAt: String(r.at ?? '') })),
        retries: (
          await table(
            'retries',
            'SELECT job, run_id, epoch_ms(retried_at) AS at FROM retries WHERE retried_at IS NOT NULL',
          )
        ).map((r) => ({ job: String(r.job), runId: String(r.run_id), at: Number(r.at) })),
        breakers: (await table('breakers', 'SELECT job, consecutive_failures AS n FROM breakers')).map(
          (r) => ({
            job: String(r.job),
            failures: Number(r.n ?? 0),
          }),
        ),
        auditHead: (await table('audit_head', 'SELECT seq, hash FROM audit_head WHERE id = 1')).map((r) => ({
          seq: Number(r.seq),
          hash: String(r.hash),
        })),
      };
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  } catch (error) {
    throw new ConfigError(
      `${file}: cannot read the older state store to migrate it (${error instanceof Error ? error.message.split('\n')[0] : error}); move it aside to start afresh`,
      { cause: error, context: { file } },
    );
  }
  store.importLegacy(legacy);
  try {
    await rename(file, `${file}.migrated`);
  } catch (error) {
    // Another process migrated it at the same time.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return {
    incidents: legacy.incidents.length,
    claimedEvents: legacy.claimedEvents.length,
    retries: legacy.retries.length,
    breakers: legacy.breakers.length,
    auditHead: legacy.auditHead.length,
  };
}

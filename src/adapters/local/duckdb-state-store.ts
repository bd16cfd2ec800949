// StateStore in a DuckDB file (`.healer/state.duckdb`): claimed events, retries with timestamps,
// the circuit-breaker counter, per-job locks with a time to live, incidents as JSON, and the head
// of the audit chain (so removing the last audit records is detected).

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type Action, isAction } from '../../core/action.js';
import type { BudgetUsage } from '../../core/decision.js';
import type { ClaimOptions, EventClaim, IncidentRecord, StateStore } from '../../ports.js';

/** The last record of the audit chain, as the store remembers it. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** Where the audit log keeps its head, besides the log itself. */
export interface AuditHeadStore {
  getAuditHead(): Promise<AuditHead | undefined>;
  setAuditHead(head: AuditHead): Promise<void>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS claimed_events (key VARCHAR PRIMARY KEY, claimed_at TIMESTAMP);
ALTER TABLE claimed_events ADD COLUMN IF NOT EXISTS status VARCHAR;
ALTER TABLE claimed_events ADD COLUMN IF NOT EXISTS incident_id VARCHAR;
ALTER TABLE claimed_events ADD COLUMN IF NOT EXISTS action VARCHAR;
ALTER TABLE claimed_events ADD COLUMN IF NOT EXISTS lease_until_ms BIGINT;
CREATE TABLE IF NOT EXISTS retries (job VARCHAR, run_id VARCHAR, retried_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS breakers (job VARCHAR PRIMARY KEY, consecutive_failures INTEGER);
CREATE TABLE IF NOT EXISTS locks (job VARCHAR PRIMARY KEY, owner VARCHAR, expires_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS incidents (id VARCHAR PRIMARY KEY, started_at VARCHAR, body VARCHAR);
CREATE TABLE IF NOT EXISTS audit_head (id INTEGER PRIMARY KEY, seq BIGINT, hash VARCHAR);
`;

/**
 * DuckDB-file state store. Every statement is parameterised; all calls are serialised through one
 * connection.
 *
 * @example
 * const state = await DuckdbStateStore.open('.healer/state.duckdb');
 * if (!(await state.claimEvent(key))) return;
 */
export class DuckdbStateStore implements StateStore, AuditHeadStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  static async open(file: string): Promise<DuckdbStateStore> {
    if (file !== ':memory:') await mkdir(dirname(file), { recursive: true });
    const instance = await DuckDBInstance.create(file);
    const conn = await instance.connect();
    for (const statement of SCHEMA.split(';')
      .map((s) => s.trim())
      .filter(Boolean))
      await conn.run(statement);
    return new DuckdbStateStore(instance, conn);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async rows(
    sql: string,
    values: (string | number | null)[] = [],
  ): Promise<Record<string, unknown>[]> {
    const reader = await this.conn.runAndReadAll(sql, values);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  claimEvent(key: string, options?: ClaimOptions): Promise<boolean> {
    return this.serial(async () => {
      const now = (options?.now ?? new Date()).getTime();
      const lease = options?.leaseMs === undefined ? null : now + options.leaseMs;
      // A claim whose holder died before acting (its lease passed) is taken over.
      await this.conn.run(
        `DELETE FROM claimed_events WHERE key = $1 AND status = 'claimed' AND lease_until_ms <= $2`,
        [key, now],
      );
      const inserted = await this.rows(
        `INSERT INTO claimed_events (key, claimed_at, status, incident_id, lease_until_ms)
         VALUES ($1, now(), 'claimed', $2, $3) ON CONFLICT DO NOTHING RETURNING key`,
        [key, options?.incidentId ?? null, lease],
      );
      return inserted.length === 1;
    });
  }

  getEventClaim(key: string): Promise<EventClaim | undefined> {
    return this.serial(async () => {
      const [r] = await this.rows(
        'SELECT status, incident_id, action, lease_until_ms FROM claimed_events WHERE key = $1',
        [key],
      );
      if (!r) return undefined;
      const status = r.status === 'claimed' || r.status === 'acting' ? r.status : 'done';
      return {
        key,
        status,
        ...(typeof r.incident_id === 'string' ? { incidentId: r.incident_id } : {}),
        ...(typeof r.action === 'string' && isAction(r.action) ? { action: r.action } : {}),
        ...(r.lease_until_ms !== null && r.lease_until_ms !== undefined
          ? { leaseUntil: new Date(Number(r.lease_until_ms)).toISOString() }
          : {}),
      };
    });
  }

  markEventActing(key: string, action: Action): Promise<void> {
    return this.serial(async () => {
      await this.conn.run(`UPDATE claimed_events SET status = 'acting', action = $2 WHERE key = $1`, [
        key,
        action,
      ]);
    });
  }

  endEventLease(key: string, now: Date): Promise<void> {
    return this.serial(async () => {
      await this.conn.run(
        `UPDATE claimed_events SET lease_until_ms = $2 WHERE key = $1 AND status IN ('claimed', 'acting')`,
        [key, now.getTime()],
      );
    });
  }

  finishEvent(key: string): Promise<void> {
    return this.serial(async () => {
      await this.conn.run(`UPDATE claimed_events SET status = 'done', lease_until_ms = NULL WHERE key = $1`, [
        key,
      ]);
    });
  }

  releaseEvent(key: string): Promise<void> {
    return this.serial(async () => {
      // Never a claim that started acting: a redelivery must reconcile, not act twice.
      await this.conn.run(`DELETE FROM claimed_events WHERE key = $1 AND status = 'claimed'`, [key]);
    });
  }

  usage(job: string, runId: string, now: Date): Promise<BudgetUsage> {
    return this.serial(async () => {
      const hourAgo = new Date(now.getTime() - 3_600_000).toISOString();
      const [r] = await this.rows(
        `SELECT count(*) FILTER (WHERE run_id = $2) AS run, count(*) FILTER (WHERE retried_at > CAST($3 AS TIMESTAMP)) AS hour
         FROM retries WHERE job = $1`,
        [job, runId, hourAgo],
      );
      const [b] = await this.rows('SELECT consecutive_failures AS n FROM breakers WHERE job = $1', [job]);
      return {
        retriesThisRun: Number(r?.run ?? 0),
        retriesThisJobLastHour: Number(r?.hour ?? 0),
        consecutiveFailedRemediations: Number(b?.n ?? 0),
      };
    });
  }

  recordRetry(job: string, runId: string, at: Date): Promise<void> {
    return this.serial(async () => {
      await this.conn.run('INSERT INTO retries VALUES ($1, $2, CAST($3 AS TIMESTAMP))', [
        job,
        runId,
        at.toISOString(),
      ]);
    });
  }

  recordRemediation(job: string, succeeded: boolean): Promise<void> {
    return this.serial(async () => {
      await this.conn.run(
        succeeded
          ? 'INSERT INTO breakers VALUES ($1, 0) ON CONFLICT (job) DO UPDATE SET consecutive_failures = 0'
          : 'INSERT INTO breakers VALUES ($1, 1) ON CONFLICT (job) DO UPDATE SET consecutive_failures = breakers.consecutive_failures + 1',
        [job],
      );
    });
  }

  acquireLock(job: string, owner: string, ttlMs: number, now: Date): Promise<boolean> {
    return this.serial(async () => {
      const nowIso = now.toISOString();
      const expires = new Date(now.getTime() + ttlMs).toISOString();
      await this.conn.run('DELETE FROM locks WHERE job = $1 AND expires_at <= CAST($2 AS TIMESTAMP)', [
        job,
        nowIso,
      ]);
      const got = await this.rows(
        `INSERT INTO locks VALUES ($1, $2, CAST($3 AS TIMESTAMP)) ON CONFLICT DO NOTHING RETURNING owner`,
        [job, owner, expires],
      );
      if (got.length === 1) return true;
      const [held] = await this.rows('SELECT owner FROM locks WHERE job = $1', [job]);
      return held?.owner === owner;
    });
  }

  releaseLock(job: string, owner: string): Promise<void> {
    return this.serial(async () => {
      await this.conn.run('DELETE FROM locks WHERE job = $1 AND owner = $2', [job, owner]);
    });
  }

  saveIncident(incident: IncidentRecord): Promise<void> {
    return this.serial(async () => {
      await this.conn.run(
        'INSERT INTO incidents VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, body = excluded.body',
        [incident.id, incident.startedAt, JSON.stringify(incident)],
      );
    });
  }

  getIncident(id: string): Promise<IncidentRecord | undefined> {
    return this.serial(async () => {
      const [r] = await this.rows('SELECT body FROM incidents WHERE id = $1', [id]);
      return r ? (JSON.parse(String(r.body)) as IncidentRecord) : undefined;
    });
  }

  listIncidents(limit = 100): Promise<IncidentRecord[]> {
    return this.serial(async () => {
      const rows = await this.rows('SELECT body FROM incidents ORDER BY started_at DESC, id LIMIT $1', [
        Math.max(0, Math.floor(limit)),
      ]);
      return rows.map((r) => JSON.parse(String(r.body)) as IncidentRecord);
    });
  }

  getAuditHead(): Promise<AuditHead | undefined> {
    return this.serial(async () => {
      const [r] = await this.rows('SELECT seq, hash FROM audit_head WHERE id = 1');
      return r ? { seq: Number(r.seq), hash: String(r.hash) } : undefined;
    });
  }

  setAuditHead(head: AuditHead): Promise<void> {
    return this.serial(async () => {
      await this.conn.run(
        'INSERT INTO audit_head VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
        [head.seq, head.hash],
      );
    });
  }

  /** Flushes and closes the database file. */
  async close(): Promise<void> {
    await this.queue;
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

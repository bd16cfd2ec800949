// StateStore in a SQLite file in WAL mode (`.healer/state.sqlite`): claimed events, retries, the
// circuit breaker, per-job locks that name a living holder, incidents as JSON and the head of the
// audit chain. WAL lets readers (`healer incidents`, `audit verify`) answer while a run writes, and
// SQLite's own file locks serialise writers across processes and across connections in one process.

import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { type Action, isAction } from '../../core/action.js';
import type { BudgetUsage } from '../../core/decision.js';
import { ConfigError, LockedError, NotFoundError } from '../../core/errors.js';
import type { KeptResources } from '../../core/kept-resources.js';
import type {
  ClaimOptions,
  EventClaim,
  IncidentRecord,
  LockAttempt,
  LockHolder,
  ResourceAction,
  StateStore,
} from '../../ports.js';
import type { AuditHead, AuditHeadStore } from './audit-head-store.js';
import { currentProcess, isProcessAlive, type ProcessIdentity } from './process-identity.js';

const keptSettingsSchema = z
  .object({
    memoryMb: z.number().int().positive().optional(),
    threads: z.number().int().positive().optional(),
  })
  .strict();

/** The state store's file name inside a state folder. */
export const STATE_FILE = 'state.sqlite';

// 2: resource_actions (scale steps and deferrals per run chain), kept_resources, job_fixes. Additive:
// the statements below create what a version-1 file lacks and touch nothing it has.
const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS claimed_events (
  key TEXT PRIMARY KEY, claimed_at TEXT NOT NULL,
  status TEXT, incident_id TEXT, action TEXT, lease_until_ms INTEGER);
CREATE TABLE IF NOT EXISTS retries (job TEXT NOT NULL, run_id TEXT NOT NULL, retried_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS retries_by_job ON retries (job, retried_at);
CREATE TABLE IF NOT EXISTS breakers (job TEXT PRIMARY KEY, consecutive_failures INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS locks (
  job TEXT PRIMARY KEY, owner TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL,
  process_start TEXT, acquired_at TEXT NOT NULL, heartbeat_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS incidents (id TEXT PRIMARY KEY, started_at TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS incidents_by_start ON incidents (started_at DESC, id);
CREATE TABLE IF NOT EXISTS audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resource_actions (
  job TEXT NOT NULL, run_id TEXT NOT NULL, action TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS resource_actions_by_run ON resource_actions (job, run_id);
CREATE TABLE IF NOT EXISTS kept_resources (
  job TEXT PRIMARY KEY, settings TEXT NOT NULL, successes INTEGER NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS job_fixes (
  job TEXT NOT NULL, state_key TEXT NOT NULL, action TEXT NOT NULL, at TEXT NOT NULL,
  PRIMARY KEY (job, state_key));
`;

export interface SqliteStateStoreOptions {
  /**
   * Open without writing anything: no folder, file or schema is created, and every write throws.
   * `'error'` (default for read-only) fails with E_NOT_FOUND when the file does not exist;
   * `'empty'` answers from an empty in-memory store instead (a diagnosis before any run).
   */
  readOnly?: boolean;
  whenMissing?: 'error' | 'empty';
  /** How long a write waits for another process's write to finish, ms. Default 10 s. */
  busyTimeoutMs?: number;
  /** Who this process is, and whether a recorded holder still lives (tests inject other hosts). */
  identity?: ProcessIdentity;
  isAlive?: (holder: ProcessIdentity) => boolean;
}

/** The rows of an older (DuckDB) state store, to be copied in once. */
export interface LegacyState {
  incidents: { id: string; startedAt: string; body: string }[];
  claimedEvents: { key: string; claimedAt: string }[];
  /** `at`: epoch ms. */
  retries: { job: string; runId: string; at: number }[];
  breakers: { job: string; failures: number }[];
  auditHead: { seq: number; hash: string }[];
}

interface LockRow {
  job: string;
  owner: string;
  host: string;
  pid: number;
  process_start: string | null;
  acquired_at: string;
  heartbeat_at: number;
}

/**
 * SQLite (WAL) state store. Every statement is prepared and parameterised; every write is a short
 * synchronous transaction, so no lock is ever held across an `await`.
 *
 * @example
 * const state = SqliteStateStore.open('.healer/state.sqlite');
 * const lock = await state.tryLock('orders', 'inc-1', 120_000, new Date());
 * if (!lock.acquired) throw new LockedError(`held by ${lock.holder.owner}`);
 */
export class SqliteStateStore implements StateStore, AuditHeadStore {
  private readonly identity: ProcessIdentity;
  private readonly isAlive: (holder: ProcessIdentity) => boolean;

  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
    readonly readOnly: boolean,
    options: SqliteStateStoreOptions,
  ) {
    this.identity = options.identity ?? currentProcess();
    this.isAlive = options.isAlive ?? isProcessAlive;
  }

  /** Opens (and, unless read-only, creates) the store at `file`. */
  static open(file: string, options: SqliteStateStoreOptions = {}): SqliteStateStore {
    const readOnly = options.readOnly ?? false;
    const timeout = options.busyTimeoutMs ?? 10_000;
    if (readOnly && file !== ':memory:' && !existsSync(file)) {
      if ((options.whenMissing ?? 'error') === 'error') {
        const older = join(dirname(file), 'state.duckdb');
        throw new NotFoundError(
          existsSync(older)
            ? `no healer state at ${file} yet: ${older} is from an older healer; the next \`healer run\` migrates it into ${basename(file)}`
            : `no healer state at ${file}: nothing has run with this state folder yet (run \`healer run PIPELINE.yaml\` first, or pass --state-dir)`,
          { context: { file } },
        );
      }
      const db = new Database(':memory:');
      db.exec(SCHEMA);
      return new SqliteStateStore(db, file, true, options);
    }
    if (!readOnly && file !== ':memory:')
      try {
        mkdirSync(dirname(file), { recursive: true });
      } catch (error) {
        throw new ConfigError(
          `cannot create the state folder ${dirname(file)}: ${(error as NodeJS.ErrnoException).code ?? error}`,
          { cause: error, context: { file } },
        );
      }
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: readOnly, fileMustExist: readOnly, timeout });
      if (!readOnly) {
        // WAL: readers never wait for the writer; NORMAL: a commit survives a killed process (the
        // WAL is in the page cache), only a power loss may drop the last commits, never corrupt.
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        // The schema is written once; later opens only read its version, so opening for a run
        // never waits behind another process's write.
        if (Number(db.pragma('user_version', { simple: true })) !== SCHEMA_VERSION)
          db.transaction(() => {
            db.exec(SCHEMA);
            const version = Number(db.pragma('user_version', { simple: true }));
            if (version > SCHEMA_VERSION)
              throw new ConfigError(
                `${file} was written by a newer healer (state schema ${version}, this one knows ${SCHEMA_VERSION})`,
                { context: { file } },
              );
            db.pragma(`user_version = ${SCHEMA_VERSION}`);
          }).immediate();
      } else {
        db.prepare('SELECT count(*) FROM incidents').get();
      }
    } catch (error) {
      throw translate(error, file);
    }
    return new SqliteStateStore(db, file, readOnly, options);
  }

  private write<T>(work: () => T): T {
    try {
      return this.db.transaction(work).immediate();
    } catch (error) {
      throw translate(error, this.file);
    }
  }

  private read<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw translate(error, this.file);
    }
  }

  async claimEvent(key: string, options?: ClaimOptions): Promise<boolean> {
    const now = (options?.now ?? new Date()).getTime();
    const lease = options?.leaseMs === undefined ? null : now + options.leaseMs;
    return this.write(() => {
      // A claim whose holder died before acting (its lease passed) is taken over.
      this.db
        .prepare(
          `DELETE FROM claimed_events WHERE key = ? AND status = 'claimed' AND lease_until_ms IS NOT NULL AND lease_until_ms <= ?`,
        )
        .run(key, now);
      return (
        this.db
          .prepare(
            `INSERT INTO claimed_events (key, claimed_at, status, incident_id, lease_until_ms)
             VALUES (?, ?, 'claimed', ?, ?) ON CONFLICT DO NOTHING`,
          )
          .run(key, new Date(now).toISOString(), options?.incidentId ?? null, lease).changes === 1
      );
    });
  }

  async getEventClaim(key: string): Promise<EventClaim | undefined> {
    return this.read(() => {
      const r = this.db
        .prepare('SELECT status, incident_id, action, lease_until_ms FROM claimed_events WHERE key = ?')
        .get(key) as
        | {
            status: string | null;
            incident_id: string | null;
            action: string | null;
            lease_until_ms: number | null;
          }
        | undefined;
      if (!r) return undefined;
      const status = r.status === 'claimed' || r.status === 'acting' ? r.status : 'done';
      return {
        key,
        status,
        ...(r.incident_id ? { incidentId: r.incident_id } : {}),
        ...(r.action && isAction(r.action) ? { action: r.action } : {}),
        ...(r.lease_until_ms === null ? {} : { leaseUntil: new Date(r.lease_until_ms).toISOString() }),
      };
    });
  }

  async markEventActing(key: string, action: Action): Promise<void> {
    this.write(() =>
      this.db
        .prepare(`UPDATE claimed_events SET status = 'acting', action = ? WHERE key = ?`)
        .run(action, key),
    );
  }

  async endEventLease(key: string, now: Date): Promise<void> {
    this.write(() =>
      this.db
        .prepare(
          `UPDATE claimed_events SET lease_until_ms = ? WHERE key = ? AND status IN ('claimed', 'acting')`,
        )
        .run(now.getTime(), key),
    );
  }

  async finishEvent(key: string): Promise<void> {
    this.write(() =>
      this.db
        .prepare(`UPDATE claimed_events SET status = 'done', lease_until_ms = NULL WHERE key = ?`)
        .run(key),
    );
  }

  async releaseEvent(key: string): Promise<void> {
    // Never a claim that started acting: a redelivery must reconcile, not act twice.
    this.write(() =>
      this.db.prepare(`DELETE FROM claimed_events WHERE key = ? AND status = 'claimed'`).run(key),
    );
  }

  async usage(job: string, runId: string, now: Date): Promise<BudgetUsage> {
    return this.read(() => {
      const hourAgo = now.getTime() - 3_600_000;
      const r = this.db
        .prepare(
          `SELECT count(*) FILTER (WHERE run_id = ?) AS run, count(*) FILTER (WHERE retried_at > ?) AS hour
           FROM retries WHERE job = ?`,
        )
        .get(runId, hourAgo, job) as { run: number; hour: number } | undefined;
      const b = this.db.prepare('SELECT consecutive_failures AS n FROM breakers WHERE job = ?').get(job) as
        | { n: number }
        | undefined;
      const a = this.db
        .prepare(
          `SELECT count(*) FILTER (WHERE action = 'scale_resources') AS scale, count(*) FILTER (WHERE action = 'defer') AS defer
           FROM resource_actions WHERE job = ? AND run_id = ?`,
        )
        .get(job, runId) as { scale: number; defer: number } | undefined;
      return {
        retriesThisRun: Number(r?.run ?? 0),
        retriesThisJobLastHour: Number(r?.hour ?? 0),
        consecutiveFailedRemediations: Number(b?.n ?? 0),
        scaleStepsThisRun: Number(a?.scale ?? 0),
        deferralsThisRun: Number(a?.defer ?? 0),
      };
    });
  }

  async recordResourceAction(job: string, runId: string, action: ResourceAction, at: Date): Promise<void> {
    this.write(() =>
      this.db
        .prepare('INSERT INTO resource_actions (job, run_id, action, at) VALUES (?, ?, ?, ?)')
        .run(job, runId, action, at.getTime()),
    );
  }

  async keptResources(job: string): Promise<KeptResources | undefined> {
    return this.read(() => {
      const r = this.db.prepare('SELECT settings, successes FROM kept_resources WHERE job = ?').get(job) as
        | { settings: string; successes: number }
        | undefined;
      if (!r) return undefined;
      const settings = keptSettingsSchema.safeParse(JSON.parse(r.settings));
      // A row this healer cannot read is ignored: the pipeline's own settings apply.
      return settings.success ? { settings: settings.data, successes: Number(r.successes) } : undefined;
    });
  }

  async saveKeptResources(job: string, kept: KeptResources | undefined, at: Date): Promise<void> {
    this.write(() => {
      if (!kept) this.db.prepare('DELETE FROM kept_resources WHERE job = ?').run(job);
      else
        this.db
          .prepare(
            `INSERT INTO kept_resources (job, settings, successes, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (job) DO UPDATE SET settings = excluded.settings, successes = excluded.successes, updated_at = excluded.updated_at`,
          )
          .run(job, JSON.stringify(kept.settings), kept.successes, at.toISOString());
    });
  }

  async lastFix(job: string, stateKey: string): Promise<Action | undefined> {
    return this.read(() => {
      const r = this.db
        .prepare('SELECT action FROM job_fixes WHERE job = ? AND state_key = ?')
        .get(job, stateKey) as { action: string } | undefined;
      return r && isAction(r.action) ? r.action : undefined;
    });
  }

  async recordFix(job: string, stateKey: string, action: Action, at: Date): Promise<void> {
    this.write(() =>
      this.db
        .prepare(
          `INSERT INTO job_fixes (job, state_key, action, at) VALUES (?, ?, ?, ?)
           ON CONFLICT (job, state_key) DO UPDATE SET action = excluded.action, at = excluded.at`,
        )
        .run(job, stateKey, action, at.toISOString()),
    );
  }

  async recordRetry(job: string, runId: string, at: Date): Promise<void> {
    this.write(() =>
      this.db
        .prepare('INSERT INTO retries (job, run_id, retried_at) VALUES (?, ?, ?)')
        .run(job, runId, at.getTime()),
    );
  }

  async recordRemediation(job: string, succeeded: boolean): Promise<void> {
    this.write(() =>
      this.db
        .prepare(
          succeeded
            ? 'INSERT INTO breakers VALUES (?, 0) ON CONFLICT (job) DO UPDATE SET consecutive_failures = 0'
            : 'INSERT INTO breakers VALUES (?, 1) ON CONFLICT (job) DO UPDATE SET consecutive_failures = consecutive_failures + 1',
        )
        .run(job),
    );
  }

  async tryLock(job: string, owner: string, ttlMs: number, now: Date): Promise<LockAttempt> {
    return this.write((): LockAttempt => {
      const row = this.db.prepare('SELECT * FROM locks WHERE job = ?').get(job) as LockRow | undefined;
      const mine: LockHolder = {
        owner,
        host: this.identity.host,
        pid: this.identity.pid,
        ...(this.identity.processStart ? { processStart: this.identity.processStart } : {}),
        acquiredAt: now.toISOString(),
        heartbeatAt: now.toISOString(),
      };
      const take = () =>
        this.db
          .prepare(
            `INSERT INTO locks (job, owner, host, pid, process_start, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (job) DO UPDATE SET owner = excluded.owner, host = excluded.host, pid = excluded.pid,
               process_start = excluded.process_start, acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
          )
          .run(job, owner, mine.host, mine.pid, mine.processStart ?? null, mine.acquiredAt, now.getTime());
      if (!row) {
        take();
        return { acquired: true, holder: mine };
      }
      const held = toHolder(row);
      if (row.owner === owner) {
        this.db.prepare('UPDATE locks SET heartbeat_at = ? WHERE job = ?').run(now.getTime(), job);
        return { acquired: true, holder: { ...held, heartbeatAt: now.toISOString() } };
      }
      const dead = !this.isAlive(held);
      const stale = now.getTime() - row.heartbeat_at > ttlMs;
      if (!dead && !stale) return { acquired: false, holder: held };
      take();
      return {
        acquired: true,
        holder: mine,
        takenOver: { previous: held, reason: dead ? 'owner_dead' : 'heartbeat_stale' },
      };
    });
  }

  async heartbeatLock(job: string, owner: string, now: Date): Promise<boolean> {
    return this.write(
      () =>
        this.db
          .prepare('UPDATE locks SET heartbeat_at = ? WHERE job = ? AND owner = ?')
          .run(now.getTime(), job, owner).changes === 1,
    );
  }

  async releaseLock(job: string, owner: string): Promise<void> {
    this.write(() => this.db.prepare('DELETE FROM locks WHERE job = ? AND owner = ?').run(job, owner));
  }

  /** The current holder of a lock, if any (for messages and `healer` diagnostics). */
  lockHolder(job: string): LockHolder | undefined {
    const row = this.read(() => this.db.prepare('SELECT * FROM locks WHERE job = ?').get(job)) as
      | LockRow
      | undefined;
    return row ? toHolder(row) : undefined;
  }

  async saveIncident(incident: IncidentRecord): Promise<void> {
    this.write(() =>
      this.db
        .prepare(
          'INSERT INTO incidents (id, started_at, body) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, body = excluded.body',
        )
        .run(incident.id, incident.startedAt, JSON.stringify(incident)),
    );
  }

  async getIncident(id: string): Promise<IncidentRecord | undefined> {
    const r = this.read(() => this.db.prepare('SELECT body FROM incidents WHERE id = ?').get(id)) as
      | { body: string }
      | undefined;
    return r ? (JSON.parse(r.body) as IncidentRecord) : undefined;
  }

  async listIncidents(limit = 100): Promise<IncidentRecord[]> {
    const rows = this.read(() =>
      this.db
        .prepare('SELECT body FROM incidents ORDER BY started_at DESC, id LIMIT ?')
        .all(Math.max(0, Math.floor(limit))),
    ) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as IncidentRecord);
  }

  async getAuditHead(): Promise<AuditHead | undefined> {
    const r = this.read(() => this.db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get()) as
      | { seq: number; hash: string }
      | undefined;
    return r ? { seq: Number(r.seq), hash: r.hash } : undefined;
  }

  async setAuditHead(head: AuditHead): Promise<void> {
    this.write(() => this.setAuditHeadSync(head));
  }

  setAuditHeadSync(head: AuditHead): void {
    this.db
      .prepare(
        'INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
      )
      .run(head.seq, head.hash);
  }

  /**
   * Copies an older store's rows in, in one transaction, keeping any row already here; retries are
   * copied only into an empty table (they have no key to compare).
   */
  importLegacy(legacy: LegacyState): void {
    this.write(() => {
      const incident = this.db.prepare(
        'INSERT INTO incidents (id, started_at, body) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      );
      for (const i of legacy.incidents) incident.run(i.id, i.startedAt, i.body);
      const claim = this.db.prepare(
        'INSERT INTO claimed_events (key, claimed_at) VALUES (?, ?) ON CONFLICT DO NOTHING',
      );
      for (const c of legacy.claimedEvents) claim.run(c.key, c.claimedAt);
      if ((this.db.prepare('SELECT count(*) AS n FROM retries').get() as { n: number }).n === 0) {
        const retry = this.db.prepare('INSERT INTO retries (job, run_id, retried_at) VALUES (?, ?, ?)');
        for (const r of legacy.retries) retry.run(r.job, r.runId, r.at);
      }
      const breaker = this.db.prepare('INSERT INTO breakers VALUES (?, ?) ON CONFLICT DO NOTHING');
      for (const b of legacy.breakers) breaker.run(b.job, b.failures);
      const head = legacy.auditHead[0];
      if (head)
        this.db
          .prepare('INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT DO NOTHING')
          .run(head.seq, head.hash);
    });
  }

  exclusive<T>(work: () => T): T {
    return this.write(work);
  }

  /** Closes the database (the last connection checkpoints the WAL into the file). */
  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function toHolder(row: LockRow): LockHolder {
  return {
    owner: row.owner,
    host: row.host,
    pid: Number(row.pid),
    ...(row.process_start ? { processStart: row.process_start } : {}),
    acquiredAt: row.acquired_at,
    heartbeatAt: new Date(Number(row.heartbeat_at)).toISOString(),
  };
}

/** SQLite's errors as healer's: a busy database is a lock conflict, a foreign file is bad config. */
function translate(error: unknown, file: string): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  const code = error.code;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return new LockedError(
      `${file}: the state store stayed busy (another healer process is writing): ${error.message}`,
      {
        cause: error,
        context: { file },
      },
    );
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))
    return new ConfigError(`${file} is not a healer state file (${error.message})`, {
      cause: error,
      context: { file },
    });
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_IOERR')
  )
    return new ConfigError(`${file}: cannot open the state store (${code}: ${error.message})`, {
      cause: error,
      context: { file },
    });
  return error;
}

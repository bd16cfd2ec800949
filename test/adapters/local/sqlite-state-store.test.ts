// The SQLite (WAL) state store (`.healer/state.sqlite`): the shared StateStore contract, read-only
// opens that create nothing, readers that answer while another process holds a write transaction,
// and locks that die with their owner: a real child process takes a lock and is killed with SIGKILL.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { currentProcess, isProcessAlive } from '../../../src/adapters/local/process-identity.js';
import { SqliteStateStore } from '../../../src/adapters/local/sqlite-state-store.js';
import { HealerError } from '../../../src/core/errors.js';
import type { IncidentRecord } from '../../../src/ports.js';
import { runStateStoreContract } from '../../ports/state-store-contract.js';

const opened: SqliteStateStore[] = [];
const dirs: string[] = [];
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const store of opened) await store.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'healer-sqlite-'));
  dirs.push(dir);
  return dir;
}

function track(store: SqliteStateStore): SqliteStateStore {
  opened.push(store);
  return store;
}

/** Starts a TypeScript child process (node itself, so its pid is the script's) and resolves once it prints `ready`. */
function child(script: string): Promise<{ proc: ChildProcess; output: () => string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let out = '';
  return new Promise((resolve, reject) => {
    proc.stdout?.on('data', (d) => {
      out += String(d);
      if (out.includes('ready')) resolve({ proc, output: () => out });
    });
    proc.stderr?.on('data', (d) => {
      out += String(d);
    });
    proc.on('exit', (code) => reject(new Error(`child exited ${code} before it was ready: ${out}`)));
  });
}

async function killHard(proc: ChildProcess): Promise<void> {
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;
}

const STORE_TS = JSON.stringify(join(process.cwd(), 'src/adapters/local/sqlite-state-store.ts'));

const incident = (id: string): IncidentRecord => ({
  id,
  event: {
    id: `evt-${id}`,
    source: 'test',
    pipeline: 'p',
    job: 'j',
    runId: `run-${id}`,
    state: 'FAILED',
    occurredAt: '2026-11-22T10:00:00.000Z',
  },
  status: 'escalated',
  summary: id,
  startedAt: '2026-11-22T10:00:00.000Z',
});

runStateStoreContract('sqlite (local file, WAL)', {
  create: async () => track(SqliteStateStore.open(join(await tempDir(), 'state.sqlite'))),
});

describe('SqliteStateStore read-only', () => {
  it('creates no folder or file, and a missing store is E_NOT_FOUND (or empty when asked)', async () => {
    const dir = join(await tempDir(), 'never-ran', '.healer');
    let error: unknown;
    try {
      SqliteStateStore.open(join(dir, 'state.sqlite'), { readOnly: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HealerError);
    expect((error as HealerError).code).toBe('E_NOT_FOUND');
    expect((error as HealerError).message).toMatch(/nothing has run with this state folder/);
    const empty = track(
      SqliteStateStore.open(join(dir, 'state.sqlite'), { readOnly: true, whenMissing: 'empty' }),
    );
    expect(await empty.listIncidents()).toEqual([]);
    expect((await empty.usage('j', 'r', new Date())).retriesThisRun).toBe(0);
    expect(existsSync(join(dir, '..'))).toBe(false);
  });

  it('refuses writes, and reads what a writer committed', async () => {
    const file = join(await tempDir(), 'state.sqlite');
    const writer = track(SqliteStateStore.open(file));
    await writer.saveIncident(incident('inc-1'));
    const reader = track(SqliteStateStore.open(file, { readOnly: true }));
    expect((await reader.getIncident('inc-1'))?.summary).toBe('inc-1');
    await expect(reader.saveIncident(incident('inc-2'))).rejects.toThrow(/readonly/);
  });

  it('a file that is not a state store is E_CONFIG, not a raw SQLite error', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state.sqlite');
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(file, 'not a database at all, not at all'.repeat(50)),
    );
    expect(() => SqliteStateStore.open(file)).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
  });
});

describe('SqliteStateStore across processes', () => {
  it('readers answer while another process holds a write transaction; a blocked writer gets E_LOCKED', async () => {
    const file = join(await tempDir(), 'state.sqlite');
    const setup = track(SqliteStateStore.open(file));
    await setup.saveIncident(incident('inc-committed'));
    const { proc } = await child(`
      import Database from 'better-sqlite3';
      const db = new Database(${JSON.stringify(file)});
      db.exec('BEGIN IMMEDIATE');
      db.prepare("INSERT INTO incidents VALUES ('inc-uncommitted', '2026-11-22T11:00:00.000Z', '{}')").run();
      console.log('ready');
      setInterval(() => {}, 1000);`);
    const reader = track(SqliteStateStore.open(file, { readOnly: true }));
    const started = Date.now();
    expect((await reader.listIncidents()).map((i) => i.id)).toEqual(['inc-committed']);
    expect(await reader.getIncident('inc-committed')).toBeDefined();
    expect(Date.now() - started).toBeLessThan(2000); // answered, did not wait for the writer
    const writer = track(SqliteStateStore.open(file, { busyTimeoutMs: 200 }));
    await expect(writer.saveIncident(incident('inc-blocked'))).rejects.toMatchObject({ code: 'E_LOCKED' });
    // The writer dies: the OS drops its lock and SQLite rolls its transaction back.
    await killHard(proc);
    await writer.saveIncident(incident('inc-after'));
    expect((await reader.listIncidents()).map((i) => i.id).sort()).toEqual(['inc-after', 'inc-committed']);
  }, 30_000);

  it('a lock whose holder process was killed is taken over at once, naming the dead holder', async () => {
    const file = join(await tempDir(), 'state.sqlite');
    const { proc } = await child(`
      import { SqliteStateStore } from ${STORE_TS};
      const store = SqliteStateStore.open(${JSON.stringify(file)});
      const got = await store.tryLock('orders', 'inc-child', 120_000, new Date());
      console.log(got.acquired ? 'ready' : 'refused');
      setInterval(() => {}, 1000);`);
    const store = track(SqliteStateStore.open(file));
    const refused = await store.tryLock('orders', 'inc-parent', 120_000, new Date());
    expect(refused.acquired).toBe(false);
    expect(refused.holder).toMatchObject({ owner: 'inc-child', pid: proc.pid, host: currentProcess().host });
    await killHard(proc);
    // Well inside the heartbeat bound: the dead pid alone frees it.
    const taken = await store.tryLock('orders', 'inc-parent', 120_000, new Date());
    expect(taken.acquired).toBe(true);
    if (!taken.acquired) return;
    expect(taken.takenOver?.reason).toBe('owner_dead');
    expect(taken.takenOver?.previous).toMatchObject({ owner: 'inc-child', pid: proc.pid });
    expect(taken.holder).toMatchObject({ owner: 'inc-parent', pid: process.pid });
  }, 30_000);

  it('two connections in one process (two environments on one folder) exclude each other', async () => {
    const file = join(await tempDir(), 'state.sqlite');
    const a = track(SqliteStateStore.open(file));
    const b = track(SqliteStateStore.open(file));
    const now = new Date();
    expect((await a.tryLock('orders', 'inc-a', 120_000, now)).acquired).toBe(true);
    const refused = await b.tryLock('orders', 'inc-b', 120_000, now);
    expect(refused.acquired).toBe(false);
    expect(refused.holder.owner).toBe('inc-a');
    await a.releaseLock('orders', 'inc-a');
    expect((await b.tryLock('orders', 'inc-b', 120_000, now)).acquired).toBe(true);
  });
});

describe('process liveness', () => {
  it('tells a live process, a dead one, a reused pid and another host apart', async () => {
    const me = currentProcess();
    expect(isProcessAlive(me)).toBe(true);
    const { proc } = await child(`console.log('ready'); setInterval(() => {}, 1000);`);
    const pid = proc.pid ?? 0;
    expect(isProcessAlive({ host: me.host, pid })).toBe(true);
    if (me.processStart !== undefined)
      expect(isProcessAlive({ host: me.host, pid, processStart: '1' })).toBe(false); // pid reused
    expect(isProcessAlive({ host: `not-${me.host}`, pid: 999_999 })).toBe(true); // cannot tell: heartbeat decides
    await killHard(proc);
    expect(isProcessAlive({ host: me.host, pid })).toBe(false);
  }, 30_000);
});

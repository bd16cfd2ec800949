// The intent journal and reconciliation in one process, on real files: a live owner's intent is
// never taken over; a dead owner's uncommitted intent is rolled back (staging removed, incident
// failed) and a committed one rolled forward (staged file moved into place, only the missing audit
// records appended), each with one `reconcile` record and the job lock released; a kept resource
// setting goes with the commit (kept when rolled forward, not when rolled back).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { type JsonlAuditLog, openJsonlAuditLog } from '../../../src/adapters/local/jsonl-audit-log.js';
import { LocalCatalog } from '../../../src/adapters/local/local-catalog.js';
import { LocalIntentJournal } from '../../../src/adapters/local/local-intent-journal.js';
import { currentOwner, ownerIsGone } from '../../../src/adapters/local/process-owner.js';
import { SqliteStateStore } from '../../../src/adapters/local/sqlite-state-store.js';
import { SystemClock } from '../../../src/adapters/local/system-clock.js';
import { reconcile } from '../../../src/agent.js';
import type { AuditBody } from '../../../src/core/audit-chain.js';
import type { ActionIntent, IncidentRecord } from '../../../src/ports.js';

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid ?? -1;
}

let dir: string;
let journal: LocalIntentJournal;
let audit: JsonlAuditLog;
let state: SqliteStateStore;
const clock = new SystemClock();

const incident = (id: string): IncidentRecord => ({
  id,
  event: {
    id: `e-${id}`,
    source: 'local',
    pipeline: 'p',
    job: 'p',
    runId: 'r1',
    state: 'FAILED',
    occurredAt: '2026-12-01T00:00:00Z',
  },
  status: 'failed',
  summary: '',
  startedAt: '2026-12-01T00:00:01Z',
  action: 'quarantine',
});

const intentFor = (id: string): ActionIntent => ({
  incidentId: id,
  pipeline: 'p',
  job: 'p',
  action: 'quarantine',
  incident: incident(id),
  policyHash: 'ph',
  guardHash: 'gh',
  authorityHash: 'ah',
  writes: [join(dir, 'quarantine', 'src', `${id}.parquet`)],
});

const record = (incidentId: string, step: AuditBody['step'], data: unknown): AuditBody => ({
  incidentId,
  step,
  at: new Date().toISOString(),
  policyHash: 'ph',
  guardHash: 'gh',
  authorityHash: 'ah',
  data,
});

/** Makes the owner of an open intent a process that no longer exists. */
async function orphan(id: string): Promise<void> {
  const file = join(dir, 'intents', `incident-${id}.json`);
  const body = JSON.parse(await readFile(file, 'utf8'));
  body.owner.pid = await deadPid();
  await writeFile(file, JSON.stringify(body));
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'healer-journal-'));
  journal = new LocalIntentJournal(dir, new LocalCatalog(dir));
  state = SqliteStateStore.open(':memory:');
  audit = await openJsonlAuditLog(dir);
});

describe('process owner', () => {
  it('is gone only when it ran here and no such process exists', async () => {
    expect(ownerIsGone(currentOwner())).toBe(false);
    expect(ownerIsGone({ pid: await deadPid(), host: currentOwner().host })).toBe(true);
    expect(ownerIsGone({ pid: await deadPid(), host: 'another-host' })).toBe(false);
  });
});

describe('reconcile', () => {
  it("never touches a live owner's intent (this process, or another one still running)", async () => {
    await journal.begin(intentFor('inc-live'));
    await mkdir(journal.stagingDir('inc-live'), { recursive: true });
    expect(await reconcile({ journal, audit, state, clock })).toEqual([]);
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    try {
      const file = join(dir, 'intents', 'incident-inc-live.json');
      const body = JSON.parse(await readFile(file, 'utf8'));
      body.owner.pid = other.pid;
      await writeFile(file, JSON.stringify(body));
      expect(await reconcile({ journal, audit, state, clock })).toEqual([]);
      expect(existsSync(journal.stagingDir('inc-live'))).toBe(true);
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.on('exit', resolve));
    }
    // Once that owner is gone, the next start takes it over.
    expect((await reconcile({ journal, audit, state, clock })).map((r) => r.resolution)).toEqual([
      'rolled_back',
    ]);
  });

  it("rolls back a dead owner's uncommitted action and frees its lock", async () => {
    await journal.begin(intentFor('inc-a'));
    expect((await state.tryLock('p', 'inc-a', 15 * 60_000, new Date())).acquired).toBe(true);
    await audit.append(record('inc-a', 'intent', {}));
    const staged = join(journal.stagingDir('inc-a'), 'quarantine', 'src.parquet');
    await mkdir(join(journal.stagingDir('inc-a'), 'quarantine'), { recursive: true });
    await writeFile(staged, 'half a file');
    await orphan('inc-a');
    expect(await reconcile({ journal, audit, state, clock })).toEqual([
      { incidentId: 'inc-a', action: 'quarantine', resolution: 'rolled_back' },
    ]);
    expect(existsSync(journal.stagingDir('inc-a'))).toBe(false);
    expect(await readdir(join(dir, 'intents'))).toEqual([]);
    expect((await audit.read('inc-a')).map((r) => r.step)).toEqual(['intent', 'reconcile', 'outcome']);
    expect(await state.getIncident('inc-a')).toMatchObject({ status: 'failed', action: 'quarantine' });
    expect((await state.tryLock('p', 'someone-else', 60_000, new Date())).acquired).toBe(true);
    expect((await audit.verify()).ok).toBe(true);
  });

  it("rolls a dead owner's committed action forward, appending only what is missing", async () => {
    await journal.begin(intentFor('inc-b'));
    const staged = join(journal.stagingDir('inc-b'), 'quarantine', 'src.parquet');
    const final = join(dir, 'quarantine', 'src', 'inc-b.parquet');
    await mkdir(join(journal.stagingDir('inc-b'), 'quarantine'), { recursive: true });
    await writeFile(staged, 'the quarantined rows');
    await journal.stage('inc-b', { files: [{ from: staged, to: final }], schemas: [], baselines: [] });
    const resolved: IncidentRecord = {
      ...incident('inc-b'),
      status: 'resolved',
      summary: 'quarantine validated',
    };
    const commit = await journal.commit('inc-b', (writes) => ({
      writes,
      records: [record('inc-b', 'commit', { writes }), record('inc-b', 'outcome', { status: 'resolved' })],
      incident: resolved,
    }));
    expect(commit.writes).toEqual([final]);
    // The process got as far as the commit record, then died.
    await audit.append(commit.records[0]!);
    await orphan('inc-b');
    expect(await reconcile({ journal, audit, state, clock })).toEqual([
      { incidentId: 'inc-b', action: 'quarantine', resolution: 'rolled_forward' },
    ]);
    expect(await readFile(final, 'utf8')).toBe('the quarantined rows');
    expect((await audit.read('inc-b')).map((r) => r.step)).toEqual(['commit', 'reconcile', 'outcome']);
    expect(await state.getIncident('inc-b')).toMatchObject({ status: 'resolved' });
    expect(await reconcile({ journal, audit, state, clock })).toEqual([]);
    expect((await audit.verify()).ok).toBe(true);
  });
});

describe('a kept resource setting goes with the commit', () => {
  const kept = { job: 'p', settings: { memoryMb: 128 }, at: '2026-12-01T00:00:02Z' };
  const keeping = () => new LocalIntentJournal(dir, new LocalCatalog(dir), state);

  it("a dead owner's committed scale_resources is rolled forward with its setting kept", async () => {
    const j = keeping();
    await j.begin({ ...intentFor('inc-k1'), action: 'scale_resources' });
    await j.stage('inc-k1', { files: [], schemas: [], baselines: [], keptResources: kept });
    await j.commit('inc-k1', (writes) => {
      expect(writes).toEqual(['kept resources of p']);
      return { writes, records: [], incident: incident('inc-k1') };
    });
    expect(await state.keptResources('p')).toBeUndefined();
    await orphan('inc-k1');
    expect((await reconcile({ journal: j, audit, state, clock })).map((r) => r.resolution)).toEqual([
      'rolled_forward',
    ]);
    expect(await state.keptResources('p')).toEqual({ settings: { memoryMb: 128 }, successes: 0 });
  });

  it("a dead owner's uncommitted scale_resources is rolled back and keeps nothing", async () => {
    const j = keeping();
    await j.begin({ ...intentFor('inc-k2'), action: 'scale_resources' });
    await j.stage('inc-k2', { files: [], schemas: [], baselines: [], keptResources: kept });
    await orphan('inc-k2');
    expect((await reconcile({ journal: j, audit, state, clock })).map((r) => r.resolution)).toEqual([
      'rolled_back',
    ]);
    expect(await state.keptResources('p')).toBeUndefined();
  });

  it('a journal with no store for kept settings refuses to stage one (before anything is committed)', async () => {
    await journal.begin(intentFor('inc-k3'));
    await expect(
      journal.stage('inc-k3', { files: [], schemas: [], baselines: [], keptResources: kept }),
    ).rejects.toThrow(/no store for kept resource settings/);
  });
});

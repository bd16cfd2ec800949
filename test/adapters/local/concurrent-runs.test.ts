// Concurrency on one state folder, on real DuckDB and SQLite files: two environments in one process
// (once both took the job lock, both quarantined, the audit chain forked and an incident was lost),
// audit appends from two real processes (seq never repeats), and `healer run` refusing or waiting
// for a second run of one pipeline with E_LOCKED naming the holder.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openJsonlAuditLog } from '../../../src/adapters/local/jsonl-audit-log.js';
import { SqliteStateStore } from '../../../src/adapters/local/sqlite-state-store.js';
import { handleIncident } from '../../../src/agent.js';
import { memoryIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import type { AuditRecord } from '../../../src/core/audit-chain.js';
import {
  createLocalEnvironment,
  type LocalEnvironment,
} from '../../../src/environments/local-environment.js';
import type { IncidentRecord, RemediationContext } from '../../../src/ports.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const PIPE = `name: p1
sources:
  orders:
    path: in.csv
    contract:
      columns:
        id: { type: int64, nullable: false }
        amount: { type: double, nullable: false }
transform: SELECT sum(amount) AS total, count(*) AS n FROM orders
target: { path: out.parquet }
authority: { mode: autonomous }
retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 }
`;
const GOOD = ['id,amount', ...Array.from({ length: 200 }, (_, i) => `${i},${i}.5`)].join('\n');
const BAD = GOOD.replace('\n7,7.5', '\n7,').replace('\n9,9.5', '\n9,');

async function pipelineDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'healer-conc-'));
  dirs.push(dir);
  await writeFile(join(dir, 'pipeline.yaml'), PIPE);
  await writeFile(join(dir, 'in.csv'), GOOD);
  return dir;
}

async function auditRecords(dir: string): Promise<AuditRecord[]> {
  const text = await readFile(join(dir, '.healer', 'audit.jsonl'), 'utf8');
  return text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditRecord);
}

function spawnTs(script: string): ChildProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  return proc;
}

function finished(proc: ChildProcess): Promise<{ code: number | null; out: string }> {
  let out = '';
  proc.stdout?.on('data', (d) => {
    out += String(d);
  });
  proc.stderr?.on('data', (d) => {
    out += String(d);
  });
  return new Promise((resolve) => proc.on('exit', (code) => resolve({ code, out })));
}

describe('two environments in one process on one state folder', () => {
  it('one remediates while the other is refused the job lock, naming it; one chain, no incident lost', async () => {
    const dir = await pipelineDir();
    const file = join(dir, 'pipeline.yaml');
    const a = await createLocalEnvironment({ pipelineFile: file, terminal: false });
    const b = await createLocalEnvironment({ pipelineFile: file, terminal: false });
    const envs: LocalEnvironment[] = [a, b];
    try {
      expect((await a.runner.run(a.spec)).status).toBe('succeeded');
      await writeFile(join(dir, 'in.csv'), BAD);
      const runA = await a.runner.run(a.spec);
      const runB = await b.runner.run(b.spec);
      if (runA.status !== 'failed' || runB.status !== 'failed') throw new Error('both runs should fail');
      // Count remediations in flight across both environments (the real remediators run).
      let inFlight = 0;
      let most = 0;
      const tried = new Set<LocalEnvironment>();
      for (const env of envs) {
        const tryLock = env.state.tryLock.bind(env.state);
        env.state.tryLock = async (...args) => {
          tried.add(env);
          return tryLock(...args);
        };
        const execute = env.remediator.execute.bind(env.remediator);
        env.remediator.execute = async (action, ctx: RemediationContext) => {
          inFlight++;
          most = Math.max(most, inFlight);
          // The winner holds its lock until the other has asked for it: the two really overlap.
          for (let i = 0; i < 200 && tried.size < 2; i++) await new Promise((r) => setTimeout(r, 25));
          try {
            return await execute(action, ctx);
          } finally {
            inFlight--;
          }
        };
      }
      const both = await Promise.all([handleIncident(runA.event, a), handleIncident(runB.event, b)]);
      expect(tried.size).toBe(2);
      expect(most).toBe(1);
      const winner = both.find((i) => i.status === 'resolved');
      const loser = both.find((i) => i.status === 'escalated');
      expect(winner).toMatchObject({ action: 'quarantine', status: 'resolved' });
      expect(loser?.summary).toContain(`another remediation holds the lock of job p1 (${winner?.id}`);
      expect(loser?.summary).toContain(`pid ${process.pid}`);
      const [incA, incB] = both as [IncidentRecord, IncidentRecord];
      // Both incidents are stored, from either environment.
      const ids = (await b.state.listIncidents()).map((i) => i.id).sort();
      expect(ids).toEqual([incA.id, incB.id].sort());
    } finally {
      for (const env of envs) await env.close();
    }
    const records = await auditRecords(dir);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i));
    const verify = memoryIo('', dir);
    expect(await main(['audit', 'verify', '--state-dir', join(dir, '.healer'), '--json'], verify)).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, incidents: 2 });
  }, 60_000);
});

describe('a remediation killed with SIGKILL', () => {
  it('leaves no lock behind: the next incident takes the job lock over at once and audits it', async () => {
    const dir = await pipelineDir();
    const file = join(dir, 'pipeline.yaml');
    const first = await createLocalEnvironment({ pipelineFile: file, terminal: false });
    try {
      expect((await first.runner.run(first.spec)).status).toBe('succeeded');
    } finally {
      await first.close();
    }
    await writeFile(join(dir, 'in.csv'), BAD);
    // A real agent in another process, stopped inside its remediation (holding the job lock).
    const proc = spawnTs(`
      import { createLocalEnvironment } from ${JSON.stringify(join(process.cwd(), 'src/environments/local-environment.ts'))};
      import { handleIncident } from ${JSON.stringify(join(process.cwd(), 'src/agent.ts'))};
      const env = await createLocalEnvironment({ pipelineFile: ${JSON.stringify(file)}, terminal: false });
      const run = await env.runner.run(env.spec);
      env.remediator.execute = () => { console.log('ready'); return new Promise(() => {}); };
      await handleIncident(run.event, env);`);
    await new Promise<void>((resolve) =>
      proc.stdout?.on('data', (d) => String(d).includes('ready') && resolve()),
    );
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
    const env = await createLocalEnvironment({ pipelineFile: file, terminal: false });
    try {
      expect(env.stateStore.lockHolder('p1')).toMatchObject({ pid: proc.pid }); // the dead holder's row
      const run = await env.runner.run(env.spec);
      if (run.status !== 'failed') throw new Error('the run should fail');
      const incident = await handleIncident(run.event, env);
      expect(incident).toMatchObject({ action: 'quarantine', status: 'resolved' });
      expect(env.stateStore.lockHolder('p1')).toBeUndefined();
    } finally {
      await env.close();
    }
    // The dead agent had recorded its intent, so the next start reconciles it (rolls it back) and
    // frees its lock; either way the audit says what happened to the dead holder.
    const records = await auditRecords(dir);
    const takeover = records.find((r) => r.step === 'lock_takeover');
    const reconciled = records.find((r) => r.step === 'reconcile');
    if (takeover)
      expect(takeover.data).toMatchObject({ lock: 'p1', reason: 'owner_dead', previous: { pid: proc.pid } });
    else expect(reconciled?.data).toMatchObject({ resolution: 'rolled_back', action: 'quarantine' });
  }, 60_000);
});

describe('the job lock across two processes', () => {
  it('two real child processes contending for one job lock never hold it at once', async () => {
    const dir = await pipelineDir();
    const state = join(dir, '.healer', 'state.sqlite');
    SqliteStateStore.open(state).close();
    const go = Date.now() + 5000; // both start contending at the same moment, after start-up
    const script = (who: string) => `
      import { SqliteStateStore } from ${JSON.stringify(join(process.cwd(), 'src/adapters/local/sqlite-state-store.ts'))};
      import { SystemClock } from ${JSON.stringify(join(process.cwd(), 'src/adapters/local/system-clock.ts'))};
      import { takeLease } from ${JSON.stringify(join(process.cwd(), 'src/lock-lease.ts'))};
      const store = SqliteStateStore.open(${JSON.stringify(state)});
      await new Promise((r) => setTimeout(r, ${go} - Date.now()));
      for (let i = 0; i < 6; i++) {
        const lease = await takeLease(store, new SystemClock(), 'p1', '${who}-' + i, { ttlMs: 60_000, waitMs: 20_000, pollMs: 10 });
        if (!lease.acquired) throw new Error('gave up');
        const start = Date.now();
        await new Promise((r) => setTimeout(r, 40));
        console.log(JSON.stringify({ who: '${who}', start, end: Date.now() }));
        await lease.release();
        await new Promise((r) => setTimeout(r, 25)); // let the other one in
      }
      await store.close();`;
    const results = await Promise.all([finished(spawnTs(script('a'))), finished(spawnTs(script('b')))]);
    for (const r of results) expect(r.code).toBe(0);
    const spans = results
      .flatMap((r) => r.out.trim().split('\n'))
      .map((l) => JSON.parse(l) as { who: string; start: number; end: number })
      .sort((x, y) => x.start - y.start);
    expect(spans).toHaveLength(12);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
    // They really contended: the lock changed hands between the processes more than once.
    expect(spans.filter((x, i) => i > 0 && x.who !== spans[i - 1]!.who).length).toBeGreaterThan(1);
  }, 60_000);
});

describe('audit appends from two processes', () => {
  it('extend one chain: every seq once, in order, verified against the head', async () => {
    const dir = await pipelineDir();
    const state = join(dir, '.healer');
    const go = Date.now() + 5000; // both start appending at the same moment, after start-up
    const script = (who: string) => `
      import { openJsonlAuditLog } from ${JSON.stringify(join(process.cwd(), 'src/adapters/local/jsonl-audit-log.ts'))};
      import { SqliteStateStore } from ${JSON.stringify(join(process.cwd(), 'src/adapters/local/sqlite-state-store.ts'))};
      import { SystemClock } from ${JSON.stringify(join(process.cwd(), 'src/adapters/local/system-clock.ts'))};
      import { exclusiveLease } from ${JSON.stringify(join(process.cwd(), 'src/lock-lease.ts'))};
      const store = SqliteStateStore.open(${JSON.stringify(join(state, 'state.sqlite'))});
      const log = await openJsonlAuditLog(${JSON.stringify(state)}, {
        exclusive: exclusiveLease(store, new SystemClock(), 'audit-append', { ttlMs: 30_000, waitMs: 60_000, pollMs: 5 }),
      });
      await new Promise((r) => setTimeout(r, ${go} - Date.now()));
      const start = Date.now();
      for (let i = 0; i < 150; i++)
        await log.append({ incidentId: '${who}', step: 'received', at: new Date().toISOString(), policyHash: '', guardHash: '', authorityHash: '', data: { i } });
      console.log(JSON.stringify({ start, end: Date.now() }));
      await store.close();`;
    SqliteStateStore.open(join(state, 'state.sqlite')).close(); // both start on an existing store
    const results = await Promise.all([
      finished(spawnTs(script('inc-a'))),
      finished(spawnTs(script('inc-b'))),
    ]);
    for (const r of results) expect(r).toMatchObject({ code: 0 });
    const records = await auditRecords(dir);
    expect(records).toHaveLength(300);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i));
    // The two really appended at once: their spans overlap (SQLite does not promise fairness, so
    // one may well have waited for most of the other's appends).
    const [a, b] = results.map((r) => JSON.parse(r.out.trim()) as { start: number; end: number }) as [
      { start: number; end: number },
      { start: number; end: number },
    ];
    expect(Math.max(a.start, b.start)).toBeLessThan(Math.min(a.end, b.end));
    expect(await (await openJsonlAuditLog(state, { create: false })).verify()).toMatchObject({
      ok: true,
      records: 300,
    });
  }, 60_000);
});

describe('healer run: one run of a pipeline at a time', () => {
  it('a second run fails with E_LOCKED naming the holder, or waits for it (bounded)', async () => {
    const dir = await pipelineDir();
    const store = SqliteStateStore.open(join(dir, '.healer', 'state.sqlite'));
    try {
      expect((await store.tryLock('run:p1', 'run-holder-1', 120_000, new Date())).acquired).toBe(true);
      const refused = memoryIo('', dir);
      expect(await main(['run', 'pipeline.yaml', '--wait', '0'], refused)).toBe(2);
      expect(refused.stderr).toMatch(
        /^healer: E_LOCKED: pipeline p1 is being run by run-holder-1 \(pid \d+ on /,
      );
      // The holder finishes 300 ms later; a run that waits up to 10 s then proceeds.
      setTimeout(() => void store.releaseLock('run:p1', 'run-holder-1'), 300);
      const waited = memoryIo('', dir);
      expect(await main(['run', 'pipeline.yaml', '--wait', '10'], waited)).toBe(0);
      expect(waited.stdout).toMatch(/succeeded: 1 row /);
      expect(store.lockHolder('run:p1')).toBeUndefined(); // released after the run
    } finally {
      await store.close();
    }
  }, 60_000);

  it('a run killed with SIGKILL does not block the next run, which audits the takeover', async () => {
    const dir = await pipelineDir();
    const state = join(dir, '.healer');
    const proc = spawnTs(`
      import { SqliteStateStore } from ${JSON.stringify(join(process.cwd(), 'src/adapters/local/sqlite-state-store.ts'))};
      const store = SqliteStateStore.open(${JSON.stringify(join(state, 'state.sqlite'))});
      await store.tryLock('run:p1', 'run-killed', 120_000, new Date());
      console.log('ready');
      setInterval(() => {}, 1000);`);
    await new Promise<void>((resolve) =>
      proc.stdout?.on('data', (d) => String(d).includes('ready') && resolve()),
    );
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
    const io = memoryIo('', dir);
    expect(await main(['run', 'pipeline.yaml', '--wait', '0'], io)).toBe(0);
    const takeover = (await auditRecords(dir)).find((r) => r.step === 'lock_takeover');
    expect(takeover?.data).toMatchObject({
      lock: 'run:p1',
      reason: 'owner_dead',
      previous: { owner: 'run-killed', pid: proc.pid },
    });
  }, 60_000);
});

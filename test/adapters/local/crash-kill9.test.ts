// kill -9 through a real healing run: `healer run` as a child process on 100,000 rows, 5,000 of
// them with a null in a required column (quarantine heals it), killed with SIGKILL at every named
// point of the action (HEALER_CRASH_AT) and at seeded random times. After each kill the previous
// good output is readable; after the next start (what a plain re-run does first) the output holds
// exactly the good rows, every quarantine file reads and holds each bad row once per resolved
// incident, each incident has one outcome, the audit verifies, and no intent, staging folder or
// job lock is left behind; a plain re-run then heals again.

import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteLiteral } from '../../../src/adapters/duckdb/sql.js';
import { openJsonlAuditLog } from '../../../src/adapters/local/jsonl-audit-log.js';
import { LocalCatalog } from '../../../src/adapters/local/local-catalog.js';
import { SqliteStateStore } from '../../../src/adapters/local/sqlite-state-store.js';
import { type Reconciliation, reconcile } from '../../../src/agent.js';
import { memoryIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import { CRASH_POINTS, type CrashPoint } from '../../../src/crash-point.js';
import { createLocalEnvironment } from '../../../src/environments/local-environment.js';
import { rows } from './read-rows.js';

const ROWS = 100_000;
const EVERY = 20; // every 20th amount is null: 5,000 bad rows
const BAD = ROWS / EVERY;
const GOOD = ROWS - BAD;

const PIPELINE = `name: payments
sources:
  payments:
    path: in.csv
    contract:
      columns:
        id: { type: int64, nullable: false }
        amount: { type: double, nullable: false }
        note: { type: string }
      keys: [id]
transform: SELECT id, amount, note FROM "payments"
target: { name: payments_out, path: out/payments.parquet }
authority: { mode: autonomous }
`;

let dir: string;
// The CLI bundled once (esbuild, packages left external) so that a child starts in a fraction of
// the time tsx takes to compile the sources; beside the sources, so the packages resolve.
let childScript: string;
// How long a whole healing run took here (the kill at `closed`): random kills land inside it.
let fullRunMs = 4_000;
const state = () => join(dir, '.healer');
const output = () => join(dir, 'out', 'payments.parquet');
const quarantineGlob = () => join(state(), 'quarantine', 'payments', '*.parquet');

function csv(bad: boolean): string {
  const lines = ['id,amount,note'];
  for (let i = 0; i < ROWS; i++) lines.push(`${i},${bad && i % EVERY === 0 ? '' : `${i}.25`},n${i % 7}`);
  return `${lines.join('\n')}\n`;
}

/** `healer run` in a child process; resolves with how it ended. */
function child(
  crashAt?: string,
  killAfterMs?: number,
): Promise<{ code: number | null; signal: string | null }> {
  const proc = spawn(process.execPath, [childScript, 'run', join(dir, 'pipeline.yaml')], {
    cwd: process.cwd(),
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...(crashAt ? { HEALER_CRASH_AT: crashAt } : {}) },
  });
  let stderr = '';
  proc.stderr.on('data', (d) => {
    stderr += String(d);
  });
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) =>
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === null && code !== 0) console.error(stderr);
      resolve({ code, signal });
    }),
  );
}

/** What a reader sees right after a kill: the old output or the new one, whole; quarantine files whole. */
async function readableNow(): Promise<number> {
  const [out] = await rows(
    `SELECT count(*) AS n, count(*) FILTER (WHERE amount = id + 0.25) AS right FROM read_parquet(${quoteLiteral(output())})`,
  );
  expect(Number(out?.right)).toBe(Number(out?.n));
  expect([ROWS, GOOD]).toContain(Number(out?.n));
  const files = await readdir(join(state(), 'quarantine', 'payments')).catch(() => []);
  if (files.length > 0) {
    const perFile = await rows(
      `SELECT filename, count(*) AS n FROM read_parquet(${quoteLiteral(quarantineGlob())}, filename = true) GROUP BY filename`,
    );
    expect(perFile.length).toBe(files.length);
    for (const f of perFile) expect(Number(f.n)).toBe(BAD);
  }
  return Number(out?.n);
}

/** Everything that must hold once a start has reconciled (a plain re-run does that first). */
async function checkAfterRerun(healed = true): Promise<{ resolved: number; failed: number }> {
  const [out] = await rows(
    `SELECT count(*) AS n, count(DISTINCT id) AS ids, count(*) FILTER (WHERE id % ${EVERY} = 0) AS bad,
            count(*) FILTER (WHERE amount = id + 0.25 AND note = 'n' || CAST(id % 7 AS VARCHAR)) AS right,
            min(id) AS lo, max(id) AS hi
     FROM read_parquet(${quoteLiteral(output())})`,
  );
  const got = Object.fromEntries(Object.entries(out ?? {}).map(([k, v]) => [k, Number(v)]));
  // Exactly the good rows, each once, with their values (before any heal: the first good run's).
  if (healed) expect(got).toEqual({ n: GOOD, ids: GOOD, bad: 0, right: GOOD, lo: 1, hi: ROWS - 1 });
  else expect(got).toEqual({ n: ROWS, ids: ROWS, bad: BAD, right: ROWS, lo: 0, hi: ROWS - 1 });

  const store = SqliteStateStore.open(join(state(), 'state.sqlite'));
  try {
    const incidents = await store.listIncidents(10_000);
    const resolved = incidents.filter((i) => i.status === 'resolved');
    for (const i of incidents) expect(['resolved', 'failed']).toContain(i.status);
    for (const i of resolved) expect(i.action).toBe('quarantine');
    // The documented query reads every file; each resolved incident holds each bad row once, and
    // only resolved incidents hold any.
    const files = await readdir(join(state(), 'quarantine', 'payments')).catch(() => []);
    const held =
      files.length === 0
        ? []
        : await rows(
            `SELECT _healer_incident_id AS inc, count(*) AS n, count(DISTINCT id) AS ids,
              count(*) FILTER (WHERE CAST(id AS BIGINT) % ${EVERY} = 0 AND amount IS NULL) AS bad
       FROM read_parquet(${quoteLiteral(quarantineGlob())}) GROUP BY 1 ORDER BY 1`,
          );
    expect(held.map((h) => h.inc)).toEqual(resolved.map((i) => i.id).sort());
    for (const h of held) expect([h.n, h.ids, h.bad].map(Number)).toEqual([BAD, BAD, BAD]);
    expect(files.length).toBe(resolved.length);
    // Every incident's record is finished exactly once.
    const audit = await openJsonlAuditLog(state(), { create: false });
    for (const i of incidents) {
      const steps = (await audit.read(i.id)).map((r) => r.step);
      expect(steps.filter((s) => s === 'outcome')).toHaveLength(1);
      // A restart that found the outcome already written only says so.
      expect(steps.slice(steps.indexOf('outcome') + 1).every((s) => s === 'reconcile')).toBe(true);
      if (i.status === 'resolved') expect(steps).toContain('commit');
    }
    // No stale lock: another owner takes the job's lock at once.
    const probe = new Date();
    expect((await store.tryLock('payments', 'probe', 60_000, probe)).acquired, 'the job lock is free').toBe(
      true,
    );
    await store.releaseLock('payments', 'probe');
    // Nothing open, nothing staged.
    expect(await readdir(join(state(), 'intents'))).toEqual([]);
    expect(await readdir(join(state(), 'staging'))).toEqual([]);
    return { resolved: resolved.length, failed: incidents.length - resolved.length };
  } finally {
    await store.close();
  }
}

async function verifyAudit(): Promise<void> {
  const verify = memoryIo('', dir);
  expect(await main(['audit', 'verify', '--state-dir', state(), '--json'], verify), verify.stdout).toBe(0);
}

async function plainRerun(): Promise<void> {
  const io = memoryIo('', dir);
  expect(await main(['run', join(dir, 'pipeline.yaml')], io), io.stderr).toBe(0);
  await verifyAudit();
}

/** What every start does first (`healer run` included): finish or undo what a dead process left. */
async function startReconciles(): Promise<Reconciliation[]> {
  const env = await createLocalEnvironment({ pipelineFile: join(dir, 'pipeline.yaml'), terminal: false });
  try {
    return await reconcile(env);
  } finally {
    await env.close();
  }
}

beforeAll(async () => {
  childScript = join(process.cwd(), 'build', 'test', `healer-child-${process.pid}.mjs`);
  await build({
    entryPoints: [join(import.meta.dirname, 'healer-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    target: 'node20',
    outfile: childScript,
    logLevel: 'warning',
  });
  dir = await mkdtemp(join(tmpdir(), 'healer-kill9-'));
  await writeFile(join(dir, 'pipeline.yaml'), PIPELINE);
  await writeFile(join(dir, 'in.csv'), csv(false));
  const io = memoryIo('', dir);
  expect(await main(['run', join(dir, 'pipeline.yaml')], io), io.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(childScript, { force: true });
});

describe('kill -9 through a healing run, then a plain re-run', () => {
  const points: readonly CrashPoint[] = CRASH_POINTS;

  it('a plain run killed after its commit: the next start finishes publishing it', async () => {
    const catalog = new LocalCatalog(state());
    const before = await catalog.currentTarget('payments_out');
    expect((await child('published')).signal).toBe('SIGKILL');
    expect(await readableNow()).toBe(ROWS);
    // Killed between the target and the baseline pointer: the pointer is still the old run's.
    const target = await catalog.currentTarget('payments_out');
    expect(target?.runId).not.toBe(before?.runId);
    expect((await catalog.baseline('payments'))?.runId).toBe(before?.runId);
    expect(await startReconciles()).toEqual([]); // no incident: the run's own intent is finished
    expect((await catalog.baseline('payments'))?.runId).toBe(target?.runId);
    expect(await readdir(join(state(), 'intents'))).toEqual([]);
    expect(await readdir(join(state(), 'staging'))).toEqual([]);
    // From here on the input is bad: every run fails and the agent heals it.
    await writeFile(join(dir, 'in.csv'), csv(true));
  }, 60_000);

  it('at every named point (a torn write simulated by cutting the file in half before the kill): the previous output stays readable; the next start finishes or undoes the action', async () => {
    const timings: string[] = [];
    let resolved = 0;
    let failed = 0;
    for (const point of points) {
      const previous = await readableNow();
      const started = performance.now();
      const ended = await child(point);
      const ms = performance.now() - started;
      timings.push(`${point} ${Math.round(ms)} ms`);
      if (point === 'closed') fullRunMs = ms;
      expect(ended.signal, point).toBe('SIGKILL');
      const committed = CRASH_POINTS.indexOf(point) >= CRASH_POINTS.indexOf('commit');
      // Before the commit nothing the action wrote is visible.
      if (!committed) expect(await readableNow(), point).toBe(previous);
      else await readableNow();
      const done = await startReconciles();
      // Killed once the incident was saved and its intent closed, there is nothing left to do.
      expect(
        done.map((d) => d.resolution),
        point,
      ).toEqual(point === 'closed' ? [] : [committed ? 'rolled_forward' : 'rolled_back']);
      if (committed) resolved++;
      else failed++;
      await verifyAudit();
      expect(await checkAfterRerun(resolved > 0), point).toEqual({ resolved, failed });
    }
    // And a plain re-run after all of that heals once more, cleanly.
    await plainRerun();
    expect(await checkAfterRerun()).toEqual({ resolved: resolved + 1, failed });
    console.log(`kill -9 at named points (child until killed): ${timings.join(', ')}`);
  }, 300_000);

  it('killed again while reconciling: the start after that finishes the first action once', async () => {
    const before = await checkAfterRerun();
    expect((await child('commit')).signal).toBe('SIGKILL');
    // The next run starts by rolling that action forward and dies half way through publishing it.
    expect((await child('published')).signal).toBe('SIGKILL');
    await readableNow();
    expect((await startReconciles()).map((d) => d.resolution)).toEqual(['rolled_forward']);
    await verifyAudit();
    expect(await checkAfterRerun()).toEqual({ resolved: before.resolved + 1, failed: before.failed });
  }, 120_000);

  it('at random times (seeded; real interrupted writes): the same guarantees, then a plain re-run heals', async () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const before = await checkAfterRerun();
    let incidents = before.resolved + before.failed;
    for (let i = 0; i < 3; i++) {
      await child(undefined, Math.floor(fullRunMs * (0.2 + 0.8 * random())));
      await readableNow();
      await plainRerun();
      const after = await checkAfterRerun();
      // The killed run made at most one incident (none when killed before it failed); the re-run one.
      const made = after.resolved + after.failed - incidents;
      expect(made).toBeGreaterThanOrEqual(1);
      expect(made).toBeLessThanOrEqual(2);
      incidents += made;
    }
  }, 120_000);
});

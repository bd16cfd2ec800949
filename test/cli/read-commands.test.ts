// The read-only commands (`incidents`, `incident show`, `audit verify`, `diagnose`) on real files:
// they answer while another process holds a write transaction on the state store (once they
// failed with DuckDB's raw "Could not set lock on file", exit 1), and on a folder where nothing ran
// they create nothing: E_NOT_FOUND, exit 2 (diagnose decides from an empty history).

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IncidentRecord } from '../../src/ports.js';
import { ordersPipeline } from '../fixtures/orders-pipeline.js';
import { cli } from '../support/orders-project.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const PIPE = ordersPipeline();
const good = ['id,amount', ...Array.from({ length: 100 }, (_, i) => `${i},${i}.25`)].join('\n');
const bad = good.replace('\n7,7.25', '\n7,');

async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'healer-readers-'));
  dirs.push(dir);
  await writeFile(join(dir, 'pipeline.yaml'), PIPE);
  await writeFile(join(dir, 'orders.csv'), good);
  return dir;
}

const event = {
  id: 'evt-1',
  source: 'local',
  pipeline: 'orders_daily',
  job: 'orders_daily',
  runId: 'run-1',
  state: 'FAILED',
  occurredAt: '2026-11-22T10:00:00.000Z',
  errorMessage: 'Constraint Error: NOT NULL constraint failed: orders.amount',
};

describe('read-only commands while a run writes', () => {
  it('answer while another process holds a write transaction open on the state store', async () => {
    const dir = await project();
    expect((await cli(dir, 'run', 'pipeline.yaml')).code).toBe(0);
    await writeFile(join(dir, 'orders.csv'), bad);
    const healed = await cli(dir, 'run', 'pipeline.yaml', '--json');
    expect(healed.code).toBe(0);
    const incident = (JSON.parse(healed.out) as { incident: IncidentRecord }).incident;
    await writeFile(join(dir, 'event.json'), JSON.stringify(event));
    // A writer in the middle of a transaction, in another process (the worst moment of a run).
    const writer = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import Database from 'better-sqlite3';
         const db = new Database(${JSON.stringify(join(dir, '.healer', 'state.sqlite'))});
         db.exec('BEGIN IMMEDIATE');
         db.prepare("INSERT INTO claimed_events (key, claimed_at) VALUES ('held', 'now')").run();
         console.log('ready');
         setInterval(() => {}, 1000);`,
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(writer);
    await new Promise<void>((resolve) =>
      writer.stdout?.on('data', (d) => String(d).includes('ready') && resolve()),
    );
    const list = await cli(dir, 'incidents', '--json');
    expect(list).toMatchObject({ code: 0, err: '' });
    expect((JSON.parse(list.out) as IncidentRecord[]).map((i) => i.id)).toEqual([incident.id]);
    expect((await cli(dir, 'incident', 'show', incident.id)).code).toBe(0);
    const verify = await cli(dir, 'audit', 'verify', '--json');
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.out)).toMatchObject({ ok: true, incidents: 1 });
    const diagnose = await cli(
      dir,
      'diagnose',
      '--event',
      'event.json',
      '--pipeline',
      'pipeline.yaml',
      '--json',
    );
    expect(diagnose.err).toBe('');
    expect(diagnose.code).toBe(0);
    writer.kill('SIGKILL');
  }, 90_000);
});

describe('read-only commands where nothing ran', () => {
  it('list nothing or exit 2 with E_NOT_FOUND, and create no state folder; diagnose decides from an empty history', async () => {
    const dir = await project();
    const list = await cli(dir, 'incidents');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^no incidents: no healer state in \.healer/);
    for (const argv of [
      ['incident', 'show', 'inc-x'],
      ['audit', 'verify'],
    ]) {
      const r = await cli(dir, ...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^healer: E_NOT_FOUND: no (healer state|incident inc-x|audit found)/);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
    await writeFile(join(dir, 'event.json'), JSON.stringify(event));
    const diagnose = await cli(
      dir,
      'diagnose',
      '--event',
      'event.json',
      '--pipeline',
      'pipeline.yaml',
      '--json',
    );
    expect(diagnose.code).toBe(0);
    expect(existsSync(join(dir, '.healer'))).toBe(false);
  }, 60_000);
});

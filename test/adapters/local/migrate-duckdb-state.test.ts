// Upgrading a state folder written by an older healer: `state.duckdb`, in the schema that version
// wrote (built here with real DuckDB), is copied into `state.sqlite` by the first environment that
// writes, and renamed `state.duckdb.migrated`; incidents, claims, budgets and the audit head survive.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalEnvironment } from '../../../src/environments/local-environment.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('state.duckdb from an older healer', () => {
  it('is migrated once into state.sqlite, keeping incidents, claims, budgets and the audit head', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-migrate-'));
    dirs.push(dir);
    await writeFile(
      join(dir, 'pipeline.yaml'),
      'name: p\nsources:\n  a:\n    path: a.csv\ntransform: SELECT * FROM a\ntarget: { path: out.parquet }\n',
    );
    await mkdir(join(dir, '.healer'));
    const now = Date.now();
    const incident = {
      id: 'inc-old',
      event: {
        id: 'e',
        source: 'local',
        pipeline: 'p',
        job: 'p',
        runId: 'r1',
        state: 'FAILED',
        occurredAt: '2026-11-01T00:00:00.000Z',
      },
      status: 'escalated',
      summary: 'from the old store',
      startedAt: '2026-11-01T00:00:00.000Z',
    };
    const db = await DuckDBInstance.create(join(dir, '.healer', 'state.duckdb'));
    const conn = await db.connect();
    for (const sql of [
      'CREATE TABLE claimed_events (key VARCHAR PRIMARY KEY, claimed_at TIMESTAMP)',
      'CREATE TABLE retries (job VARCHAR, run_id VARCHAR, retried_at TIMESTAMP)',
      'CREATE TABLE breakers (job VARCHAR PRIMARY KEY, consecutive_failures INTEGER)',
      'CREATE TABLE locks (job VARCHAR PRIMARY KEY, owner VARCHAR, expires_at TIMESTAMP)',
      'CREATE TABLE incidents (id VARCHAR PRIMARY KEY, started_at VARCHAR, body VARCHAR)',
      'CREATE TABLE audit_head (id INTEGER PRIMARY KEY, seq BIGINT, hash VARCHAR)',
      "INSERT INTO claimed_events VALUES ('r1:FAILED', now())",
      `INSERT INTO retries VALUES ('p', 'r1', make_timestamp(${(now - 60_000) * 1000}))`,
      "INSERT INTO breakers VALUES ('p', 2)",
      "INSERT INTO locks VALUES ('p', 'inc-dead', now() + INTERVAL 15 MINUTE)",
      `INSERT INTO incidents VALUES ('inc-old', '2026-11-01T00:00:00.000Z', '${JSON.stringify(incident)}')`,
      `INSERT INTO audit_head VALUES (1, 41, '${'a'.repeat(64)}')`,
    ])
      await conn.run(sql);
    conn.closeSync();
    db.closeSync();

    const env = await createLocalEnvironment({ pipelineFile: join(dir, 'pipeline.yaml'), terminal: false });
    try {
      expect(await env.state.getIncident('inc-old')).toEqual(incident);
      expect(await env.state.claimEvent('r1:FAILED')).toBe(false);
      expect(await env.state.usage('p', 'r1', new Date(now))).toEqual({
        retriesThisRun: 1,
        retriesThisJobLastHour: 1,
        consecutiveFailedRemediations: 2,
        // Counted from state schema 2 on; an older store had none.
        scaleStepsThisRun: 0,
        deferralsThisRun: 0,
      });
      expect(await env.stateStore.getAuditHead()).toEqual({ seq: 41, hash: 'a'.repeat(64) });
      expect(env.stateStore.lockHolder('p')).toBeUndefined(); // the old lock's holder is gone
    } finally {
      await env.close();
    }
    expect(existsSync(join(dir, '.healer', 'state.duckdb'))).toBe(false);
    expect(existsSync(join(dir, '.healer', 'state.duckdb.migrated'))).toBe(true);
    // A second environment finds nothing left to migrate and the same history.
    const again = await createLocalEnvironment({ pipelineFile: join(dir, 'pipeline.yaml'), terminal: false });
    try {
      expect((await again.state.listIncidents()).map((i) => i.id)).toEqual(['inc-old']);
    } finally {
      await again.close();
    }
  });
});

// Incident storms on the embedded runtime (real DuckDB, real files): many failures of a few causes
// become one incident per cause, each input version is measured once, a redelivered batch links
// nothing twice, and a changed input opens a new group. Also the evidence cache and the group key.

import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLogPath } from '../src/adapters/local/index.js';
import { memoryIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import type { FailureEvent } from '../src/core/event.js';
import { incidentGroupId, incidentGroupKey, windowStartOf } from '../src/core/incident-group.js';
import { createLocalEnvironment } from '../src/environments/local-environment.js';
import { CachingDataEngine } from '../src/evidence-cache.js';
import { handleStorm } from '../src/storm.js';

const LOGS = {
  throttling: 'An error occurred (ThrottlingException) when calling the GetObject operation: Rate exceeded',
  denied:
    'com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)',
};

/** Two shadow-mode pipelines reading their own small orders file. */
async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'healer-storm-test-'));
  const files: string[] = [];
  for (const name of ['orders_a', 'orders_b']) {
    await mkdir(join(dir, name));
    const csv = ['order_id,amount', ...Array.from({ length: 50 }, (_, i) => `${i + 1},${i * 1.5}`)].join(
      '\n',
    );
    await writeFile(join(dir, name, 'orders.csv'), `${csv}\n`);
    const file = join(dir, name, 'pipeline.yaml');
    await writeFile(
      file,
      [
        `name: ${name}`,
        'sources:',
        '  orders:',
        '    path: orders.csv',
        '    contract:',
        '      columns:',
        '        order_id: { type: int64, nullable: false }',
        '        amount: { type: double }',
        'transform: SELECT * FROM "orders"',
        'target: { path: out/orders.parquet }',
        'authority: { mode: shadow }',
        '',
      ].join('\n'),
    );
    files.push(file);
  }
  const stateDir = join(dir, '.healer');
  const env = await createLocalEnvironment({
    pipelineFile: files[0]!,
    pipelineFiles: files,
    stateDir,
    terminal: false,
  });
  const events = async (from: number, n: number, pick: (i: number) => { pipeline: string; log: string }) => {
    const out: FailureEvent[] = [];
    for (let i = from; i < from + n; i++) {
      const { pipeline, log } = pick(i);
      const event: FailureEvent = {
        id: `evt-${i}`,
        source: 'local',
        pipeline,
        job: pipeline,
        runId: `run-${i}`,
        state: 'FAILED',
        occurredAt: new Date(Date.parse('2026-12-02T08:00:00Z') + i * 1000).toISOString(),
      };
      const file = runLogPath(stateDir, pipeline, event.runId);
      await mkdir(join(file, '..'), { recursive: true });
      await writeFile(file, `ERROR ${log}\n`);
      out.push(event);
    }
    return out;
  };
  return { dir, env, events, files };
}

describe('incident storms', () => {
  it('handles 120 failures of three causes as three incidents, measuring each input once', async () => {
    const { env, events } = await setup();
    try {
      const batch = await events(0, 120, (i) =>
        i % 3 === 0
          ? { pipeline: 'orders_a', log: LOGS.throttling }
          : i % 3 === 1
            ? { pipeline: 'orders_a', log: LOGS.denied }
            : { pipeline: 'orders_b', log: LOGS.throttling },
      );
      const data = new CachingDataEngine(env.data, { fingerprintTtlMs: 60_000 });
      const result = await handleStorm(batch, { ...env, data });
      expect(result.groups).toHaveLength(3);
      expect(result.groups.map((g) => g.linked).sort()).toEqual([39, 39, 39]);
      expect(result.duplicates).toBe(0);
      const causes = result.groups.map((g) => g.cause).sort();
      expect(causes[0]).toMatch(/^permission \(.+\) in orders_a$/);
      expect(causes[1]).toMatch(/^transient \(.+\) in orders_a$/);
      // Two inputs, each measured once (its read facts, and schema and profile from one read:
      // inspect), whatever the number of events.
      expect(data.stats.misses).toBe(4);
      const incidents = await env.state.listIncidents(100);
      expect(incidents).toHaveLength(3);
      for (const incident of incidents) {
        expect(incident.status).toBe('recorded'); // shadow mode: decided, nothing executed
        expect(incident.group?.linkedEventIds).toHaveLength(39);
        expect(incident.group?.linkedSample[0]?.eventId).toMatch(/^evt-/);
      }
      const verify = await env.audit.verify();
      expect(verify.ok).toBe(true);
      const steps = (await env.audit.read(result.groups[0]!.id)).map((r) => r.step);
      expect(steps.at(-1)).toBe('linked');

      // The same batch delivered again: nothing new is linked or decided.
      const again = await handleStorm(batch, { ...env, data });
      expect(again.duplicates).toBe(120);
      expect(again.groups.every((g) => g.linked === 0)).toBe(true);
      expect(await env.state.listIncidents(100)).toHaveLength(3);
    } finally {
      await env.close();
    }
  });

  it('opens a new group when the input changes (a new dataset version)', async () => {
    const { dir, env, events } = await setup();
    try {
      const first = await events(0, 10, () => ({ pipeline: 'orders_a', log: LOGS.throttling }));
      const one = await handleStorm(first, env);
      expect(one.groups).toHaveLength(1);
      await writeFile(join(dir, 'orders_a', 'orders.csv'), 'order_id,amount\n1,2.5\n2,3.5\n');
      const second = await events(10, 10, () => ({ pipeline: 'orders_a', log: LOGS.throttling }));
      const two = await handleStorm(second, env);
      expect(two.groups).toHaveLength(1);
      expect(two.groups[0]!.id).not.toBe(one.groups[0]!.id);
      expect(await env.state.listIncidents(100)).toHaveLength(2);
    } finally {
      await env.close();
    }
  });
});

describe('healer handle', () => {
  it('handles a JSON-lines file of events as groups, and names the line of a malformed event', async () => {
    const { dir, env, events, files } = await setup();
    await env.close();
    const batch = await events(0, 30, (i) => ({
      pipeline: i % 2 ? 'orders_a' : 'orders_b',
      log: LOGS.denied,
    }));
    const file = join(dir, 'events.jsonl');
    await writeFile(file, `${batch.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const io = memoryIo('', dir);
    const stateDir = join(dir, '.healer');
    const code = await main(['handle', file, '--pipeline', ...files, '--state-dir', stateDir, '--json'], io);
    const out = JSON.parse(io.stdout) as {
      events: number;
      groups: { status: string; linked: number; cause: string }[];
    };
    expect(out.events).toBe(30);
    expect(out.groups).toHaveLength(2);
    expect(out.groups.map((g) => g.linked)).toEqual([14, 14]);
    for (const g of out.groups)
      expect(g).toMatchObject({ status: 'recorded', cause: expect.stringMatching(/^permission/) });
    expect(code).toBe(0);

    await writeFile(file, `${JSON.stringify(batch[0])}\n{"id": "x", "source": "local"}\n`);
    const bad = memoryIo('', dir);
    expect(await main(['handle', file, '--pipeline', ...files], bad)).toBe(2);
    expect(bad.stderr).toMatch(/^healer: E_EVENT: .*events\.jsonl line 2: /);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the evidence cache', () => {
  it('reuses a profile while the file is unchanged and measures again after a change', async () => {
    const { dir, env } = await setup();
    try {
      const data = new CachingDataEngine(env.data);
      const file = join(dir, 'orders_a', 'orders.csv');
      const a = await data.profile(file, { keys: ['order_id'] });
      const b = await data.profile(file, { keys: ['order_id'] });
      expect(b).toBe(a);
      expect(data.stats).toMatchObject({ hits: 1, misses: 1 });
      await writeFile(file, 'order_id,amount\n1,2.5\n');
      const c = await data.profile(file, { keys: ['order_id'] });
      expect(c.rowCount).toBe(1);
      expect(data.stats.misses).toBe(2);
      // Other options are another measurement.
      await data.profile(file, {});
      expect(data.stats.misses).toBe(3);
      // A location that cannot be fingerprinted is always measured.
      await expect(data.profile(join(dir, 'missing.csv'))).rejects.toThrow();
      expect(data.stats.uncached).toBe(1);
    } finally {
      await env.close();
    }
  });
});

describe('the group key', () => {
  it('ignores the order of dataset versions and separates windows, pipelines, families and rules', () => {
    const base = {
      pipeline: 'p',
      family: 'transient',
      rule: 'aws.throttling',
      datasetVersions: ['a@1', 'b@2'],
      windowStart: windowStartOf('2026-12-02T08:30:00Z', 3_600_000),
    };
    expect(base.windowStart).toBe('2026-12-02T08:00:00.000Z');
    const key = incidentGroupKey(base);
    expect(incidentGroupKey({ ...base, datasetVersions: ['b@2', 'a@1'] })).toBe(key);
    for (const changed of [
      { pipeline: 'q' },
      { family: 'permission' },
      { rule: 'aws.access_denied' },
      { datasetVersions: ['a@1', 'b@3'] },
      { windowStart: windowStartOf('2026-12-02T09:00:00Z', 3_600_000) },
    ])
      expect(incidentGroupKey({ ...base, ...changed })).not.toBe(key);
    expect(incidentGroupId(key)).toMatch(/^grp-[0-9a-f]{12}$/);
  });
});

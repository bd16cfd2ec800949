// The local ports one by one on real files: webhook delivery to a real HTTP server on 127.0.0.1
// (Slack and PagerDuty shapes), retry with backoff on a fake clock, the atomic publish surviving a
// process killed mid-action, and the bounded log tail.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { quoteLiteral } from '../../../src/adapters/duckdb/sql.js';
import {
  backoffDelay,
  FileLogSource,
  ScriptedFaults,
  WebhookNotifier,
} from '../../../src/adapters/local/index.js';
import { handleIncident, reconcile } from '../../../src/agent.js';
import type { FailureEvent } from '../../../src/core/event.js';
import { createLocalEnvironment } from '../../../src/environments/local-environment.js';
import type { Clock, Escalation } from '../../../src/ports.js';

const PIPE = `name: p2
sources:
  orders:
    path: orders.csv
    contract:
      columns:
        id: { type: int64, nullable: false }
        amount: { type: double }
transform: SELECT count(*) AS n, sum(amount) AS total FROM "orders"
target: { path: out/orders.parquet }
retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000 }
`;

async function pipelineDir(rows = 50): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'healer-ports-'));
  await writeFile(join(dir, 'pipeline.yaml'), PIPE);
  await writeFile(
    join(dir, 'orders.csv'),
    ['id,amount', ...Array.from({ length: rows }, (_, i) => `${i},${i}`)].join('\n'),
  );
  return dir;
}

class FakeClock implements Clock {
  t = Date.parse('2026-03-01T00:00:00Z');
  slept: number[] = [];
  now() {
    return new Date(this.t);
  }
  async sleep(ms: number) {
    this.slept.push(ms);
    this.t += ms;
  }
}

describe('webhook notifier (real HTTP server on 127.0.0.1)', () => {
  it('posts the Slack and PagerDuty Events v2 shapes', async () => {
    const bodies: unknown[] = [];
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => {
        text += c;
      });
      req.on('end', () => {
        bodies.push(JSON.parse(text));
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const event: FailureEvent = {
      id: 'e1',
      source: 'local',
      pipeline: 'p',
      job: 'p',
      runId: 'r1',
      state: 'FAILED',
      occurredAt: '2026-03-01T00:00:00Z',
      errorMessage: 'Access Denied',
    };
    const e: Escalation = {
      incidentId: 'inc-1',
      pipeline: 'p',
      job: 'p',
      runId: 'r1',
      summary: 'escalated',
      reason: 'permission',
      evidence: { event, logs: '', logsTruncated: false, datasets: [] },
    };
    try {
      expect(await new WebhookNotifier({ url, format: 'slack' }).escalate(e)).toMatchObject([
        { status: 'applied' },
      ]);
      await new WebhookNotifier({ url, format: 'pagerduty', routingKey: 'rk' }).escalate(e);
      expect(bodies[0]).toMatchObject({ text: expect.stringContaining('inc-1'), blocks: expect.any(Array) });
      expect(bodies[1]).toMatchObject({
        routing_key: 'rk',
        event_action: 'trigger',
        payload: { summary: expect.any(String), source: 'healer/p', severity: 'error' },
      });
    } finally {
      server.close();
    }
    const down = await new WebhookNotifier({
      url: 'http://127.0.0.1:1/x',
      format: 'slack',
      timeoutMs: 2000,
    }).escalate(e);
    expect(down[0]?.status).toBe('failed');
  });
});

describe('retry', () => {
  it('backs off with full jitter on a fake clock and heals a flake that lasts two reads', async () => {
    expect(backoffDelay(3, 1000, 5000, () => 0.999)).toBe(4995);
    const dir = await pipelineDir();
    const clock = new FakeClock();
    const faults = new ScriptedFaults([{ kind: 'transient', dataset: 'orders', times: 2 }]);
    const env = await createLocalEnvironment({
      pipelineFile: join(dir, 'pipeline.yaml'),
      clock,
      faults,
      terminal: false,
      random: () => 0.5,
      policy: undefined,
    });
    try {
      const run = await env.runner.run(env.spec);
      expect(run.status).toBe('failed');
      if (run.status !== 'failed') return;
      const incident = await handleIncident(run.event, env);
      expect(incident.action).toBe('retry');
      expect(incident.status).toBe('resolved');
      // Attempt 1 fails (second fault), attempt 2 succeeds: waits 0.5·1000 then 0.5·2000.
      expect(clock.slept).toEqual([500, 1000]);
      const usage = await env.state.usage('p2', run.runId, clock.now());
      expect(usage.retriesThisRun).toBe(2);
    } finally {
      await env.close();
    }
  }, 60_000);
});

describe('atomic publication', () => {
  it('a process killed mid-publish leaves the previous output readable', async () => {
    const dir = await pipelineDir();
    const env = await createLocalEnvironment({ pipelineFile: join(dir, 'pipeline.yaml'), terminal: false });
    try {
      expect((await env.runner.run(env.spec)).status).toBe('succeeded');
    } finally {
      await env.close();
    }
    await writeFile(
      join(dir, 'orders.csv'),
      ['id,amount', ...Array.from({ length: 80 }, (_, i) => `${i},1`)].join('\n'),
    );
    // The child writes the new snapshot, then hangs before publishing; it is killed there.
    const script = `
      import { createLocalEnvironment } from ${JSON.stringify(join(process.cwd(), 'src/environments/local-environment.ts'))};
      const env = await createLocalEnvironment({ pipelineFile: ${JSON.stringify(join(dir, 'pipeline.yaml'))}, terminal: false });
      await env.runner.run(env.spec, { beforePublish: () => { console.log('WRITTEN'); return new Promise(() => {}); } });`;
    // One process (no tsx wrapper in between): the process killed is the run itself.
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d) => String(d).includes('WRITTEN') && resolve()),
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const snapshots = await readdir(join(dir, '.healer', 'targets', 'p2', 'snapshots'));
    expect(snapshots.length).toBe(1); // the killed run's file was staged, never published
    expect((await readdir(join(dir, '.healer', 'staging'))).length).toBe(1);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const [row] = (
      await conn.runAndReadAll(
        `SELECT n FROM read_parquet(${quoteLiteral(join(dir, 'out', 'orders.parquet'))})`,
      )
    ).getRowObjectsJson();
    conn.closeSync();
    db.closeSync();
    expect(Number(row?.n)).toBe(50); // the previous good output, intact
    expect(existsSync(join(dir, '.healer', 'targets', 'p2', 'HEAD.json'))).toBe(true);
    // The next start finds the dead run's intent uncommitted and removes what it staged.
    const next = await createLocalEnvironment({ pipelineFile: join(dir, 'pipeline.yaml'), terminal: false });
    try {
      expect(await reconcile(next)).toEqual([]);
    } finally {
      await next.close();
    }
    expect(await readdir(join(dir, '.healer', 'staging'))).toEqual([]);
    expect(await readdir(join(dir, '.healer', 'intents'))).toEqual([]);
  }, 60_000);
});

describe('file log source', () => {
  it('keeps the tail of a giant log and says truncated', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-log-'));
    const logs = join(dir, 'logs', 'p');
    await import('node:fs/promises').then((fs) => fs.mkdir(logs, { recursive: true }));
    await writeFile(join(logs, 'r1.log'), `${'INFO noise\n'.repeat(100_000)}ERROR the real cause\n`);
    const event = {
      id: 'e',
      source: 'local',
      pipeline: 'p',
      job: 'p',
      runId: 'r1',
      state: 'FAILED',
      occurredAt: '2026-03-01T00:00:00Z',
    } as const;
    const { text, truncated } = await new FileLogSource(dir, 4096).fetchRunLog(event);
    expect(truncated).toBe(true);
    expect(text.length).toBeLessThanOrEqual(4096);
    expect(text.endsWith('ERROR the real cause\n')).toBe(true);
  });
});

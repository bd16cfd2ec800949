// The embedded runtime's CLI in-process on real DuckDB files: `healer run` exit codes (0 healed, 1
// escalated), the file notifier's escalation JSON (evidence + decision trace), and `healer
// diagnose` deciding without touching anything on disk (and exit 2 naming a malformed field).

import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import { createLocalEnvironment } from '../../../src/environments/local-environment.js';
import { ordersPipeline } from '../../fixtures/orders-pipeline.js';

// Orders: 100 good rows; the bad version has a null amount in rows 7 and 9 (a required column).
const pipeline = (isProtected: boolean) => ordersPipeline({ protected: isProtected });
const header = 'id,amount';
const good = [header, ...Array.from({ length: 100 }, (_, i) => `${i},${i}.25`)].join('\n');
const bad = good.replace('\n7,7.25', '\n7,').replace('\n9,9.25', '\n9,');

async function project(isProtected: boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'healer-cli-'));
  await writeFile(join(dir, 'pipeline.yaml'), pipeline(isProtected));
  await writeFile(join(dir, 'orders.csv'), good);
  return dir;
}

/** Every file under dir with its size and mtime: what "nothing changed on disk" is checked against. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    // SQLite's shared-memory index and empty WAL, which any reader of a WAL database maps: not state.
    if (/\.sqlite-(shm|wal)$/.test(entry.name)) continue;
    const file = join(entry.parentPath, entry.name);
    const s = await stat(file);
    out[relative(dir, file)] = `${s.size}:${s.mtimeMs}`;
  }
  return out;
}

describe('healer run', () => {
  it('exits 0 when the failure is healed (quarantine) and the output holds the delivered rows', async () => {
    const dir = await project(false);
    expect(await main(['run', 'pipeline.yaml'], memoryIo('', dir))).toBe(0);
    await writeFile(join(dir, 'orders.csv'), bad);
    const io = memoryIo('', dir);
    expect(await main(['run', 'pipeline.yaml', '--json'], io)).toBe(0);
    const out = JSON.parse(io.stdout.trim()) as {
      incident: { status: string; action: string; result: { rows: unknown } };
    };
    expect(out.incident).toMatchObject({ status: 'resolved', action: 'quarantine' });
    expect(out.incident.result.rows).toEqual({ rowsIn: 100, rowsDelivered: 98, rowsQuarantined: 2 });
  }, 60_000);

  it('exits 1 when escalated (protected dataset) and writes the escalation JSON with evidence and trace', async () => {
    const dir = await project(true);
    expect(await main(['run', 'pipeline.yaml'], memoryIo('', dir))).toBe(0);
    await writeFile(join(dir, 'orders.csv'), bad);
    const io = memoryIo('', dir);
    expect(await main(['run', 'pipeline.yaml', '--json'], io)).toBe(1);
    const out = JSON.parse(io.stdout.trim()) as { incident: { id: string; status: string } };
    expect(out.incident.status).toBe('escalated');
    const escalation = JSON.parse(
      await readFile(join(dir, '.healer', 'escalations', `${out.incident.id}.json`), 'utf8'),
    ) as {
      incidentId: string;
      pipeline: string;
      reason: string;
      evidence: { event: { errorMessage: string }; logs: string; datasets: { dataset: string }[] };
      decision: {
        verdict: { final: string; guardHash: string; reason: string };
        diagnosis: unknown;
        proposal: unknown;
        explanation: string[];
      };
    };
    expect(escalation.incidentId).toBe(out.incident.id);
    expect(escalation.pipeline).toBe('orders_daily');
    expect(escalation.reason).not.toBe('');
    // Full evidence: the engine's own error, the run log, the dataset evidence.
    expect(escalation.evidence.event.errorMessage).toMatch(/NOT NULL constraint failed/);
    expect(escalation.evidence.logs).toMatch(/FAILED/);
    expect(escalation.evidence.datasets.map((d) => d.dataset)).toContain('orders');
    // Decision trace: diagnosis, proposal, the guard's verdict, the explanation.
    expect(escalation.decision.verdict.final).toBe('escalate');
    expect(escalation.decision.verdict.guardHash).toMatch(/\w/);
    expect(escalation.decision.verdict.reason).not.toBe('');
    expect(escalation.decision.diagnosis).toBeDefined();
    expect(escalation.decision.proposal).toBeDefined();
    expect(escalation.decision.explanation.length).toBeGreaterThan(0);
  }, 60_000);
});

describe('healer diagnose', () => {
  it('decides without executing: the JSON has the decision and nothing on disk changes', async () => {
    const dir = await project(false);
    expect(await main(['run', 'pipeline.yaml'], memoryIo('', dir))).toBe(0);
    await writeFile(join(dir, 'orders.csv'), bad);
    // A real failure event from the runner (no incident handled).
    const env = await createLocalEnvironment({ pipelineFile: join(dir, 'pipeline.yaml'), terminal: false });
    const run = await env.runner.run(env.spec);
    await env.close();
    expect(run.status).toBe('failed');
    if (run.status !== 'failed') return;
    await writeFile(join(dir, 'event.json'), JSON.stringify(run.event));
    const before = await snapshot(dir);
    const io = memoryIo('', dir);
    expect(
      await main(['diagnose', '--event', 'event.json', '--pipeline', 'pipeline.yaml', '--json'], io),
    ).toBe(0);
    const out = JSON.parse(io.stdout.trim()) as {
      decision: { verdict: { proposed: string; final: string }; disposition: string; explanation: string[] };
    };
    expect(out.decision.verdict.final).toBe('quarantine');
    expect(out.decision.disposition).toBe('execute');
    expect(out.decision.explanation.length).toBeGreaterThan(0);
    expect(await snapshot(dir)).toEqual(before);
  }, 60_000);

  it('exits 2 naming the field of a malformed event', async () => {
    const dir = await project(false);
    await writeFile(
      join(dir, 'event.json'),
      JSON.stringify({ id: 'e1', source: 'local', pipeline: 'orders_daily' }),
    );
    const io = memoryIo('', dir);
    expect(await main(['diagnose', '--event', 'event.json', '--pipeline', 'pipeline.yaml'], io)).toBe(2);
    expect(io.stderr).toMatch(/^healer: E_[A-Z_]+: event\.json: \w+/);
    expect(io.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('healer run --webhook', () => {
  it('POSTs the Slack-compatible escalation to a real local HTTP server', async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const dir = await project(true);
      expect(await main(['run', 'pipeline.yaml'], memoryIo('', dir))).toBe(0);
      await writeFile(join(dir, 'orders.csv'), bad);
      const io = memoryIo('', dir);
      const url = `http://127.0.0.1:${port}/hook`;
      expect(await main(['run', 'pipeline.yaml', '--json', '--webhook', url], io)).toBe(1);
      const incident = (JSON.parse(io.stdout.trim()) as { incident: { id: string } }).incident;
      expect(bodies).toHaveLength(1);
      const body = JSON.parse(bodies[0] ?? '{}') as { text: string; blocks: unknown[] };
      expect(body.text).toContain(incident.id);
      expect(body.blocks.length).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  }, 60_000);

  it('rejects a bad webhook URL or a pagerduty webhook without a routing key, exit 2, nothing run', async () => {
    const dir = await project(false);
    const io = memoryIo('', dir);
    expect(await main(['run', 'pipeline.yaml', '--webhook', 'ftp://example.com/x'], io)).toBe(2);
    expect(io.stderr).toMatch(/--webhook: expected an http\(s\) URL/);
    const pd = memoryIo('', dir);
    expect(
      await main(
        [
          'run',
          'pipeline.yaml',
          '--webhook',
          'https://events.pagerduty.com/v2/enqueue',
          '--webhook-format',
          'pagerduty',
        ],
        pd,
      ),
    ).toBe(2);
    expect(pd.stderr).toMatch(/--webhook-routing-key/);
    await expect(stat(join(dir, '.healer'))).rejects.toThrow();
  });
});

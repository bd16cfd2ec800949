// Automatic demotion on real DuckDB state: an autonomous family whose validations fail twice in its
// last ten loses its autonomy in the pipeline file (audited). The failures are S3 503s from the
// project's fault injector (a local disk cannot throttle), outlasting the retry, so the retry's
// validation fails for real.

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScriptedFaults } from '../../src/adapters/local/index.js';
import { handleIncident } from '../../src/agent.js';
import { demoteIfFailing } from '../../src/cli/governance-env.js';
import { memoryIo } from '../../src/cli/io.js';
import { createLocalEnvironment } from '../../src/environments/local-environment.js';

const pipeline = `name: orders_daily
sources:
  orders:
    path: orders.csv
transform: SELECT count(*) AS n FROM "orders"
target: { path: out/orders.parquet }
retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 }
authority:
  mode: supervised
  modeByFamily:
    transient: autonomous # granted after shadow review
`;

describe('automatic demotion', () => {
  it('demotes transient to supervised after its second failed validation, not after the first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-demote-'));
    await writeFile(join(dir, 'pipeline.yaml'), pipeline);
    await writeFile(join(dir, 'orders.csv'), 'id\n1\n2\n');
    const faults = new ScriptedFaults();
    const env = await createLocalEnvironment({
      pipelineFile: join(dir, 'pipeline.yaml'),
      terminal: false,
      faults,
    });
    const io = memoryIo('', dir);
    try {
      const statuses: string[] = [];
      const demotions: Array<string | undefined> = [];
      for (let i = 0; i < 2; i++) {
        faults.add({ kind: 'transient', dataset: 'orders', times: 50 });
        const run = await env.runner.run(env.spec);
        expect(run.status).toBe('failed');
        if (run.status !== 'failed') return;
        const incident = await handleIncident(run.event, env);
        statuses.push(`${incident.action}:${incident.status}:${incident.validation?.status}`);
        demotions.push(await demoteIfFailing(env, 'transient', io));
        // Drain what is left of this fault so each incident starts from the same state.
        let left = faults.take({ dataset: 'orders' });
        while (left) left = faults.take({ dataset: 'orders' });
      }
      expect(statuses).toEqual(['retry:escalated:escalate', 'retry:escalated:escalate']);
      expect(demotions[0]).toBeUndefined();
      expect(demotions[1]).toContain('transient demoted to supervised');
      expect(demotions[1]).toContain('2 of its last 2 validations failed');
      const yaml = await readFile(join(dir, 'pipeline.yaml'), 'utf8');
      expect(yaml).toMatch(/transient: supervised # granted after shadow review/);
      const changes = await env.audit.read('autonomy:orders_daily');
      expect(changes.map((c) => c.data)).toEqual([
        expect.objectContaining({
          family: 'transient',
          from: 'autonomous',
          to: 'supervised',
          automatic: true,
        }),
      ]);
    } finally {
      await env.close();
    }
  }, 60_000);
});

// The escalation evidence lists example failing rows (key values and reasons), end to end on real
// DuckDB files: an escalated type drift carries the rows whose amount no longer parses.

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ESCALATION_FAILING_ROWS, handleIncident } from '../../../src/agent.js';
import { createLocalEnvironment } from '../../../src/environments/local-environment.js';

const PIPE = `name: orders
sources:
  raw_orders:
    path: in.csv
    contract:
      columns:
        order_id: { type: int64, nullable: false }
        amount: { type: double, nullable: false }
      keys: [order_id]
transform: |
  SELECT sum(amount) AS total, count(*) AS n FROM raw_orders
target: { path: out.parquet }
authority: { mode: autonomous }
retry: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 }
`;

it('an escalated type drift carries up to 20 failing rows with the key and the reason', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'healer-esc-rows-'));
  await writeFile(join(dir, 'pipeline.yaml'), PIPE);
  const lines = Array.from({ length: 200 }, (_, i) => `${i},${i}.5`);
  await writeFile(join(dir, 'in.csv'), ['order_id,amount', ...lines].join('\n'));
  const env = await createLocalEnvironment({ pipelineFile: join(dir, 'pipeline.yaml'), terminal: false });
  try {
    expect((await env.runner.run(env.spec)).status).toBe('succeeded');
    // 60 of 200 amounts become the word "pending": too many to coerce (G15), so it escalates.
    const drifted = lines.map((l, i) => (i % 10 < 3 ? l.replace(/,.*/, ',pending') : l));
    await writeFile(join(dir, 'in.csv'), ['order_id,amount', ...drifted].join('\n'));
    const run = await env.runner.run(env.spec);
    expect(run.status).toBe('failed');
    if (run.status !== 'failed') return;
    const incident = await handleIncident(run.event, env);
    expect(incident.status).toBe('escalated');
    const escalation = JSON.parse(await readFile(join(env.escalationsDir, `${incident.id}.json`), 'utf8'));
    const failing = escalation.evidence.datasets[0].failingRows;
    expect(failing).toHaveLength(ESCALATION_FAILING_ROWS);
    expect(failing[0]).toEqual({
      row: 1,
      key: { order_id: '0' },
      reasons: ['amount: pending does not parse as double'],
    });
    expect(failing.map((r: { key: { order_id: string } }) => Number(r.key.order_id) % 10 < 3)).not.toContain(
      false,
    );
  } finally {
    await env.close();
  }
}, 60_000);

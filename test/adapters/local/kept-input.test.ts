// What the failed run established by reading, reused by the incident that follows: its read facts
// by the evidence, its text by the evidence's profile, its parsed rows by the quarantine
// (kept-input.ts). The same facts, profile, rows
// quarantined and delivered as a read of the file would give; a file changed in between is read
// afresh. Real DuckDB, real files; the step names say which path the quarantine took.

import { mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckdbDataEngine } from '../../../src/adapters/duckdb/duckdb-data-engine.js';
import { quoteLiteral } from '../../../src/adapters/duckdb/sql.js';
import { handleIncident } from '../../../src/agent.js';
import { createLocalEnvironment } from '../../../src/environments/local-environment.js';
import { rows } from './read-rows.js';

// Shipments of a warehouse: every 100th row lost its weight (a required column), 1% of them, within
// what the guard lets a quarantine hold back.
const PIPELINE = `name: shipments
sources:
  shipments:
    path: shipments.csv
    contract:
      columns:
        shipment_id: { type: int64, nullable: false }
        weight_kg: { type: double, nullable: false }
        carrier: { type: string, nullable: false }
      keys: [shipment_id]
transform: SELECT carrier, count(*) AS n, sum(weight_kg) AS kg FROM "shipments" GROUP BY carrier
target: { name: by_carrier, path: out/by_carrier.parquet }
authority: { mode: autonomous }
`;

function csv(n: number, everyNth: number): string {
  const lines = ['shipment_id,weight_kg,carrier'];
  for (let i = 1; i <= n; i++)
    lines.push(`${i},${i % everyNth === 0 ? '' : (i % 50) + 0.5},${['dhl', 'ups'][i % 2]}`);
  return `${lines.join('\n')}\n`;
}

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'healer-kept-'));
  await writeFile(join(dir, 'pipeline.yaml'), PIPELINE);
  await writeFile(join(dir, 'shipments.csv'), csv(1000, 100));
  return createLocalEnvironment({ pipelineFile: join(dir, 'pipeline.yaml'), terminal: false });
}

async function delivered(env: Awaited<ReturnType<typeof setup>>): Promise<number> {
  const [r] = await rows(`SELECT sum(n) AS n FROM read_parquet(${quoteLiteral(env.spec.target.location)})`);
  return Number(r?.n);
}

describe('the evidence reuses what the failed run established by reading', () => {
  it('read facts agree with a fresh read, and a changed file is read again', async () => {
    const env = await setup();
    const fresh = new DuckdbDataEngine();
    try {
      expect((await env.runner.run(env.spec)).status).toBe('failed');
      const [binding] = (await env.pipelines.describe(env.spec.name)).datasets;
      if (!binding?.contract) throw new Error('expected the shipments contract');
      const spec = { expected: binding.contract.schema };
      expect(await env.data.readFacts!(binding.location, spec)).toEqual(
        await fresh.readFacts(binding.location, spec),
      );
      // Two more shipments and a line that is not a row: nothing remembered of the old version.
      await writeFile(binding.location, `${csv(1002, 100)}"unclosed,1.5,dhl\n`);
      const changed = await env.data.readFacts!(binding.location, spec);
      expect(changed).toEqual(await fresh.readFacts(binding.location, spec));
      expect(changed).toMatchObject({ rows: 1002, malformedCount: 1 });
    } finally {
      await fresh.close();
      await env.close();
    }
  }, 60_000);
});

describe('the evidence profiles the failed run’s text of an unchanged input', () => {
  // A whole second: the fingerprint (size, modification time, inode) can be given back exactly.
  const AT = new Date('2026-03-01T08:00:00Z');

  it('gives the schema and profile a read of the file gives; a rewritten file is read again', async () => {
    const env = await setup();
    const fresh = new DuckdbDataEngine();
    try {
      const [binding] = (await env.pipelines.describe(env.spec.name)).datasets;
      if (!binding?.contract) throw new Error('expected the shipments contract');
      const options = { keys: binding.contract.keys, expected: binding.contract.schema };
      expect((await env.runner.run(env.spec)).status).toBe('failed');
      const held = await env.data.inspect!(binding.location, binding.dataset, options);
      expect(held).toEqual(await fresh.inspect(binding.location, binding.dataset, options));
      expect(held.profile.rowCount).toBe(1000);
      // Upstream rewrote it (two more rows, every 50th weight missing): measured from the file.
      await writeFile(binding.location, csv(1002, 50));
      const changed = await env.data.inspect!(binding.location, binding.dataset, options);
      expect(changed).toEqual(await fresh.inspect(binding.location, binding.dataset, options));
      expect(changed.profile.rowCount).toBe(1002);
      expect(changed.profile.columns.find((c) => c.path === 'weight_kg')?.nullCount).toBe(20);
    } finally {
      await fresh.close();
      await env.close();
    }
  }, 60_000);

  it('agrees with a read of the file where the run took values the engine would not type alike', async () => {
    const env = await setup();
    const fresh = new DuckdbDataEngine();
    try {
      const [binding] = (await env.pipelines.describe(env.spec.name)).datasets;
      if (!binding?.contract) throw new Error('expected the shipments contract');
      // Zero-padded ids (`021001`) past the rows DuckDB's sniff samples: the contract's int64 takes
      // them, the engine's inference does not (its read of the file finds them and reads again).
      await writeFile(
        binding.location,
        csv(25_000, 100).replace(
          /^(\d+),/gm,
          (_, id: string) => `${Number(id) > 21_000 ? id.padStart(6, '0') : id},`,
        ),
      );
      const options = { keys: binding.contract.keys, expected: binding.contract.schema };
      expect((await env.runner.run(env.spec)).status).toBe('failed');
      const held = await env.data.inspect!(binding.location, binding.dataset, options);
      expect(held).toEqual(await fresh.inspect(binding.location, binding.dataset, options));
    } finally {
      await fresh.close();
      await env.close();
    }
  }, 60_000);

  it("DuckDB's casts skip the blanks trim removes (the held typed rows stand for a read on that)", async () => {
    const [r] = await rows(
      `SELECT TRY_CAST(' 5 ' AS BIGINT) = 5 AS i, TRY_CAST('  1.5 ' AS DOUBLE) = 1.5 AS d,
        TRY_CAST(' 2026-01-01 10:00:00 ' AS TIMESTAMP) = TIMESTAMP '2026-01-01 10:00:00' AS t,
        TRY_CAST(' 2026-01-01 ' AS DATE) = DATE '2026-01-01' AS dt`,
    );
    expect(r).toEqual({ i: true, d: true, t: true, dt: true });
  });

  it('measures the held text, not the file, while the fingerprint is the one read (same size, same time)', async () => {
    const env = await setup();
    try {
      const [binding] = (await env.pipelines.describe(env.spec.name)).datasets;
      if (!binding) throw new Error('expected the shipments binding');
      await utimes(binding.location, AT, AT);
      expect((await env.runner.run(env.spec)).status).toBe('failed');
      // Same length, same time, same inode: `ups` became `fex`. Only a profile of what the run
      // read still sees `ups`; this shows the file was not parsed again.
      await writeFile(binding.location, csv(1000, 100).replaceAll(',ups', ',fex'));
      await utimes(binding.location, AT, AT);
      const held = await env.data.profile(binding.location, {});
      const carriers = held.columns.find((c) => c.path === 'carrier')?.topValues?.map((t) => t.value);
      expect(carriers).toContain('ups');
      // The next run reads the file as it is now; what is held is that run's text.
      expect((await env.runner.run(env.spec)).status).toBe('failed');
      const after = await env.data.profile(binding.location, {});
      expect(after.columns.find((c) => c.path === 'carrier')?.topValues?.map((t) => t.value)).toContain(
        'fex',
      );
    } finally {
      await env.close();
    }
  }, 60_000);
});

describe('the quarantine reuses the failed run’s parsed rows', () => {
  it('takes them when the input is unchanged: same accounting, quarantine and output as a read', async () => {
    const env = await setup();
    try {
      const run = await env.runner.run(env.spec);
      expect(run.status).toBe('failed');
      if (run.status !== 'failed') return;
      const incident = await handleIncident(run.event, env);
      expect(incident.status).toBe('resolved');
      const steps = incident.result?.steps.map((s) => s.name) ?? [];
      expect(steps.some((s) => s.includes("the failed run's parsed rows"))).toBe(true);
      expect(incident.result?.rows).toEqual({ rowsIn: 1000, rowsDelivered: 990, rowsQuarantined: 10 });
      const [q] = await rows(
        `SELECT count(*) AS n, min(_healer_reason) AS reason FROM read_parquet(${quoteLiteral(join(env.stateDir, 'quarantine', 'shipments', '*.parquet'))})`,
      );
      expect(Number(q?.n)).toBe(10);
      expect(q?.reason).toBe('weight_kg: null in a required column');
      expect(await delivered(env)).toBe(990);
    } finally {
      await env.close();
    }
  }, 60_000);

  it('reads the file again when it changed after the failed run', async () => {
    const env = await setup();
    try {
      const run = await env.runner.run(env.spec);
      if (run.status !== 'failed') throw new Error('expected a failed run');
      // Upstream rewrote the file (every 50th weight missing now): the kept rows are stale.
      await writeFile(join(env.spec.file, '..', 'shipments.csv'), csv(1000, 50));
      const incident = await handleIncident(run.event, env);
      expect(incident.status).toBe('resolved');
      const steps = incident.result?.steps.map((s) => s.name) ?? [];
      expect(steps.some((s) => s.includes("the failed run's parsed rows"))).toBe(false);
      expect(incident.result?.rows).toEqual({ rowsIn: 1000, rowsDelivered: 980, rowsQuarantined: 20 });
      expect(await delivered(env)).toBe(980);
    } finally {
      await env.close();
    }
  }, 60_000);
});

// Rough edges a new user met, each fixed and held here: init --json, read-only commands on a wrong
// folder (say so, create nothing), singular findings.

import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driftText } from '../../src/cli/commands/drift.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { ordersPipeline } from '../fixtures/orders-pipeline.js';

const emptyDir = () => mkdtemp(join(tmpdir(), 'healer-edges-'));

describe('healer init --json', () => {
  it('is a known option and prints what it wrote', async () => {
    const dir = await emptyDir();
    const io = memoryIo('', dir);
    expect(await main(['init', 'p', '--json'], io)).toBe(0);
    const out = JSON.parse(io.stdout) as { file: string; next: string; docs: string };
    expect(out.file).toBe(join(dir, 'p', 'pipeline.yaml'));
    expect(out.next).toBe(`npx healer run ${out.file}`);
    expect(await readFile(out.file, 'utf8')).toMatch(/docs\/embedded-runtime\.md/);
  });
});

describe('read-only commands on a folder with no healer state', () => {
  it('audit verify says no audit is there, exits 2 and creates nothing', async () => {
    const dir = await emptyDir();
    const io = memoryIo('', dir);
    expect(await main(['audit', 'verify', '--state-dir', '.'], io)).toBe(2);
    expect(io.stderr).toMatch(/^healer: E_NOT_FOUND: no audit found: no healer state in \. /);
    expect(io.stdout).not.toMatch(/audit ok/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('incidents lists none and incident show is not found, and neither creates .healer/', async () => {
    const dir = await emptyDir();
    const io = memoryIo('', dir);
    expect(await main(['incidents'], io)).toBe(0);
    expect(io.stdout).toMatch(/^no incidents: no healer state in \.healer/);
    const json = memoryIo('', dir);
    expect(await main(['incidents', '--json'], json)).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
    const show = memoryIo('', dir);
    expect(await main(['incident', 'show', 'inc-1'], show)).toBe(2);
    expect(show.stderr).toMatch(/E_NOT_FOUND: no incident inc-1/);
    expect(existsSync(join(dir, '.healer'))).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('counts in messages', () => {
  it('one finding is "1 finding"', () => {
    const text = driftText([
      {
        kind: 'field_added',
        column: 'x',
        current: 'string',
        nullable: true,
        severity: 'info',
        compatible: true,
        message: 'x was added',
      },
    ]);
    expect(text).toMatch(/\n1 finding \(/);
  });
});

describe('a typo in the SQL transform', () => {
  const pipeline = (transform: string) => ordersPipeline({ transform });
  const csv = ['id,amount', ...Array.from({ length: 50 }, (_, i) => `${i},${i}.5`)].join('\n');

  it('is a config error naming the pipeline file and line (exit 2), not an incident', async () => {
    const dir = await emptyDir();
    await writeFile(
      join(dir, 'pipeline.yaml'),
      pipeline('SELECT count(*) AS n, sum(amout) AS total FROM "orders"'),
    );
    await writeFile(join(dir, 'orders.csv'), csv);
    const io = memoryIo('', dir);
    expect(await main(['run', 'pipeline.yaml'], io)).toBe(2);
    expect(io.stderr).toMatch(
      /^healer: E_CONFIG: .*pipeline\.yaml:9: transform: Binder Error: Referenced column "amout" not found/,
    );
    const list = memoryIo('', dir);
    expect(await main(['incidents', '--json'], list)).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('while a column the upstream renamed is still an incident (the transform binds to the catalog)', async () => {
    const dir = await emptyDir();
    await writeFile(
      join(dir, 'pipeline.yaml'),
      pipeline('SELECT count(*) AS n, sum(amount) AS total FROM "orders"'),
    );
    await writeFile(join(dir, 'orders.csv'), csv);
    expect(await main(['run', 'pipeline.yaml'], memoryIo('', dir))).toBe(0);
    await writeFile(join(dir, 'orders.csv'), csv.replace('id,amount', 'id,amount_usd'));
    const io = memoryIo('', dir);
    const code = await main(['run', 'pipeline.yaml', '--json'], io);
    expect(code === 0 || code === 1).toBe(true);
    expect(io.stderr).not.toMatch(/E_CONFIG/);
    expect((JSON.parse(io.stdout) as { incident: { id: string } }).incident.id).toMatch(/^inc-/);
  }, 30_000);
});

describe('healer diagnose where no pipeline has run yet', () => {
  it('decides from the event and the data, says so, and leaves no .healer/ behind', async () => {
    const dir = await emptyDir();
    await writeFile(
      join(dir, 'pipeline.yaml'),
      `name: orders_daily
sources:
  orders:
    path: orders.csv
    contract:
      columns:
        id: { type: int64, nullable: false }
transform: SELECT count(*) AS n FROM "orders"
target: { path: out/orders.parquet }
`,
    );
    await writeFile(join(dir, 'orders.csv'), 'id\n1\n2\n');
    const event = {
      id: 'local:orders_daily:run-1:1',
      source: 'local',
      pipeline: 'orders_daily',
      job: 'orders_daily',
      runId: 'run-1',
      state: 'FAILED',
      occurredAt: '2026-12-01T00:00:00.000Z',
      errorMessage: 'com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Status Code: 403)',
      attempt: 1,
    };
    await writeFile(join(dir, 'event.json'), JSON.stringify(event));
    const io = memoryIo('', dir);
    expect(await main(['diagnose', '--event', 'event.json', '--pipeline', 'pipeline.yaml'], io)).toBe(0);
    expect(io.stdout).toMatch(/failure family: permission/);
    expect(io.stderr).toMatch(/no healer state in .*\.healer: deciding from the event and the data alone/);
    expect(existsSync(join(dir, '.healer'))).toBe(false);
  }, 30_000);
});

// A state folder with real incidents for the dashboard tests, made by running real pipelines on
// DuckDB: orders_daily (autonomous) heals a null spike by quarantine; orders_review (supervised)
// stops at awaiting_approval on the same fault; vendors_sync escalates a permission error.

import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { ordersPipeline } from '../fixtures/orders-pipeline.js';

const pipeline = (name: string, mode: 'autonomous' | 'supervised') =>
  ordersPipeline({ name, mode, target: `out/${name}.parquet` });

/** 200 good orders; the bad version has no amount in 6 of them (3%: within the quarantine limit). */
const good = ['id,amount', ...Array.from({ length: 200 }, (_, i) => `${i},${i}.25`)].join('\n');
const bad = good
  .split('\n')
  .map((line, i) => (i > 0 && i % 33 === 0 ? `${line.split(',')[0]},` : line))
  .join('\n');

export interface DashboardFixture {
  dir: string;
  stateDir: string;
  pipelines: Record<'daily' | 'review', string>;
}

/** Runs each pipeline once on good data (the baseline), then on the bad data (the incident). */
export async function dashboardFixture(): Promise<DashboardFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'healer-dash-'));
  const stateDir = join(dir, '.healer');
  const pipelines = { daily: join(dir, 'daily'), review: join(dir, 'review') };
  for (const [key, mode] of [
    ['daily', 'autonomous'],
    ['review', 'supervised'],
  ] as const) {
    const folder = pipelines[key];
    await mkdir(folder);
    await writeFile(join(folder, 'pipeline.yaml'), pipeline(`orders_${key}`, mode));
    await writeFile(join(folder, 'orders.csv'), good);
    await main(['run', 'pipeline.yaml', '--state-dir', stateDir], memoryIo('', folder));
    await writeFile(join(folder, 'orders.csv'), bad);
    await main(['run', 'pipeline.yaml', '--state-dir', stateDir], memoryIo('', folder));
  }
  return { dir, stateDir, pipelines };
}

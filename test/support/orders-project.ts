// A project folder around the small orders pipeline (test/fixtures/orders-pipeline.ts) for the CLI
// tests: the orders CSV with chosen required amounts missing, the CLI run in-process through `main`,
// and a project whose second run fails for real (its incident is what the tests then act on).

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { IncidentRecord } from '../../src/ports.js';

/** 100 orders, with a null (required) amount in the given rows. */
export function ordersCsv(nullRows: number[]): string {
  return [
    'id,amount',
    ...Array.from({ length: 100 }, (_, i) => (nullRows.includes(i) ? `${i},` : `${i},${i}.25`)),
  ].join('\n');
}

/** The CLI in-process in `dir`: its exit code and what it printed, as a user sees them. */
export async function cli(
  dir: string,
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo('', dir);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

/**
 * A fresh folder (`prefix` names it) holding `pipeline` as pipeline.yaml: a first run on 100 good
 * orders passes, the second (two null amounts) fails for real. Returns the folder and that incident.
 */
export async function failingOrdersProject(
  prefix: string,
  pipeline: string,
): Promise<{ dir: string; incident: IncidentRecord }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await writeFile(join(dir, 'pipeline.yaml'), pipeline);
  await writeFile(join(dir, 'orders.csv'), ordersCsv([]));
  const first = await cli(dir, 'run', 'pipeline.yaml');
  if (first.code !== 0) throw new Error(`the baseline run failed: ${first.err}`);
  await writeFile(join(dir, 'orders.csv'), ordersCsv([7, 9]));
  const run = await cli(dir, 'run', 'pipeline.yaml', '--json');
  return { dir, incident: (JSON.parse(run.out) as { incident: IncidentRecord }).incident };
}

// Progress of an incident's long phases: reported through the environment's ProgressReporter,
// drawn on a real pseudo-terminal by `healer run` and `healer demo`, and absent without a terminal or with --json.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { handleIncident } from '../../src/agent.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { createLocalEnvironment } from '../../src/environments/local-environment.js';
import type { ProgressReporter } from '../../src/ports.js';
import { ordersPipeline } from '../fixtures/orders-pipeline.js';

const root = join(import.meta.dirname, '..', '..');
const pipeline = ordersPipeline();
const rows = 3000;
const good = ['id,amount', ...Array.from({ length: rows }, (_, i) => `${i},${i}.25`)].join('\n');
// Every 100th amount missing in a required column: a quarantine heals it.
const bad = [
  'id,amount',
  ...Array.from({ length: rows }, (_, i) => (i % 100 ? `${i},${i}.25` : `${i},`)),
].join('\n');

/** `healer <args>` from source in `dir` on a real pseudo-terminal (script(1)): what it drew. */
function healerOnTty(dir: string, args: string): string {
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  const cli = join(root, 'test', 'cli', 'healer-from-source.ts');
  return execFileSync('script', ['-qec', `${tsx} ${cli} ${args}`, '/dev/null'], {
    cwd: dir,
    encoding: 'utf8',
  });
}

async function failingProject(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'healer-progress-'));
  await writeFile(join(dir, 'pipeline.yaml'), pipeline);
  await writeFile(join(dir, 'orders.csv'), good);
  expect(await main(['run', 'pipeline.yaml'], memoryIo('', dir))).toBe(0);
  await writeFile(join(dir, 'orders.csv'), bad);
  return dir;
}

/** Records phases as they start and end: a real reporter, printing nothing. */
function recorder(): ProgressReporter & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    start(phase) {
      events.push(`start ${phase}`);
      return {
        rows: (n) => events.push(`rows ${phase} ${n}`),
        done: (s) => events.push(`done ${phase}${s?.rows === undefined ? '' : ` ${s.rows}`}`),
      };
    },
  };
}

const hasScript = spawnSync('script', ['--version']).status === 0;

describe('progress of an incident', () => {
  it('reports evidence, profiles, remediation and the re-run, with rows', async () => {
    const dir = await failingProject();
    const progress = recorder();
    const env = await createLocalEnvironment({
      pipelineFile: join(dir, 'pipeline.yaml'),
      terminal: false,
      progress,
    });
    try {
      const run = await env.runner.run(env.spec);
      expect(run.status).toBe('failed');
      if (run.status !== 'failed') return;
      const incident = await handleIncident(run.event, env);
      expect(incident.status).toBe('resolved');
    } finally {
      await env.close();
    }
    const done = progress.events.filter((e) => e.startsWith('done'));
    expect(done).toEqual([
      'done run orders_daily',
      `done profile orders ${rows}`,
      `done profile orders baseline ${rows}`,
      `done evidence ${rows}`,
      `done re-run orders_daily ${rows - rows / 100}`,
      `done remediation quarantine ${rows}`,
    ]);
    expect(progress.events.filter((e) => e.startsWith('start')).length).toBe(done.length);
  }, 30_000);

  it('prints nothing of it when stdout is not a terminal', async () => {
    const dir = await failingProject();
    const io = memoryIo('', dir);
    expect(await main(['run', 'pipeline.yaml'], io)).toBe(0);
    expect(io.stderr).not.toMatch(/profile orders|re-run/);
  }, 30_000);

  it.skipIf(!hasScript)(
    'draws phase, rows and elapsed on a real pseudo-terminal, and nothing with --json',
    async () => {
      const dir = await failingProject();
      const onTty = (args: string) => healerOnTty(dir, args);
      const drawn = onTty('run pipeline.yaml');
      expect(drawn).toMatch(/profile orders\s+3,000 rows\s+\d+s done/);
      expect(drawn).toMatch(/re-run orders_daily\s+2,970 rows\s+\d+s done/);
      expect(drawn).toMatch(/incident inc-\w+: resolved \(quarantine\)/);
      await writeFile(join(dir, 'orders.csv'), bad.replace('\n1,1.25', '\n1,'));
      const json = onTty('run pipeline.yaml --json');
      expect(json).not.toMatch(/profile orders|re-run orders_daily/);
      expect(json).toMatch(/"status":"resolved"/);
    },
    60_000,
  );

  it.skipIf(!hasScript)(
    '`healer demo` draws each scenario and its phases on a pseudo-terminal, and nothing with --json',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'healer-demo-progress-'));
      const onTty = (args: string) => healerOnTty(dir, args);
      const drawn = onTty('demo --dir demo');
      // The null spike: 2,000 flights read, 125 held back, the re-run on the 1,875 others and the
      // 3,376 airports.
      expect(drawn).toMatch(/scenario null_spike\s+2,000 rows\s+\d+s done/);
      expect(drawn).toMatch(/profile flights\s+2,000 rows\s+\d+s done/);
      expect(drawn).toMatch(/re-run flights_delay_by_airport\s+5,251 rows\s+\d+s done/);
      expect(drawn).toMatch(/remediation quarantine\s+2,000 rows\s+\d+s done/);
      expect(drawn).toMatch(/scenario permission_error\s+\d+s done/);
      const json = onTty('demo --dir demo --json');
      expect(json).not.toMatch(/scenario null_spike|profile flights|remediation/);
      expect(json).toMatch(/"scenario":"null_spike"/);
    },
    120_000,
  );
});

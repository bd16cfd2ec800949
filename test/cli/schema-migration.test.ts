// A permanent upstream rename on real DuckDB files: healed on each run until the third time, when the
// incident proposes a schema migration; `healer catalog adopt` (with an approver) publishes a catalog
// version that reads the new column as the old one, and the next run needs no healing at all.

import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const pipeline = `name: delays
sources:
  flights:
    path: flights.csv
    contract:
      columns:
        id: { type: int64, nullable: false }
        delay_minutes: { type: int64, nullable: false }
transform: SELECT count(*) AS n, sum(delay_minutes) AS total FROM "flights"
target: { path: out/delays.parquet }
authority: { mode: autonomous }
`;
const csv = (header: string, run: number) =>
  [header, ...Array.from({ length: 200 }, (_, i) => `${i},${(i + run) % 60}`)].join('\n');
const expectedTotal = (run: number) =>
  Array.from({ length: 200 }, (_, i) => (i + run) % 60).reduce((a, b) => a + b, 0);

async function total(dir: string): Promise<number> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(
      `SELECT total FROM read_parquet('${join(dir, 'out', 'delays.parquet')}')`,
    );
    return Number(reader.getRows()[0]?.[0]);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe('a column the upstream renamed for good', () => {
  it('is healed twice, then proposes a migration; adopted with an approver, runs need no healing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-migration-'));
    const file = join(dir, 'pipeline.yaml');
    await writeFile(file, pipeline);
    await writeFile(join(dir, 'flights.csv'), csv('id,delay_minutes', 0));
    expect(await main(['run', 'pipeline.yaml'], memoryIo('', dir))).toBe(0);

    const summaries: string[] = [];
    for (const run of [1, 2, 3]) {
      await writeFile(join(dir, 'flights.csv'), csv('id,delayMinutes', run));
      const io = memoryIo('', dir);
      expect(await main(['run', 'pipeline.yaml', '--json'], io)).toBe(0);
      const { incident } = JSON.parse(io.stdout) as {
        incident: { status: string; action: string; summary: string };
      };
      expect(incident).toMatchObject({ status: 'resolved', action: 'coerce_schema' });
      summaries.push(incident.summary);
      expect(await total(dir)).toBe(expectedTotal(run));
    }
    expect(summaries[0]).not.toMatch(/migration/);
    expect(summaries[1]).not.toMatch(/migration/);
    expect(summaries[2]).toContain(
      `schema migration proposed for flights: column delay_minutes was renamed to delayMinutes, healed 3 times already; if the upstream change is for good, adopt it as a new catalog version (healer catalog adopt --dataset flights --pipeline ${file})`,
    );
    const escalations = await readdir(join(dir, '.healer', 'escalations'));
    expect(escalations).toHaveLength(1);
    const escalation = JSON.parse(
      await readFile(join(dir, '.healer', 'escalations', escalations[0]!), 'utf8'),
    );
    expect(escalation).toMatchObject({
      kind: 'migration',
      migration: { dataset: 'flights', healedTimes: 3 },
    });
    expect(summaries[2]).toContain(escalation.headline);

    const adopt = ['catalog', 'adopt', '--dataset', 'flights', '--pipeline', 'pipeline.yaml'];
    const noApprover = memoryIo('', dir);
    expect(await main(adopt, noApprover)).toBe(2);
    expect(noApprover.stderr).toMatch(/E_INPUT: --approver/);

    const dry = memoryIo('', dir);
    expect(await main([...adopt, '--dry-run'], dry)).toBe(0);
    expect(dry.stdout).toMatch(
      /would become a new version \(dry run\):\n {2}delay_minutes is read from delayMinutes/,
    );
    expect(existsSync(join(dir, '.healer', 'catalog', 'flights', 'versions', '2.json'))).toBe(false);

    const adopted = memoryIo('', dir);
    expect(await main([...adopt, '--approver', 'alice'], adopted)).toBe(0);
    expect(adopted.stdout).toMatch(
      /^catalog flights: version 2 adopted by alice \(was 1\):\n {2}delay_minutes is read from delayMinutes/,
    );
    const version = JSON.parse(
      await readFile(join(dir, '.healer', 'catalog', 'flights', 'versions', '2.json'), 'utf8'),
    );
    expect(version.reason).toMatch(/^migration adopted by alice: /);

    // The upstream keeps writing the new name: the run now succeeds without an incident.
    await writeFile(join(dir, 'flights.csv'), csv('id,delayMinutes', 4));
    const after = memoryIo('', dir);
    expect(await main(['run', 'pipeline.yaml'], after)).toBe(0);
    expect(after.stdout).toMatch(/^run \S+ succeeded: 1 row →/);
    expect(await total(dir)).toBe(expectedTotal(4));
    const list = memoryIo('', dir);
    await main(['incidents', '--json'], list);
    expect(JSON.parse(list.stdout)).toHaveLength(3);

    const again = memoryIo('', dir);
    expect(await main([...adopt, '--approver', 'alice'], again)).toBe(0);
    expect(again.stdout).toMatch(/^nothing to adopt/);
  }, 60_000);

  it('refuses what a mapping cannot adopt (a removed column), naming it, exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-migration-'));
    await writeFile(join(dir, 'pipeline.yaml'), pipeline);
    await writeFile(join(dir, 'flights.csv'), csv('id,delay_minutes', 0));
    expect(await main(['run', 'pipeline.yaml'], memoryIo('', dir))).toBe(0);
    await writeFile(
      join(dir, 'flights.csv'),
      ['id', ...Array.from({ length: 200 }, (_, i) => `${i}`)].join('\n'),
    );
    const io = memoryIo('', dir);
    expect(
      await main(
        ['catalog', 'adopt', '--dataset', 'flights', '--pipeline', 'pipeline.yaml', '--approver', 'bob'],
        io,
      ),
    ).toBe(2);
    expect(io.stderr).toMatch(
      /E_INPUT: flights: cannot adopt by a mapping: delay_minutes was removed from the data/,
    );
    expect(existsSync(join(dir, '.healer', 'catalog', 'flights', 'versions', '2.json'))).toBe(false);
  }, 30_000);
});

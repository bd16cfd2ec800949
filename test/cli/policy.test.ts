import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { QLearningPolicy } from '../../src/core/policy/q-learning.js';

let dir: string;
const S1 = { family: 'schema', risk: 'low', quality: 'ok' } as const;
const S2 = { family: 'transient', risk: 'low', quality: 'ok' } as const;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'healer-policy-'));
  const a = new QLearningPolicy({ seed: 1 });
  a.update(S1, 'coerce_schema', 1);
  a.update(S2, 'retry', 1);
  a.update(S2, 'escalate', -0.1);
  await writeFile(
    join(dir, 'a.json'),
    JSON.stringify(a.toArtifact({ episodes: 3 }, '2026-11-22T21:00:00.000Z')),
  );
  a.update(S1, 'coerce_schema', -5); // now worse than escalate
  await writeFile(
    join(dir, 'b.json'),
    JSON.stringify(a.toArtifact({ episodes: 4 }, '2026-11-22T22:00:00.000Z')),
  );
  const tampered = JSON.parse(JSON.stringify(a.toArtifact()));
  tampered.qTable['schema|low|ok'].escalate = 9;
  await writeFile(join(dir, 'tampered.json'), JSON.stringify(tampered));
});

async function healer(...args: string[]) {
  const io = memoryIo('', dir);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

describe('healer policy show|diff', () => {
  it('shows visited states with the greedy action marked and visits', async () => {
    const { code, out } = await healer('policy', 'show', 'a.json');
    expect(code).toBe(0);
    expect(out).toMatch(/^policy {3}q_learning@[0-9a-f]{12} {2}\(created 2026-11-22T21:00:00.000Z\)$/m);
    expect(out).toContain('training episodes=3');
    expect(out).toContain('states   2 shown of 96');
    const schemaRow = out.split('\n').find((l) => l.startsWith('schema|low|ok'))!;
    expect(schemaRow).toMatch(/\* 0\.100 \(1\)/);
    expect(schemaRow.trim().endsWith('1')).toBe(true);
    const transientRow = out.split('\n').find((l) => l.startsWith('transient|low|ok'))!;
    expect(transientRow).toMatch(/\* 0\.100 \(1\).*-0\.010 \(1\)/);
  });

  it('--all lists every state; --json gives the rows', async () => {
    expect((await healer('policy', 'show', 'a.json', '--all')).out).toContain('states   96 shown of 96');
    const json = JSON.parse((await healer('policy', 'show', 'a.json', '--json')).out);
    expect(json.states).toHaveLength(2);
    expect(json.states[0]).toMatchObject({ state: 'transient|low|ok', greedy: 'retry', totalVisits: 2 });
    expect(json.version).toMatch(/^q_learning@[0-9a-f]{12}$/);
  });

  it('diffs two artifacts, marking changed greedy actions', async () => {
    const { code, out } = await healer('policy', 'diff', 'a.json', 'b.json');
    expect(code).toBe(0);
    expect(out).toContain('1 state(s) changed, 1 with a new greedy action');
    expect(out).toMatch(/schema\|low\|ok\s+!coerce_schema → escalate\s+1 → 2\s+coerce_schema 0\.100→-0\.410/);
    const json = JSON.parse((await healer('policy', 'diff', 'a.json', 'b.json', '--json')).out);
    expect(json.states[0]).toMatchObject({ state: 'schema|low|ok', greedyChanged: true });
    expect((await healer('policy', 'diff', 'a.json', 'a.json')).out).toContain(
      'identical policy (same hash)',
    );
  });

  it('rejects a tampered or missing file with one line and exit 2', async () => {
    const tampered = await healer('policy', 'show', 'tampered.json');
    expect(tampered.code).toBe(2);
    expect(tampered.err).toMatch(/^healer: E_POLICY_ARTIFACT: tampered\.json: hash: .*edited\)\n$/);
    const missing = await healer('policy', 'show', 'nope.json');
    expect(missing).toMatchObject({
      code: 2,
      err: 'healer: E_INPUT: cannot read policy file nope.json: no such file\n',
    });
  });
});

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { parsePolicyArtifact } from '../../src/core/policy/artifact.js';

describe('healer bench', () => {
  it('rejects a bad seed list with a one-line error and exit 2', async () => {
    for (const bad of ['42..x', '71..42', 'a,b', '']) {
      const io = memoryIo();
      expect(await main(['bench', '--seeds', bad], io)).toBe(2);
      expect(io.stderr.trim().split('\n')).toHaveLength(1);
      expect(io.stderr).toMatch(/--seeds/);
    }
  });

  it('refuses held-out seeds that overlap --seeds, exit 2', async () => {
    const io = memoryIo();
    expect(await main(['bench', '--seeds', '1,1005', '--held-out', '1000..1029'], io)).toBe(2);
    expect(io.stderr).toMatch(/--held-out: seed 1005/);
  });

  it('--json prints the results shape and writes results.json, report.md and chart.svg', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-bench-'));
    const io = memoryIo('', dir);
    const args = [
      'bench',
      '--seeds',
      '1,2',
      '--held-out',
      '1000',
      '--json',
      '--out',
      'out',
      '--train-incidents',
      '40',
      '--eval-incidents',
      '30',
      '--episodes',
      '800',
    ];
    expect(await main(args, io)).toBe(0);
    const printed = JSON.parse(io.stdout);
    expect(printed.seeds).toEqual([1, 2]);
    expect(printed.held_out.seeds).toEqual([1000]);
    expect(printed.classifier_corpus.source).toBe('corpus_heldout');
    expect(JSON.parse(await readFile(join(dir, 'out', 'results.json'), 'utf8'))).toEqual(printed);
    expect(await readFile(join(dir, 'out', 'report.md'), 'utf8')).toMatch(/74\.63% ± 1\.51 pp/);
    expect(await readFile(join(dir, 'out', 'chart.svg'), 'utf8')).toMatch(
      /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    );
  }, 60_000);
});

describe('healer train', () => {
  it('writes a hashed artifact that parses and names its training', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-train-'));
    const io = memoryIo('', dir);
    expect(
      await main(['train', '--seed', '3', '--episodes', '500', '--incidents', '40', '--out', 'p.json'], io),
    ).toBe(0);
    const artifact = parsePolicyArtifact(JSON.parse(await readFile(join(dir, 'p.json'), 'utf8')));
    expect(artifact.training).toMatchObject({ seed: 3, episodes: 500, incidents: 40 });
    expect(io.stdout).toMatch(/wrote .*p\.json/);
  });

  it('retraining with the same seed gives the same hash, and policy diff names what differs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-train-'));
    const io = memoryIo('', dir);
    const args = ['train', '--seed', '4', '--episodes', '300', '--incidents', '30'];
    expect(await main([...args, '--out', 'a.json'], io)).toBe(0);
    await new Promise((r) => setTimeout(r, 5)); // a later createdAt
    expect(await main([...args, '--out', 'b.json'], io)).toBe(0);
    const [a, b] = await Promise.all(
      ['a.json', 'b.json'].map(async (f) =>
        parsePolicyArtifact(JSON.parse(await readFile(join(dir, f), 'utf8'))),
      ),
    );
    expect(a?.createdAt).not.toBe(b?.createdAt);
    expect(a?.hash).toBe(b?.hash);
    const diff = memoryIo('', dir);
    expect(await main(['policy', 'diff', 'a.json', 'b.json'], diff)).toBe(0);
    expect(diff.stdout).toContain('identical policy (same hash)');
    expect(diff.stdout).toMatch(/metadata differs \(not hashed\): createdAt: \S+ → \S+/);
  });

  it('refuses a held-out benchmark seed with a one-line error and exit 2', async () => {
    const io = memoryIo();
    expect(await main(['train', '--seed', '1007', '--out', '/tmp/x.json'], io)).toBe(2);
    expect(io.stderr.trim().split('\n')).toHaveLength(1);
    expect(io.stderr).toMatch(/held-out/);
  });

  it('rejects a bad --episodes with exit 2', async () => {
    const io = memoryIo();
    expect(await main(['train', '--episodes', '0', '--out', '/tmp/x.json'], io)).toBe(2);
    expect(io.stderr).toMatch(/--episodes/);
  });
});

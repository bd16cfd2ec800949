// Rough edges a new user met, each fixed and held here: init --json, read-only commands on a wrong
// folder (say so, create nothing), singular findings.

import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driftText } from '../../src/cli/commands/drift.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

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

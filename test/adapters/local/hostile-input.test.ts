// Hostile pipeline files: paths that escape the pipeline's roots (`..`, absolute, a symlink out of
// the folder), a YAML alias bomb, a file over the size cap, deep nesting. Each is E_CONFIG, exit 2,
// one line naming the file and key, before anything is read or written.

import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPipelineFile, parsePipeline } from '../../../src/adapters/local/pipeline-file.js';
import { MAX_CONFIG_BYTES } from '../../../src/adapters/local/yaml-limits.js';
import { memoryIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import { HealerError } from '../../../src/core/errors.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'healer-hostile-'));
  dirs.push(dir);
  return dir;
}

const pipeline = (source: string, target = 'out.parquet', extra = '') => `name: p
${extra}sources:
  orders:
    path: ${JSON.stringify(source)}
transform: SELECT * FROM orders
target: { path: ${JSON.stringify(target)} }
`;

function configError(run: () => unknown): HealerError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HealerError);
    expect((error as HealerError).code).toBe('E_CONFIG');
    return error as HealerError;
  }
  throw new Error('expected an E_CONFIG error');
}

describe('paths stay inside the pipeline roots', () => {
  it('refuses .. escapes and absolute paths outside the folder, naming file, line and key', async () => {
    const dir = await folder();
    const file = join(dir, 'pipeline.yaml');
    const passwd = configError(() => parsePipeline(pipeline('../../../../etc/passwd'), file));
    expect(passwd.message).toMatch(
      /^pipeline\.yaml:4: sources\.orders\.path: \.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd resolves outside/,
    );
    expect(configError(() => parsePipeline(pipeline('/etc/passwd'), file)).message).toMatch(
      /sources\.orders\.path/,
    );
    expect(configError(() => parsePipeline(pipeline('in/../../x.csv'), file)).message).toMatch(
      /resolves outside/,
    );
    expect(configError(() => parsePipeline(pipeline('in/*/../../../x/*.csv'), file)).message).toMatch(
      /resolves outside/,
    );
    const target = configError(() => parsePipeline(pipeline('in.csv', '../elsewhere/out.parquet'), file));
    expect(target.message).toMatch(/^pipeline\.yaml:6: target\.path: /);
    expect(configError(() => parsePipeline(pipeline('in.csv', '/tmp/out.parquet'), file)).message).toMatch(
      /target\.path/,
    );
  });

  it('accepts paths and globs inside the folder, and a roots: list widens it', async () => {
    const dir = await folder();
    const file = join(dir, 'pipeline.yaml');
    const inside = parsePipeline(pipeline('data/../in/*.csv', 'out/x.parquet'), file);
    expect(inside.sources[0]?.location).toBe(join(dir, 'in', '*.csv'));
    expect(inside.target.location).toBe(join(dir, 'out', 'x.parquet'));
    const shared = await folder();
    const widened = parsePipeline(
      pipeline(
        join(shared, 'lake', '*.parquet'),
        '../out/x.parquet',
        `roots: [".", ${JSON.stringify(shared)}, "../out"]\n`,
      ),
      file,
    );
    expect(widened.sources[0]?.location).toBe(join(shared, 'lake', '*.parquet'));
    // A root widens to its own folder only.
    expect(
      configError(() =>
        parsePipeline(
          pipeline(join(shared, '..', 'x.csv'), 'out.parquet', `roots: [${JSON.stringify(shared)}]\n`),
          file,
        ),
      ).message,
    ).toMatch(/resolves outside/);
  });

  it('refuses a symlink inside the folder that points out of it', async () => {
    const dir = await folder();
    const outside = await folder();
    await mkdir(join(outside, 'secrets'));
    await symlink(join(outside, 'secrets'), join(dir, 'link'));
    const file = join(dir, 'pipeline.yaml');
    expect(configError(() => parsePipeline(pipeline('link/*.csv'), file)).message).toMatch(
      /resolves outside/,
    );
  });
});

describe('the transform is confined to the roots', () => {
  it('SQL that reads outside the roots fails the run with a permission error; inside works', async () => {
    const dir = await folder();
    const outside = await folder();
    await writeFile(join(dir, 'in.csv'), 'id\n1\n2\n');
    await writeFile(join(outside, 'secret.csv'), 'token\nabc\n');
    const spec = (transform: string, extra = '') => `name: p
${extra}sources:
  orders:
    path: in.csv
transform: ${JSON.stringify(transform)}
target: { path: out.parquet }
authority: { mode: shadow }
`;
    const cases: [string, string, 'failed' | 'succeeded'][] = [
      [`SELECT * FROM read_csv('${join(outside, 'secret.csv')}')`, '', 'failed'],
      ["SELECT * FROM read_text('/etc/passwd')", '', 'failed'],
      ["SELECT * FROM orders, (SELECT count(*) FROM glob('/etc/*'))", '', 'failed'],
      [
        `SELECT count(*) AS n FROM orders, read_csv('${join(outside, 'secret.csv')}')`,
        `roots: [".", ${JSON.stringify(outside)}]\n`,
        'succeeded',
      ],
      ['SELECT count(*) AS n FROM orders', '', 'succeeded'],
    ];
    for (const [transform, extra, status] of cases) {
      await writeFile(join(dir, 'pipeline.yaml'), spec(transform, extra));
      const io = memoryIo('', dir);
      await main(['run', 'pipeline.yaml', '--json'], io);
      const { run } = JSON.parse(io.stdout) as { run: { status: string; errorMessage?: string } };
      expect(run.status, transform).toBe(status);
      if (status === 'failed')
        expect(run.errorMessage).toMatch(/Permission Error: Cannot access (file|directory)/);
    }
  }, 60_000);
});

describe('YAML limits', () => {
  it('an alias bomb is E_CONFIG naming the file, quickly', async () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const started = Date.now();
    const error = configError(() => parsePipeline(`${levels.join('\n')}\nname: p\n`, '/x/bomb.yaml'));
    expect(error.message).toMatch(/^bomb\.yaml: too many YAML aliases/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a file over the size cap is refused before it is read or parsed', async () => {
    const dir = await folder();
    const file = join(dir, 'big.yaml');
    await writeFile(file, `name: p\ndescription: "${'x'.repeat(MAX_CONFIG_BYTES)}"\n`);
    await expect(loadPipelineFile(file)).rejects.toMatchObject({
      code: 'E_CONFIG',
      message: expect.stringMatching(/^big\.yaml: \d+ bytes is larger than the 1048576-byte limit/),
    });
    expect(configError(() => parsePipeline('#'.repeat(MAX_CONFIG_BYTES + 1), file)).message).toMatch(/limit/);
  });

  it('deep nesting is E_CONFIG, not a crash', () => {
    const deep = `name: p\ndescription: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`;
    configError(() => parsePipeline(deep, '/x/deep.yaml'));
  });
});

describe('the CLI on hostile input', () => {
  it('exits 2 with one E_CONFIG line for an escape, an alias bomb and an oversized file', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'escape.yaml'), pipeline('../../../../etc/passwd'));
    await writeFile(
      join(dir, 'bomb.yaml'),
      `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [${Array(10).fill('*a').join(', ')}]\nc: &c [${Array(10).fill('*b').join(', ')}]\nname: p\n`,
    );
    await writeFile(join(dir, 'big.yaml'), `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    for (const [file, pattern] of [
      ['escape.yaml', /sources\.orders\.path: .* resolves outside/],
      ['bomb.yaml', /too many YAML aliases/],
      ['big.yaml', /larger than the 1048576-byte limit/],
    ] as const) {
      const io = memoryIo('', dir);
      expect(await main(['run', file], io)).toBe(2);
      const lines = io.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^healer: E_CONFIG: /);
      expect(lines[0]).toMatch(pattern);
    }
  });
});

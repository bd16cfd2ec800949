// `healer profile` and `healer drift` in-process over real files in a temp dir.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

let dir: string;
// Two days of an orders feed: on day 2 customer_id became customerId, amount lost its numbers in
// one row, and order 4 arrived twice.
const DAY1 =
  'order_id,customer_id,amount,placed_at\n1,10,12.5,2026-11-20\n2,11,8.0,2026-11-20\n3,12,3.25,2026-11-20\n4,10,99.9,2026-11-20\n';
const DAY2 =
  'order_id,customerId,amount,placed_at\n4,10,12.5,2026-11-21\n4,10,12.5,2026-11-21\n5,12,7.0,2026-11-21\n6,11,1.5,2026-11-21\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'healer-cli-drift-'));
  await writeFile(join(dir, 'day1.csv'), DAY1);
  await writeFile(join(dir, 'day2.csv'), DAY2);
  await writeFile(join(dir, 'day1-copy.csv'), DAY1);
  await writeFile(
    join(dir, 'contract.json'),
    JSON.stringify({
      name: 'orders',
      fields: [
        { path: 'order_id', type: 'int64', nullable: false },
        { path: 'customer_id', type: 'int64', nullable: false },
        { path: 'amount', type: 'double' },
        { path: 'placed_at', type: 'date', nullable: false },
      ],
    }),
  );
  await writeFile(
    join(dir, 'typo.json'),
    JSON.stringify({ name: 'orders', fields: [{ path: 'a', type: 'int64', nulable: true }] }),
  );
  await writeFile(join(dir, 'badtype.json'), JSON.stringify({ fields: [{ path: 'a', type: 'integer' }] }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(...args: string[]) {
  const io = memoryIo('', dir);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

describe('healer profile', () => {
  it('--json prints the DatasetProfile', async () => {
    const { code, out } = await run('profile', 'day2.csv', '--json', '--key', 'order_id');
    expect(code).toBe(0);
    const p = JSON.parse(out);
    expect(p).toMatchObject({
      source: 'day2.csv',
      format: 'csv',
      rowCount: 4,
      duplicateKeys: { order_id: 1 },
    });
    expect(p.columns.map((c: { path: string }) => c.path)).toEqual([
      'order_id',
      'customerId',
      'amount',
      'placed_at',
    ]);
  });
  it('prints a readable table by default', async () => {
    const { code, out } = await run('profile', 'day1.csv');
    expect(code).toBe(0);
    expect(out).toMatch(/^day1\.csv {2}csv {2}4 rows {2}4 columns\nCOLUMN +TYPE +NULLS/);
    expect(out).toMatch(/amount +DOUBLE +0 +0\.0% +4 +3\.25 +99\.9 +100\.0%/);
  });
  it('bad input: one line, exit 2', async () => {
    const { code, err, out } = await run('profile', 'nope.csv');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^healer: E_INPUT: cannot read .*nope\.csv: no such file\n$/);
    expect((await run('profile', 'day1.csv', '--sample', 'ten')).code).toBe(2);
  });
});

describe('healer drift', () => {
  it('no finding at all when nothing changed', async () => {
    expect(JSON.parse((await run('drift', 'day1.csv', 'day1-copy.csv', '--json')).out)).toEqual({
      findings: [],
    });
    expect((await run('drift', 'day1.csv', 'day1-copy.csv')).out).toBe('no drift: 0 findings\n');
  });

  it('--json: the findings contract (kind, column, compatible, severity; from/to on renames)', async () => {
    const { code, out } = await run('drift', 'day1.csv', 'day2.csv', '--json', '--key', 'order_id');
    expect(code).toBe(3);
    const { findings } = JSON.parse(out);
    expect(findings.map((f: { kind: string; column: string }) => [f.kind, f.column])).toEqual([
      ['field_renamed', 'customerId'],
      ['duplicate_keys', 'order_id'],
    ]);
    expect(findings[0]).toMatchObject({
      from: 'customer_id',
      to: 'customerId',
      compatible: false,
      severity: 'warning',
    });
    for (const f of findings)
      expect(Object.keys(f)).toEqual(expect.arrayContaining(['kind', 'column', 'compatible', 'severity']));
  });

  it('prints a readable table with a summary, exit 3 with an error finding', async () => {
    const { code, out } = await run('drift', 'day1.csv', 'day2.csv', '--key', 'order_id');
    expect(code).toBe(3);
    expect(out.split('\n')[0]).toMatch(/^KIND +COLUMN +SEVERITY +COMPATIBLE +DETAIL$/);
    expect(out).toContain('field_renamed   customerId');
    expect(out).toMatch(/2 findings \(1 error, 1 warning, 0 info\)\n$/);
  });

  it('--baseline-schema: a declared schema against the current data', async () => {
    const { code, out } = await run('drift', '--baseline-schema', 'contract.json', 'day2.csv', '--json');
    expect(code).toBe(0);
    // The declared DATE column now holds text that parses as a date: the CSV reader says DATE too.
    expect(JSON.parse(out).findings).toMatchObject([
      { kind: 'field_renamed', from: 'customer_id', to: 'customerId' },
    ]);
  });

  it('--fail-on warning fails on a warning; the default (error) does not', async () => {
    expect((await run('drift', '--baseline-schema', 'contract.json', 'day2.csv')).code).toBe(0);
    const strict = await run(
      'drift',
      '--baseline-schema',
      'contract.json',
      'day2.csv',
      '--fail-on',
      'warning',
    );
    expect(strict.code).toBe(3);
    expect(strict.out).toContain('field_renamed');
    expect((await run('drift', 'day1.csv', 'day1-copy.csv', '--fail-on', 'warning')).code).toBe(0);
  });

  it('--rows N lists the failing rows with their key and reasons (text and JSON)', async () => {
    const text = await run('drift', 'day1.csv', 'day2.csv', '--key', 'order_id', '--rows', '5');
    expect(text.out).toContain(
      'failing rows (first 1):\n  row 2 order_id=4: duplicate key (order_id), occurrence 2\n',
    );
    const json = JSON.parse(
      (await run('drift', 'day1.csv', 'day2.csv', '--key', 'order_id', '--rows', '5', '--json')).out,
    );
    expect(json.failingRows).toEqual([
      { row: 2, key: { order_id: '4' }, reasons: ['duplicate key (order_id), occurrence 2'] },
    ]);
    expect((await run('drift', 'day1.csv', 'day1-copy.csv', '--rows', '3')).out).toContain(
      'failing rows: none',
    );
  });

  it('--help documents the exit codes', async () => {
    const io = memoryIo('', dir);
    await main(['drift', '--help'], io);
    expect(io.stdout).toMatch(/Exit codes:[\s\S]*3 +a finding at or above --fail-on/);
  });

  it.each([
    [
      ['drift', 'day1.csv', 'day2.csv', '--fail-on', 'info'],
      /--fail-on must be warning or error, got "info"/,
    ],
    [['drift', 'day1.csv', 'day2.csv', '--rows', 'many'], /--rows must be a non-negative integer/],
    [['drift', 'day1.csv'], /drift needs BASELINE and CURRENT/],
    [['drift', 'day1.csv', 'missing.csv'], /missing\.csv: no such file/],
    [
      ['drift', '--baseline-schema', 'typo.json', 'day2.csv'],
      /schema file .*typo\.json: fields\.0: Unrecognized key: "nulable"/,
    ],
    [
      ['drift', '--baseline-schema', 'badtype.json', 'day2.csv'],
      /schema file .*badtype\.json: fields\.0\.type: /,
    ],
    [
      ['drift', '--baseline-schema', 'nothing.json', 'day2.csv'],
      /cannot read schema file .*nothing\.json: no such file/,
    ],
  ])('bad input %j: one line, exit 2', async (args, message) => {
    const { code, err } = await run(...args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err.trim().split('\n')).toHaveLength(1);
  });
});

// The shipped PySpark remediation script (remediation/glue_remediate.py) run for real with pyspark
// in local mode on real CSV and Parquet files: row accounting, quarantined rows with their original
// values and reasons, renames and try-casts, and coercion refusing to drop rows.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensurePythonVenv, ROOT, VENV_PYTHON } from './moto.js';

let dir: string;

interface Run {
  code: number;
  accounting?: { rowsIn: number; rowsDelivered: number; rowsQuarantined: number; balanced: boolean };
  stdout: string;
}

/** Runs several scenarios in one Python process (the JVM starts once: ~20 s instead of ~20 s each). */
function runScenarios(scenarios: string[][]): Run[] {
  const harness = [
    'import io, json, sys, contextlib',
    `sys.path.insert(0, ${JSON.stringify(resolve(ROOT, 'remediation'))})`,
    'import glue_remediate as g',
    'results = []',
    'for argv in json.loads(sys.argv[1]):',
    '    buf = io.StringIO()',
    '    with contextlib.redirect_stdout(buf):',
    '        code = g.main(["glue_remediate.py", *argv])',
    '    results.append({"code": code, "stdout": buf.getvalue()})',
    'print("@@RESULTS@@" + json.dumps(results))',
  ].join('\n');
  const out = execFileSync(VENV_PYTHON, ['-c', harness, JSON.stringify(scenarios)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const json = out.slice(out.indexOf('@@RESULTS@@') + '@@RESULTS@@'.length);
  return (JSON.parse(json) as { code: number; stdout: string }[]).map((r) => {
    const line = r.stdout.split('\n').find((l) => l.includes('"rowsIn"'));
    return { ...r, accounting: line ? JSON.parse(line) : undefined };
  });
}

function readJsonLines(path: string): Record<string, string>[] {
  return readdirSync(path)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => readFileSync(join(path, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l));
}

const contract = (columns: { name: string; type: string; nullable?: boolean }[], renames: object[] = []) =>
  JSON.stringify({ dataset: 'orders', columns: columns.map((c) => ({ nullable: true, ...c })), renames });

let runs: Run[];

beforeAll(async () => {
  ensurePythonVenv();
  dir = mkdtempSync(join(tmpdir(), 'healer-pyspark-'));
  // CSV as an upstream export: one amount with a currency suffix, one bad date, one missing id.
  writeFileSync(
    join(dir, 'orders.csv'),
    [
      'order_id,order_amount,order_day',
      '1001,12.50,2026-11-01',
      '1002,13.75 USD,2026-11-01',
      '1003,8,2026-11-31',
      ',4.20,2026-11-02',
      '1005,99.99,2026-11-02',
    ].join('\n') + '\n',
  );
  // Parquet written by DuckDB, with the amount drifted to text and a hostile column name.
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(
    `COPY (SELECT * FROM (VALUES (1::BIGINT, '10.5', 'a;b'), (2, '11', 'c"d'), (3, 'n/a', 'é')) t(id, amount, "we;ird ""col""")) TO '${join(dir, 'orders.parquet')}' (FORMAT parquet)`,
  );
  conn.closeSync();
  const common = (name: string, action: string, input: string, c: string) => [
    '--healer_action',
    action,
    '--incident_id',
    `inc-${name}`,
    '--input_path',
    input,
    '--remediated_path',
    join(dir, name, 'ok'),
    '--quarantine_path',
    join(dir, name, 'bad'),
    '--contract',
    c,
  ];
  runs = runScenarios([
    common(
      'csv',
      'quarantine',
      join(dir, 'orders.csv'),
      contract(
        [
          { name: 'order_id', type: 'int64', nullable: false },
          { name: 'amount', type: 'double' },
          { name: 'order_day', type: 'date' },
        ],
        [{ from: 'order_amount', to: 'amount' }],
      ),
    ),
    common(
      'parquet',
      'quarantine',
      join(dir, 'orders.parquet'),
      contract([
        { name: 'id', type: 'int64', nullable: false },
        { name: 'amount', type: 'double' },
        { name: 'we;ird "col"', type: 'string' },
      ]),
    ),
    common(
      'coerce',
      'coerce_schema',
      join(dir, 'orders.parquet'),
      contract([
        { name: 'id', type: 'int64' },
        { name: 'amount', type: 'double' },
      ]),
    ),
  ]);
}, 300_000);

describe('remediation/glue_remediate.py (pyspark local mode)', () => {
  it('quarantines CSV rows that fail the contract with their original values, and balances the rows', () => {
    const run = runs[0]!;
    expect(run.code).toBe(0);
    expect(run.accounting).toMatchObject({ rowsIn: 5, rowsDelivered: 2, rowsQuarantined: 3, balanced: true });
    const bad = readJsonLines(join(dir, 'csv', 'bad'));
    expect(bad.map((r) => [r.order_id ?? null, r.order_amount, r._healer_reason]).sort()).toEqual(
      [
        [null, '4.20', 'null in non-nullable column order_id'],
        ['1002', '13.75 USD', 'cannot cast amount to double'],
        ['1003', '8', 'cannot cast order_day to date'],
      ].sort(),
    );
    expect(new Set(bad.map((r) => r._healer_incident_id))).toEqual(new Set(['inc-csv']));
    const accounting = JSON.parse(readFileSync(join(dir, 'csv', 'ok', '_healer_accounting.json'), 'utf8'));
    expect(accounting.rowsDelivered + accounting.rowsQuarantined).toBe(accounting.rowsIn);
  });

  it('remediates Parquet with a hostile column name and writes the good rows in the contract shape', async () => {
    const run = runs[1]!;
    expect(run.accounting).toMatchObject({ rowsIn: 3, rowsDelivered: 2, rowsQuarantined: 1, balanced: true });
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const reader = await conn.runAndReadAll(
      `SELECT id, amount, "we;ird ""col""" AS w FROM read_parquet('${join(dir, 'parquet', 'ok')}/*.parquet') ORDER BY id`,
    );
    expect(reader.getRowObjectsJson()).toEqual([
      { id: '1', amount: 10.5, w: 'a;b' },
      { id: '2', amount: 11, w: 'c"d' },
    ]);
    conn.closeSync();
    expect(readJsonLines(join(dir, 'parquet', 'bad'))).toEqual([
      expect.objectContaining({ id: '3', amount: 'n/a', _healer_reason: 'cannot cast amount to double' }),
    ]);
  });

  it('coerce_schema casts what parses and quarantines the value that does not, rows balanced', () => {
    const run = runs[2]!;
    expect(run.code).toBe(0);
    expect(run.accounting).toMatchObject({ rowsIn: 3, rowsDelivered: 2, rowsQuarantined: 1, balanced: true });
    expect(readJsonLines(join(dir, 'coerce', 'bad'))).toEqual([
      expect.objectContaining({ id: '3', amount: 'n/a', _healer_incident_id: 'inc-coerce' }),
    ]);
  });
});

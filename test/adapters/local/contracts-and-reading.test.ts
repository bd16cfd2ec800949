// Issue 9 regressions on real DuckDB files: a plain `healer run` holds the staged input to its
// contract (repeated keys, 1.5 and 1e400 in an int64 column, the word n/a in an int64 NOT NULL
// column under SELECT *), and text inputs are read truly (a ragged line, one Latin-1 byte, mixed
// line endings, empty and header-only files, declared reading options). The input is 40 real
// flights from data/flights-2k.json written as CSV with a flight_id key.

import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { quoteLiteral } from '../../../src/adapters/duckdb/sql.js';
import { parsePipeline } from '../../../src/adapters/local/pipeline-file.js';
import { memoryIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import { rows } from './read-rows.js';

interface Flight {
  date: string;
  delay: number;
  distance: number;
  origin: string;
  destination: string;
}
const FLIGHTS = (
  JSON.parse(readFileSync(join(import.meta.dirname, '../../../data/flights-2k.json'), 'utf8')) as Flight[]
).slice(0, 40);
const HEADER = 'flight_id,date,delay,distance,origin,destination';
const LINES = FLIGHTS.map(
  (f, i) => `${i + 1},${f.date},${f.delay},${f.distance},${f.origin},${f.destination}`,
);

// The dates are written 2001/01/01 06:55: declared, so that they read as timestamps by value.
const PIPELINE = (read = '') => `name: flights_daily
sources:
  flights:
    path: flights.csv
    read: { timestampFormat: "%Y/%m/%d %H:%M"${read} }
    contract:
      columns:
        flight_id: { type: int64, nullable: false }
        date: { type: timestamp }
        delay: { type: int64, nullable: false }
        distance: { type: int64 }
        origin: { type: string }
        destination: { type: string }
      keys: [flight_id]
transform: SELECT * FROM flights
target:
  path: out/flights.parquet
authority:
  mode: autonomous
  allowedActions: [retry, coerce_schema, rollback_schema, quarantine]
`;

interface RunJson {
  run: { status: string; errorMessage?: string };
  incident?: {
    decision: {
      diagnosis: {
        classification: { family: string; rule: string };
        findings: {
          kind: string;
          column: string;
          lines?: { line: number; reason: string }[];
          current?: unknown;
        }[];
      };
    };
  };
}

let dir: string;
const file = () => join(dir, 'flights.csv');

async function run(): Promise<RunJson> {
  const io = memoryIo('', dir);
  await main(['run', join(dir, 'pipeline.yaml'), '--json'], io);
  return JSON.parse(io.stdout.trim()) as RunJson;
}

/** A first good run registers the contract and publishes the target (schema version 1). */
async function goodFirstRun(read = ''): Promise<void> {
  await writeFile(join(dir, 'pipeline.yaml'), PIPELINE(read));
  await writeFile(file(), `${HEADER}\n${LINES.join('\n')}\n`);
  expect((await run()).run.status).toBe('succeeded');
}

async function targetTypes(): Promise<Record<string, string>> {
  const described = await rows(
    `DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(join(dir, 'out', 'flights.parquet'))})`,
  );
  return Object.fromEntries(described.map((r) => [String(r.column_name), String(r.column_type)]));
}

function findingKinds(out: RunJson): string[] {
  return (out.incident?.decision.diagnosis.findings ?? []).map((f) => f.kind);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'healer-contract-'));
});

describe('contracts on every run', () => {
  it('repeated keys fail the run, naming the key and its lines', async () => {
    await goodFirstRun();
    await writeFile(file(), `${HEADER}\n${LINES.join('\n')}\n${LINES[6]}\n${LINES[8]}\n`);
    const out = await run();
    expect(out.run.status).toBe('failed');
    expect(out.run.errorMessage).toMatch(
      /Contract violation: flights\.flight_id \(unique\): 2 of 42 rows repeat a key \(flight_id\) \(keys: 7 at line 42; 9 at line 43\)/,
    );
    expect(out.incident?.decision.diagnosis.classification.family).toBe('data_quality');
    expect(findingKinds(out)).toContain('duplicate_keys');
  }, 30_000);

  it('1.5 in an int64 column is a type violation on its line, not a silent 2', async () => {
    await goodFirstRun();
    const lines = [...LINES];
    lines[4] = lines[4]!.replace(/,(-?\d+),(\d+),/, ',1.5,$2,');
    await writeFile(file(), `${HEADER}\n${lines.join('\n')}\n`);
    const out = await run();
    expect(out.run.errorMessage).toMatch(
      /flights\.delay \(type\): 1 of 40 values are not valid int64 \(line 6: "1\.5"\)/,
    );
    expect(out.incident?.decision.diagnosis.classification.family).toBe('schema');
    expect((await targetTypes()).delay).toBe('BIGINT');
  }, 30_000);

  it('n/a in an int64 NOT NULL column under SELECT * fails; the published column stays BIGINT', async () => {
    await goodFirstRun();
    const lines = [...LINES];
    lines[9] = lines[9]!.replace(/,(-?\d+),(\d+),/, ',n/a,$2,');
    await writeFile(file(), `${HEADER}\n${lines.join('\n')}\n`);
    const out = await run();
    expect(out.run.status).toBe('failed');
    expect(out.run.errorMessage).toMatch(
      /flights\.delay \(type\): 1 of 40 values are not valid int64 \(line 11: "n\/a"\)/,
    );
    expect((await targetTypes()).delay).toBe('BIGINT');
  }, 30_000);

  it('1e400 in an int64 column is out of range: never published as Infinity, the catalog stays int64', async () => {
    await goodFirstRun();
    const lines = [...LINES];
    lines[2] = lines[2]!.replace(/,(-?\d+),(\d+),/, ',1e400,$2,');
    lines[3] = lines[3]!.replace(/,(-?\d+),(\d+),/, ',9223372036854775808,$2,');
    await writeFile(file(), `${HEADER}\n${lines.join('\n')}\n`);
    const out = await run();
    expect(out.run.errorMessage).toMatch(
      /flights\.delay \(range\): 2 of 40 values are out of range or not finite for int64 \(line 4: "1e400"; line 5: "9223372036854775808"\)/,
    );
    expect((await targetTypes()).delay).toBe('BIGINT');
    const head = JSON.parse(
      await readFile(join(dir, '.healer', 'catalog', 'flights_daily', 'HEAD.json'), 'utf8'),
    );
    expect(head.active).toEqual(['1']);
  }, 30_000);

  it('JSON: 68.0 is the integer 68 (published BIGINT), 97.5 in the int64 column fails the run', async () => {
    const records = FLIGHTS.map(({ date: _, ...f }) => f);
    const json = (delays: Record<number, string>) =>
      `[${records.map((r, i) => JSON.stringify(r).replace(/"delay":-?\d+/, `"delay":${delays[i] ?? r.delay}`)).join(',')}]`;
    await writeFile(
      join(dir, 'pipeline.yaml'),
      PIPELINE()
        .replace('flights.csv', 'flights.json')
        .replace(/ {4}read: .*\n/, '')
        .replace(/ {8}(flight_id|date): .*\n/g, '')
        .replace('keys: [flight_id]', 'keys: []'),
    );
    await writeFile(join(dir, 'flights.json'), json({ 5: '68.0' }));
    expect((await run()).run.status).toBe('succeeded');
    expect((await targetTypes()).delay).toBe('BIGINT');
    await writeFile(join(dir, 'flights.json'), json({ 5: '68.0', 7: '97.5' }));
    const out = await run();
    expect(out.run.errorMessage).toMatch(
      /flights\.delay \(type\): 1 of 40 values are not valid int64 \(row 8: "97\.5"\)/,
    );
    expect((await targetTypes()).delay).toBe('BIGINT');
  }, 30_000);

  it('a null in a required column fails with the row named', async () => {
    await goodFirstRun();
    const lines = [...LINES];
    lines[0] = lines[0]!.replace(/,(-?\d+),(\d+),/, ',,$2,');
    await writeFile(file(), `${HEADER}\n${lines.join('\n')}\n`);
    const out = await run();
    expect(out.run.errorMessage).toMatch(
      /flights\.delay \(not_null\): 1 of 40 rows hold a null in a required column \(line 2\)/,
    );
    expect(out.incident?.decision.diagnosis.classification.family).toBe('data_quality');
  }, 30_000);
});

describe('inputs read truly', () => {
  it('one ragged line is a malformed_rows finding with its line, not a schema change', async () => {
    await goodFirstRun();
    const lines = [...LINES];
    lines[11] = `${lines[11]},EXTRA`;
    lines[20] = '21,2001/01/02 07:00';
    await writeFile(file(), `${HEADER}\n${lines.join('\n')}\n`);
    const out = await run();
    expect(out.run.errorMessage).toMatch(
      /Malformed input: 2 of 40 lines of .*flights\.csv cannot be read as rows \(line 13: TOO MANY COLUMNS/,
    );
    expect(out.incident?.decision.diagnosis.classification.family).toBe('data_quality');
    const kinds = findingKinds(out);
    expect(kinds).toContain('malformed_rows');
    expect(kinds).not.toContain('field_removed');
    expect(kinds).not.toContain('field_added');
    const malformed = out.incident?.decision.diagnosis.findings.find((f) => f.kind === 'malformed_rows');
    expect(malformed?.lines?.map((l) => l.line)).toEqual([13, 22]);
    expect(malformed?.current).toBe(2);
  }, 30_000);

  it('a malformed line is quarantined verbatim with its line number and reason; every row accounted', async () => {
    await goodFirstRun();
    const lines = [...LINES];
    lines[16] = `${lines[16]},EXTRA`;
    await writeFile(file(), `${HEADER}\n${lines.join('\n')}\n`);
    const out = await run();
    expect(out.run.status).toBe('failed');
    const incident = out.incident as unknown as {
      status: string;
      action: string;
      validation?: { checks: { name: string; passed: boolean; detail?: string }[] };
    };
    expect([incident.action, incident.status]).toEqual(['quarantine', 'resolved']);
    const q = await rows(
      `SELECT _healer_line AS line, _healer_raw_line AS raw, _healer_reason AS reason, flight_id FROM read_parquet(${quoteLiteral(join(dir, '.healer', 'quarantine', 'flights', '*.parquet'))})`,
    );
    expect(q).toEqual([
      { line: '18', raw: lines[16], reason: 'malformed line 18: too many columns', flight_id: null },
    ]);
    const n = await rows(
      `SELECT count(*) AS n FROM read_parquet(${quoteLiteral(join(dir, 'out', 'flights.parquet'))})`,
    );
    expect(Number(n[0]?.n)).toBe(39);
    const accounting = incident.validation?.checks.find((c) => c.name === 'row_accounting');
    expect(accounting).toMatchObject({ passed: true, detail: 'in 40, delivered 39 + quarantined 1 = 40' });
  }, 30_000);

  it('a glob of files with different headers: read by name, malformed lines named with their file', async () => {
    await mkdir(join(dir, 'daily'), { recursive: true });
    await writeFile(join(dir, 'pipeline.yaml'), PIPELINE().replace('path: flights.csv', 'path: daily/*.csv'));
    await writeFile(join(dir, 'daily', '1.csv'), `${HEADER}\n${LINES.slice(0, 20).join('\n')}\n`);
    // The second day's columns come in another order, with one more column.
    const reordered = (l: string) => {
      const [id, date, delay, distance, origin, destination] = l.split(',');
      return [origin, destination, id, date, delay, distance, 'x'].join(',');
    };
    const day2 = LINES.slice(20).map(reordered);
    await writeFile(
      join(dir, 'daily', '2.csv'),
      `origin,destination,flight_id,date,delay,distance,gate\n${day2.join('\n')}\n`,
    );
    expect((await run()).run.status).toBe('succeeded');
    const n = await rows(
      `SELECT count(*) AS n, sum(delay) AS d FROM read_parquet(${quoteLiteral(join(dir, 'out', 'flights.parquet'))})`,
    );
    expect([Number(n[0]?.n), Number(n[0]?.d)]).toEqual([40, FLIGHTS.reduce((a, f) => a + f.delay, 0)]);
    day2[3] = `${day2[3]},EXTRA`;
    await writeFile(
      join(dir, 'daily', '2.csv'),
      `origin,destination,flight_id,date,delay,distance,gate\n${day2.join('\n')}\n`,
    );
    const out = await run();
    expect(out.run.errorMessage).toMatch(
      /Malformed input: 1 of 40 lines of .*daily\/\*\.csv cannot be read as rows \(.*2\.csv line 5: TOO MANY COLUMNS/,
    );
  }, 30_000);

  it('one Latin-1 byte in a UTF-8 file is malformed; declared latin-1 reads it', async () => {
    await goodFirstRun();
    const bytes = Buffer.from(`${HEADER}\n${LINES.join('\n')}\n`, 'utf8');
    const at = bytes.indexOf(Buffer.from(',LAX,')) + 2; // inside the first LAX origin
    bytes[at] = 0xc5; // Å in Latin-1, an invalid byte in UTF-8
    await writeFile(file(), bytes);
    const out = await run();
    expect(out.run.errorMessage).toMatch(/line 2: INVALID ENCODING/);
    expect(findingKinds(out)).toContain('malformed_rows');
    await writeFile(join(dir, 'pipeline.yaml'), PIPELINE(', encoding: latin-1'));
    expect((await run()).run.status).toBe('succeeded');
  }, 30_000);

  it('mixed line endings are read, every row', async () => {
    await goodFirstRun();
    await writeFile(
      file(),
      `${HEADER}\r\n${LINES.map((l, i) => `${l}${i % 3 === 0 ? '\r\n' : '\n'}`).join('')}`,
    );
    const out = await run();
    expect(out.run.status).toBe('succeeded');
    const n = await rows(
      `SELECT count(*) AS n FROM read_parquet(${quoteLiteral(join(dir, 'out', 'flights.parquet'))})`,
    );
    expect(Number(n[0]?.n)).toBe(40);
  }, 30_000);

  it('empty and header-only inputs are empty_input, family dependency, escalated', async () => {
    await goodFirstRun();
    for (const [content, kind] of [
      ['', 'empty'],
      [`${HEADER}\n`, 'header_only'],
    ] as const) {
      await writeFile(file(), content);
      const out = await run();
      expect(out.run.errorMessage).toMatch(
        /^Empty input: .*flights\.csv (is empty|holds a header and no rows)/,
      );
      const d = out.incident?.decision.diagnosis;
      expect(d?.classification.family).toBe('dependency');
      expect(d?.findings.find((f) => f.kind === 'empty_input')?.current).toBe(kind);
      expect((await targetTypes()).delay).toBe('BIGINT');
    }
  }, 30_000);

  it('declared options: semicolons, quoted fields, null strings, European dates', async () => {
    await writeFile(
      join(dir, 'pipeline.yaml'),
      `name: shipments_daily
sources:
  shipments:
    path: shipments.csv
    read: { delimiter: ";", nullStrings: ["n/a", ""], dateFormat: "%d/%m/%Y" }
    contract:
      columns:
        id: { type: int64, nullable: false }
        shipped: { type: date }
        weight_kg: { type: double }
        note: { type: string }
transform: SELECT * FROM shipments
target:
  path: out/shipments.parquet
`,
    );
    await writeFile(
      join(dir, 'shipments.csv'),
      'id;shipped;weight_kg;note\n1;31/01/2026;2.5;"a; b"\n2;01/02/2026;n/a;c\n',
    );
    const out = await run();
    expect(out.run.status).toBe('succeeded');
    const got = await rows(
      `SELECT id, CAST(shipped AS VARCHAR) AS shipped, weight_kg, note FROM read_parquet(${quoteLiteral(join(dir, 'out', 'shipments.parquet'))}) ORDER BY id`,
    );
    expect(got).toEqual([
      { id: '1', shipped: '2026-01-31', weight_kg: 2.5, note: 'a; b' },
      { id: '2', shipped: '2026-02-01', weight_kg: null, note: 'c' },
    ]);
  }, 30_000);

  it('reading options are validated with the line and key', () => {
    const bad = PIPELINE(', delimiter: ",,", header: true');
    expect(() => parsePipeline(bad, '/x/pipeline.yaml')).toThrow(
      /pipeline\.yaml:5: sources\.flights\.read\.delimiter/,
    );
    const unknown = PIPELINE(', sep: ";"');
    expect(() => parsePipeline(unknown, '/x/pipeline.yaml')).toThrow(
      /unknown key \(allowed: delimiter, quote, escape, header, encoding/,
    );
  });
});

describe("the target's published schema never changes silently", () => {
  it('a changed output type fails the run as a finding; `healer catalog adopt` publishes it, audited', async () => {
    await goodFirstRun();
    const yaml = PIPELINE().replace(
      'transform: SELECT * FROM flights',
      'transform: SELECT flight_id, date, CAST(delay AS DOUBLE) / 60 AS delay, distance, origin, destination FROM flights',
    );
    await writeFile(join(dir, 'pipeline.yaml'), yaml);
    const out = await run();
    expect(out.run.status).toBe('failed');
    expect(out.run.errorMessage).toMatch(
      /^Contract violation: flights_daily\.delay: type_changed int64 → double \(target_schema\): the transform's output differs from catalog version 1/,
    );
    const d = out.incident?.decision.diagnosis;
    expect(d?.classification.family).toBe('config');
    expect(d?.findings.find((f) => f.kind === 'type_changed')?.column).toBe('delay');
    expect((await targetTypes()).delay).toBe('BIGINT'); // nothing published
    const adopt = memoryIo('', dir);
    expect(
      await main(
        [
          'catalog',
          'adopt',
          '--pipeline',
          join(dir, 'pipeline.yaml'),
          '--target',
          '--approver',
          'ana',
          '--json',
        ],
        adopt,
      ),
    ).toBe(0);
    expect(JSON.parse(adopt.stdout)).toMatchObject({
      from: '1',
      to: '2',
      changes: ['delay: type_changed int64 → double'],
    });
    expect((await run()).run.status).toBe('succeeded');
    expect((await targetTypes()).delay).toBe('DOUBLE');
    const audit = await readFile(join(dir, '.healer', 'audit.jsonl'), 'utf8');
    expect(audit).toMatch(/"action":"catalog_adopt".*"by":"ana"/);
    const nothing = memoryIo('', dir);
    expect(
      await main(
        ['catalog', 'adopt', '--pipeline', join(dir, 'pipeline.yaml'), '--target', '--approver', 'ana'],
        nothing,
      ),
    ).toBe(2);
    expect(nothing.stderr).toMatch(/E_NOT_FOUND: no proposed schema for flights_daily/);
  }, 30_000);
});

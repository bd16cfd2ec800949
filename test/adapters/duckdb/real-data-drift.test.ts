// Drift on real public data (npm vega-datasets): two random halves of the same dataset must give no
// finding at all; a renamed, dropped, retyped, nulled or nested column must give exactly its findings;
// the drift corpus (controls and injected drifts) scores zero false alarms and a recall floor.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckdbDataEngine } from '../../../src/adapters/duckdb/index.js';
import { compareDatasets, driftReport } from '../../../src/cli/commands/drift.js';
import type { Finding } from '../../../src/core/finding.js';
import { QUANTILE_PROBS } from '../../../src/core/profile.js';
import { profileRows } from '../../../src/sim/profiler.js';
import type { Row } from '../../../src/sim/tables.js';
import { buildCases, type CaseResult, CORPUS_DATASETS, runCase, score } from '../../bench/drift-corpus.js';
import { splitDataset, VEGA } from './split-dataset.js';

let dir: string;
const engine = new DuckdbDataEngine();
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'healer-vega-'));
});
afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function drift(file: string, seed: number, mutate?: string): Promise<Finding[]> {
  const halves = await splitDataset(file, dir, seed, mutate, `t${n++}`);
  return compareDatasets(engine, halves.a, halves.b);
}
const brief = (fs: Finding[]) => fs.map((f) => [f.kind, f.column, f.severity, f.compatible]);

describe('two random halves of a real dataset: no finding', () => {
  const datasets = [
    'cars.json',
    'penguins.json',
    'seattle-weather.csv',
    'movies.json',
    'flights-2k.json',
    'airports.csv',
    'birdstrikes.csv',
    'gapminder.json',
    'stocks.csv',
    'disasters.csv',
  ];
  for (const file of datasets)
    it(`${file}, seeds 1-3`, async () => {
      for (const seed of [1, 2, 3]) expect(await drift(file, seed), `${file} seed ${seed}`).toEqual([]);
    });
});

describe('one change to the second half: exactly its findings', () => {
  it('rename by case and separator (cars, penguins)', async () => {
    const cars = await drift(
      'cars.json',
      11,
      '* EXCLUDE (__rn) RENAME (Miles_per_Gallon AS "miles-per-gallon", Weight_in_lbs AS WeightInLbs)',
    );
    expect(
      cars.map((f) => (f.kind === 'field_renamed' ? [f.kind, f.from, f.to, f.compatible] : f.kind)),
    ).toEqual([
      ['field_renamed', 'Weight_in_lbs', 'WeightInLbs', false],
      ['field_renamed', 'Miles_per_Gallon', 'miles-per-gallon', false],
    ]);
    const penguins = await drift(
      'penguins.json',
      12,
      '* EXCLUDE (__rn) RENAME ("Beak Length (mm)" AS "beak_length_(mm)")',
    );
    expect(penguins).toMatchObject([
      { kind: 'field_renamed', from: 'Beak Length (mm)', to: 'beak_length_(mm)' },
    ]);
  });

  it('a new name that is not a case/separator change is a removal and an addition', async () => {
    const out = await drift('cars.json', 13, '* EXCLUDE (__rn) RENAME (Horsepower AS power)');
    expect(brief(out)).toEqual([
      ['field_removed', 'Horsepower', 'error', false],
      ['field_added', 'power', 'info', true],
    ]);
  });

  it('drop a column (seattle-weather)', async () => {
    expect(brief(await drift('seattle-weather.csv', 14, '* EXCLUDE (__rn, wind)'))).toEqual([
      ['field_removed', 'wind', 'error', false],
    ]);
  });

  it('retype a number to text (cars, JSON)', async () => {
    const out = await drift(
      'cars.json',
      15,
      '* EXCLUDE (__rn) REPLACE (CAST(Horsepower AS VARCHAR) AS Horsepower)',
    );
    expect(out).toMatchObject([
      {
        kind: 'type_changed',
        column: 'Horsepower',
        baseline: 'int64',
        current: 'string',
        severity: 'error',
        compatible: false,
      },
    ]);
  });

  it('unparseable text in 10% of a number column (airports, CSV): retype and validity drop', async () => {
    const out = await drift(
      'airports.csv',
      16,
      "* EXCLUDE (__rn) REPLACE (CASE WHEN __rn % 10 = 0 THEN latitude || ' deg' ELSE CAST(latitude AS VARCHAR) END AS latitude)",
    );
    expect(brief(out)).toEqual([
      ['type_changed', 'latitude', 'error', false],
      ['validity_drop', 'latitude', 'warning', true],
    ]);
  });

  it('BIGINT in one CSV and DOUBLE in the other: compatible, info', async () => {
    const out = await drift(
      'seattle-weather.csv',
      17,
      '* EXCLUDE (__rn) REPLACE (CAST(round(precipitation) AS BIGINT) AS precipitation)',
    );
    expect(brief(out)).toEqual([['type_changed', 'precipitation', 'info', true]]);
  });

  it('null out a column heavily (cars: 80%; movies: a third more)', async () => {
    const cars = await drift(
      'cars.json',
      18,
      '* EXCLUDE (__rn) REPLACE (CASE WHEN __rn % 5 <> 0 THEN NULL ELSE Acceleration END AS Acceleration)',
    );
    expect(brief(cars)).toEqual([['null_rate_spike', 'Acceleration', 'error', false]]);
    const movies = await drift(
      'movies.json',
      19,
      '* EXCLUDE (__rn) REPLACE (CASE WHEN __rn % 3 = 0 THEN NULL ELSE "IMDB Rating" END AS "IMDB Rating")',
    );
    expect(brief(movies)).toEqual([['null_rate_spike', 'IMDB Rating', 'warning', true]]);
  });

  it('nest two columns into a struct (cars)', async () => {
    const out = await drift(
      'cars.json',
      20,
      "* EXCLUDE (__rn, Horsepower, Weight_in_lbs), {'Horsepower': Horsepower, 'Weight_in_lbs': Weight_in_lbs} AS specs",
    );
    expect(out.map((f) => [f.kind, f.column, f.kind === 'nested_changed' ? f.baseline : ''])).toEqual([
      ['nested_changed', 'specs.Horsepower', 'Horsepower'],
      ['nested_changed', 'specs.Weight_in_lbs', 'Weight_in_lbs'],
    ]);
  });

  it('add a required column (flights)', async () => {
    expect(brief(await drift('flights-2k.json', 21, '* EXCLUDE (__rn), 1 AS extra'))).toEqual([
      ['field_added', 'extra', 'warning', false],
    ]);
  });
});

describe('regressions: no false alarm on good data, no blind spot', () => {
  it('one decimal (97.5) in an integer column of one half: a widening (info), no validity drop', async () => {
    // DuckDB infers BIGINT for one half and DOUBLE for the other; 68.0 is a valid int64.
    for (const [file, column] of [
      ['cars.json', 'Horsepower'],
      ['flights-2k.json', 'delay'],
    ] as const) {
      const out = await drift(
        file,
        31,
        `* EXCLUDE (__rn) REPLACE (CASE WHEN __rn = (SELECT min(__rn) FROM t WHERE __rn NOT IN (SELECT i FROM pick)) THEN 97.5 ELSE "${column}" END AS "${column}")`,
      );
      expect(brief(out), file).toEqual([['type_changed', column, 'info', true]]);
    }
  });

  it('fractions in every row of an integer column: info without a contract, a validity drop against a declared int64', async () => {
    const halves = await splitDataset(
      'cars.json',
      dir,
      34,
      '* EXCLUDE (__rn) REPLACE (Horsepower + 0.5 AS Horsepower)',
      `t${n++}`,
    );
    const inferred = await compareDatasets(engine, halves.a, halves.b);
    expect(inferred.filter((f) => f.severity !== 'info')).toEqual([]);
    const declared = await engine.inferSchema(halves.a, 'cars');
    const out = await compareDatasets(engine, halves.a, halves.b, { baselineSchema: declared });
    expect(out.find((f) => f.kind === 'validity_drop')).toMatchObject({
      column: 'Horsepower',
      severity: 'error',
    });
  });

  it('a text column that was mostly numbers and became "61.9 units" is a validity drop', async () => {
    const halves = await splitDataset(
      'seattle-weather.csv',
      dir,
      32,
      "* EXCLUDE (__rn) REPLACE (CAST(temp_max AS VARCHAR) || ' units' AS temp_max)",
      `t${n++}`,
    );
    // One malformed row makes the baseline's temp_max text (mostly numbers).
    const lines = (await readFile(halves.a, 'utf8')).split('\n');
    const at = lines[0]!.split(',').indexOf('temp_max');
    const cells = lines[3]!.split(',');
    cells[at] = 'n/a?';
    lines[3] = cells.join(',');
    await writeFile(halves.a, lines.join('\n'));
    const out = await compareDatasets(engine, halves.a, halves.b);
    expect(brief(out)).toEqual([['validity_drop', 'temp_max', 'error', false]]);
    expect(out[0]).toMatchObject({ current: 0 });
    // --rows: the failing rows with their reasons.
    const report = await driftReport(engine, halves.a, halves.b, { rows: 2, keys: ['date'] });
    expect(report.failingRows).toHaveLength(2);
    expect(report.failingRows![0]).toMatchObject({
      row: 1,
      key: { date: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) },
      reasons: [expect.stringMatching(/^temp_max: -?[\d.]+ units does not parse as double$/)],
    });
  });

  it('a unit change (delay ×60, flights) is a range_shift error; --rows shows values out of range', async () => {
    const halves = await splitDataset(
      'flights-2k.json',
      dir,
      33,
      '* EXCLUDE (__rn) REPLACE (delay * 60 AS delay)',
      `t${n++}`,
    );
    const report = await driftReport(engine, halves.a, halves.b, { rows: 3 });
    expect(brief(report.findings)).toEqual([['range_shift', 'delay', 'error', true]]);
    expect(report.failingRows!.length).toBe(3);
    for (const r of report.failingRows!)
      expect(r.reasons[0]).toMatch(/^delay: -?\d+ outside the baseline range \[/);
  });
});

describe('the drift corpus (controls and injected drifts on real data)', () => {
  // The first datasets of the corpus here; `npm run bench:drift` runs all of them.
  const datasets = CORPUS_DATASETS.slice(0, 6);
  it(`${datasets.join(', ')}: zero false alarms on controls, recall ≥ 0.9, precision 1`, async () => {
    const results: CaseResult[] = [];
    for (const file of datasets)
      for (const c of await buildCases(file, dir)) results.push(await runCase(engine, c));
    const s = score(results);
    const alarms = results
      .filter((r) => r.case.control && r.alarms.length > 0)
      .map((r) => `${r.case.dataset} ${r.case.name}: ${r.alarms.map((f) => f.message).join('; ')}`);
    expect(alarms).toEqual([]);
    expect(s.controls).toBe(datasets.length * 4);
    expect(s.controlsWithAnyFinding).toBe(0);
    expect(s.drifts).toBeGreaterThanOrEqual(datasets.length * 4);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    expect(s.precision).toBe(1);
  });
});

describe("the simulator's profiler measures what the DuckDB engine measures", () => {
  it('quantiles and top values on real data (cars, seattle-weather)', async () => {
    for (const file of ['cars.json', 'seattle-weather.csv']) {
      const path = join(VEGA, file);
      const schema = await engine.inferSchema(path, file);
      const duck = await engine.profile(path);
      const rows = file.endsWith('.json')
        ? (JSON.parse(await readFile(path, 'utf8')) as Row[])
        : await csvRows(path);
      const sim = profileRows(rows, schema, { source: file });
      for (const d of duck.columns) {
        const s = sim.columns.find((c) => c.path === d.path)!;
        expect(s.topValues, `${file} ${d.path}`).toEqual(d.topValues);
        expect(Boolean(s.quantiles), `${file} ${d.path}`).toBe(Boolean(d.quantiles));
        if (!d.quantiles) continue;
        // Quantiles agree in rank (t-digest interpolates between tied values, so not in value):
        // at each measured value v for probability p, the data's F(v) ≥ p and F(v−) ≤ p, within 2%.
        const values = rows.map((r) => r[d.path]).filter((v): v is number => typeof v === 'number');
        for (const [name, qs] of [
          ['duckdb', d.quantiles],
          ['sim', s.quantiles!],
        ] as const)
          QUANTILE_PROBS.forEach((p, i) => {
            const v = qs[i]!;
            const below = values.filter((x) => x < v).length / values.length;
            const upTo = values.filter((x) => x <= v).length / values.length;
            expect(upTo, `${name} ${file} ${d.path} p${p}`).toBeGreaterThanOrEqual(p - 0.02);
            expect(below, `${name} ${file} ${d.path} p${p}`).toBeLessThanOrEqual(p + 0.02);
          });
      }
    }
  });
});

/** CSV rows typed as DuckDB reads them (the simulator reads with the declared types). */
async function csvRows(path: string): Promise<Row[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const reader = await conn.runAndReadAll(`SELECT * FROM read_csv('${path}', sample_size = -1)`);
    return (reader.getRowObjectsJson() as Row[]).map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [
          k,
          typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v,
        ]),
      ),
    );
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

// Drift on real public data (npm vega-datasets): two random halves of the same dataset must give no
// finding at all; a renamed, dropped, retyped, nulled or nested column must give exactly its findings.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckdbDataEngine } from '../../../src/adapters/duckdb/index.js';
import { compareDatasets } from '../../../src/cli/commands/drift.js';
import type { Finding } from '../../../src/core/finding.js';
import { splitDataset } from './split-dataset.js';

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

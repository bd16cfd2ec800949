// The real-data drift corpus: from public datasets (npm vega-datasets) it writes pairs of files,
// controls that must raise nothing (random halves, bootstrap resamples, reshuffles) and injected
// drifts that must be seen (unit change ×60, shifted mean, a new dominating category, numbers
// turned into "x units", a null spike), then scores `healer drift` on them: precision and recall.

import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral } from '../../src/adapters/duckdb/sql.js';
import { compareDatasets } from '../../src/cli/commands/drift.js';
import type { Finding } from '../../src/core/finding.js';
import type { DataEngine } from '../../src/ports.js';

export const VEGA = join(import.meta.dirname, '../../node_modules/vega-datasets/data');

/** Every dataset of the corpus; the test runs the first few, the benchmark all of them. */
export const CORPUS_DATASETS = [
  'cars.json',
  'penguins.json',
  'seattle-weather.csv',
  'gapminder.json',
  'stocks.csv',
  'flights-2k.json',
  'disasters.csv',
  'weather.csv',
  'la-riots.csv',
  'us-employment.csv',
  'income.json',
  'population.json',
  'airports.csv',
  'flights-5k.json',
  'movies.json',
  'birdstrikes.csv',
] as const;

/** Files with fewer rows are not split (a single JSON object is not a table). */
export const MIN_ROWS = 10;

/** Every CSV and JSON file of vega-datasets: the corpus's datasets first, then the held-out rest. */
export async function allDatasets(): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const files = (await readdir(VEGA)).filter((f) => /\.(csv|json)$/.test(f)).sort();
  const corpus = new Set<string>(CORPUS_DATASETS);
  return [...CORPUS_DATASETS, ...files.filter((f) => !corpus.has(f))];
}

export type ControlKind = 'halves' | 'bootstrap' | 'reshuffle';
export type DriftKind = 'unit_x60' | 'mean_shift' | 'new_category' | 'units_text' | 'null_spike';
export const CONTROL_KINDS: readonly ControlKind[] = ['halves', 'bootstrap', 'reshuffle'];
export const DRIFT_KINDS: readonly DriftKind[] = [
  'unit_x60',
  'mean_shift',
  'new_category',
  'units_text',
  'null_spike',
];

export interface CorpusCase {
  dataset: string;
  name: string;
  kind: ControlKind | DriftKind;
  control: boolean;
  /** The injected column (drifts only). */
  column?: string;
  baseline: string;
  current: string;
}

/** mulberry32: a small seeded PRNG, so every case is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(count: number, seed: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  const next = rng(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

interface ColumnInfo {
  name: string;
  type: string;
  distinct: number;
  nulls: number;
  stddev: number;
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;

async function rows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

async function columns(conn: DuckDBConnection): Promise<ColumnInfo[]> {
  const described = await rows(conn, 'DESCRIBE SELECT * EXCLUDE (__rn) FROM t');
  const out: ColumnInfo[] = [];
  for (const d of described) {
    const name = String(d.column_name);
    const type = String(d.column_type);
    const q = quoteIdent(name);
    const numeric = NUMERIC.test(type);
    const [s] = await rows(
      conn,
      `SELECT count(DISTINCT ${q}) AS d, count(*) - count(${q}) AS n, ${numeric ? `stddev_samp(${q})` : '0'} AS s FROM t`,
    );
    out.push({ name, type, distinct: Number(s?.d), nulls: Number(s?.n), stddev: Number(s?.s ?? 0) });
  }
  return out;
}

/**
 * The columns the drifts are injected into, chosen by rule (never by name): the first numeric
 * column with at least 10 distinct values and under 5% nulls; the first text column with 2 to 50
 * distinct values; the first column of any type with under 5% nulls.
 */
function targets(cols: ColumnInfo[], count: number) {
  const fewNulls = (c: ColumnInfo) => c.nulls < 0.05 * count;
  return {
    numeric: cols.find((c) => NUMERIC.test(c.type) && c.distinct >= 10 && fewNulls(c) && c.stddev > 0),
    text: cols.find((c) => c.type === 'VARCHAR' && c.distinct >= 2 && c.distinct <= 50 && fewNulls(c)),
    any: cols.find(fewNulls),
  };
}

/** The SELECT list that injects a drift into `c` (rows carry `__rn`); undefined when no column fits. */
function mutation(
  kind: DriftKind,
  t: ReturnType<typeof targets>,
): { column: string; select: string } | undefined {
  const replace = (c: ColumnInfo, e: string) => ({
    column: c.name,
    select: `* EXCLUDE (__rn) REPLACE (${e} AS ${quoteIdent(c.name)})`,
  });
  const q = (c: ColumnInfo) => quoteIdent(c.name);
  switch (kind) {
    case 'unit_x60':
      return t.numeric && replace(t.numeric, `${q(t.numeric)} * 60`);
    case 'mean_shift':
      return t.numeric && replace(t.numeric, `${q(t.numeric)} + ${t.numeric.stddev}`);
    case 'new_category':
      return (
        t.text && replace(t.text, `CASE WHEN hash(__rn) % 2 = 0 THEN 'zz_new_category' ELSE ${q(t.text)} END`)
      );
    case 'units_text':
      return t.numeric && replace(t.numeric, `CAST(${q(t.numeric)} AS VARCHAR) || ' units'`);
    case 'null_spike':
      return t.any && replace(t.any, `CASE WHEN hash(__rn) % 10 < 3 THEN NULL ELSE ${q(t.any)} END`);
    default:
      return kind satisfies never;
  }
}

/** Writes every case of one dataset under `dir` and returns them. */
export async function buildCases(file: string, dir: string): Promise<CorpusCase[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  try {
    const path = join(VEGA, file);
    const csv = file.endsWith('.csv');
    const read = csv
      ? `read_csv(${quoteLiteral(path)}, sample_size = -1)`
      : `read_json(${quoteLiteral(path)}, sample_size = -1)`;
    await conn.run(`CREATE TEMP TABLE t AS SELECT *, row_number() OVER () - 1 AS __rn FROM ${read}`);
    const [c] = await rows(conn, 'SELECT count(*) AS n FROM t');
    const count = Number(c?.n);
    // A single JSON object (a topology, a graph) is not a table: nothing to split.
    if (count < MIN_ROWS) return [];
    const ext = csv ? 'csv' : 'json';
    const options = csv ? '(FORMAT csv, HEADER true)' : '(FORMAT json, ARRAY true)';
    const stem = join(dir, file.replace(/\W/g, '_'));
    const write = async (name: string, picks: number[], select = '* EXCLUDE (__rn)'): Promise<string> => {
      const out = `${stem}-${name}.${ext}`;
      await conn.run('DROP TABLE IF EXISTS pick');
      // `ord` keeps the pick order (a reshuffle is a new order; a bootstrap repeats rows).
      await conn.run(
        `CREATE TEMP TABLE pick AS SELECT * FROM unnest([${picks.join(',')}]::BIGINT[]) WITH ORDINALITY AS p(i, ord)`,
      );
      await conn.run('DROP TABLE IF EXISTS cur');
      await conn.run(
        'CREATE TEMP TABLE cur AS SELECT t.* FROM pick JOIN t ON t.__rn = pick.i ORDER BY pick.ord',
      );
      await conn.run(`COPY (SELECT ${select} FROM cur) TO ${quoteLiteral(out)} ${options}`);
      return out;
    };
    const all = Array.from({ length: count }, (_, i) => i);
    const cases: CorpusCase[] = [];
    const full = await write('full', all);
    for (const seed of [1, 2]) {
      const order = shuffled(count, seed);
      const half = Math.floor(count / 2);
      cases.push({
        dataset: file,
        name: `halves-${seed}`,
        kind: 'halves',
        control: true,
        baseline: await write(
          `h${seed}a`,
          order.slice(0, half).sort((x, y) => x - y),
        ),
        current: await write(
          `h${seed}b`,
          order.slice(half).sort((x, y) => x - y),
        ),
      });
    }
    const next = rng(7);
    const resample = all.map(() => Math.floor(next() * count));
    cases.push({
      dataset: file,
      name: 'bootstrap',
      kind: 'bootstrap',
      control: true,
      baseline: full,
      current: await write('boot', resample),
    });
    cases.push({
      dataset: file,
      name: 'reshuffle',
      kind: 'reshuffle',
      control: true,
      baseline: full,
      current: await write('shuf', shuffled(count, 3)),
    });
    const t = targets(await columns(conn), count);
    const order = shuffled(count, 5);
    const half = Math.floor(count / 2);
    const a = await write(
      'da',
      order.slice(0, half).sort((x, y) => x - y),
    );
    const rest = order.slice(half).sort((x, y) => x - y);
    for (const kind of DRIFT_KINDS) {
      const m = mutation(kind, t);
      if (!m) continue;
      cases.push({
        dataset: file,
        name: kind,
        kind,
        control: false,
        column: m.column,
        baseline: a,
        current: await write(`d-${kind}`, rest, m.select),
      });
    }
    return cases;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

export interface CaseResult {
  case: CorpusCase;
  findings: Finding[];
  /** Findings of severity warning or error: the ones that would gate CI or start work. */
  alarms: Finding[];
  /** Drifts: an alarm on the injected column. */
  detected: boolean;
}

export interface Score {
  controls: number;
  /** Controls with at least one alarm (must be 0). */
  falseAlarmControls: number;
  /** Controls with any finding at all, info included. */
  controlsWithAnyFinding: number;
  drifts: number;
  detected: number;
  /** Alarms on the injected column over all alarms, controls included. */
  precision: number;
  /** Drifts detected over drifts. */
  recall: number;
  /** Per case kind: cases, detected (controls: alarmed), and detected at severity error. */
  byKind: Record<string, { cases: number; detected: number; errors: number }>;
}

export async function runCase(engine: DataEngine, c: CorpusCase): Promise<CaseResult> {
  const findings = await compareDatasets(engine, c.baseline, c.current);
  const alarms = findings.filter((f) => f.severity !== 'info');
  const detected = !c.control && alarms.some((f) => f.column === c.column);
  return { case: c, findings, alarms, detected };
}

export function score(results: readonly CaseResult[]): Score {
  const controls = results.filter((r) => r.case.control);
  const drifts = results.filter((r) => !r.case.control);
  let alarms = 0;
  let onTarget = 0;
  const byKind: Score['byKind'] = {};
  for (const r of results) {
    alarms += r.alarms.length;
    if (!r.case.control) onTarget += r.alarms.filter((f) => f.column === r.case.column).length;
    const k = byKind[r.case.kind] ?? { cases: 0, detected: 0, errors: 0 };
    byKind[r.case.kind] = k;
    k.cases += 1;
    if (r.case.control ? r.alarms.length > 0 : r.detected) k.detected += 1;
    const target = (f: Finding) => r.case.control || f.column === r.case.column;
    if (r.alarms.some((f) => f.severity === 'error' && target(f))) k.errors += 1;
  }
  const detected = drifts.filter((r) => r.detected).length;
  return {
    controls: controls.length,
    falseAlarmControls: controls.filter((r) => r.alarms.length > 0).length,
    controlsWithAnyFinding: controls.filter((r) => r.findings.length > 0).length,
    drifts: drifts.length,
    detected,
    precision: alarms === 0 ? 1 : onTarget / alarms,
    recall: drifts.length === 0 ? 1 : detected / drifts.length,
    byKind,
  };
}

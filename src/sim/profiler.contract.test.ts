// Contract: the simulator's profiler (src/sim/profiler.ts) and the DuckDB engine
// (src/adapters/duckdb/duckdb-data-engine.ts) give the same profile of the same rows. The rows are
// a seed's simulated batches, written to real files (Parquet typed as the batch's schema; CSV for the
// text batches), profiled both ways and compared field by field. Tolerances (docs/benchmark.md):
// - exact: row count, per column type, null count and rate, min/max, validity and the type it is
//   measured against, frequent values, duplicate keys;
// - distinct: the engine's approx_count_distinct (HyperLogLog) against the sim's exact count,
//   within DISTINCT_TOLERANCE relative (measured up to 38% on 400-600-row batches);
// - quantiles: the engine's approx_quantile (t-digest) against the sim's exact lower quantile,
//   within QUANTILE_TOLERANCE of the column's span (measured up to 1.6%);
// - documented differences of text (CSV) batches: a column holding values that do not parse as its
//   declared type is that type to the sim (read with the declared schema, as Glue reads with its
//   catalog) and text to DuckDB, so only its nulls and validity (measured against the same type both
//   ways) are compared, exactly; and a CSV has no struct, so struct columns are left out.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckdbDataEngine } from '../adapters/duckdb/duckdb-data-engine.js';
import { quoteIdent, quoteLiteral } from '../adapters/duckdb/sql.js';
import type { DatasetProfile } from '../core/profile.js';
import type { TableSchema } from '../core/schema.js';
import { EVAL_OFFSET } from './bench.js';
import { incidentProfiles } from './evidence.js';
import { generateIncidents, type SimIncident } from './scenarios.js';
import type { Row } from './tables.js';

const DISTINCT_TOLERANCE = 0.4;
const QUANTILE_TOLERANCE = 0.025;

/** The DuckDB type of a top-level field; a struct spelled out from its members. */
function duckType(schema: TableSchema, path: string): string {
  const f = schema.fields.find((x) => x.path === path)!;
  if (f.type !== 'struct') return f.rawType;
  const members = schema.fields.filter(
    (x) => x.path.startsWith(`${path}.`) && !x.path.slice(path.length + 1).includes('.'),
  );
  return `STRUCT(${members.map((m) => `${quoteIdent(m.path.slice(path.length + 1))} ${duckType(schema, m.path)}`).join(', ')})`;
}

let dir: string;
let db: DuckDBInstance;

/** Writes the rows as the batch's format: Parquet typed as `schema`, or CSV of text. */
async function writeBatch(name: string, rows: readonly Row[], schema: TableSchema, csv: boolean) {
  const ndjson = join(dir, `${name}.ndjson`);
  await writeFile(ndjson, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  const top = schema.fields.filter((f) => !f.path.includes('.'));
  const columns = top
    .map((f) => `${quoteLiteral(f.path)}: ${quoteLiteral(csv ? 'VARCHAR' : duckType(schema, f.path))}`)
    .join(', ');
  const file = join(dir, `${name}.${csv ? 'csv' : 'parquet'}`);
  const conn = await db.connect();
  try {
    await conn.run(
      `COPY (SELECT * FROM read_json(${quoteLiteral(ndjson)}, format = 'newline_delimited', columns = {${columns}})) TO ${quoteLiteral(file)} (FORMAT ${csv ? 'csv' : 'parquet'})`,
    );
  } finally {
    conn.closeSync();
  }
  return file;
}

/** Every disagreement beyond the tolerances, one line each (empty when the profiles agree). */
function disagreements(sim: DatasetProfile, real: DatasetProfile, csv: boolean): string[] {
  const out: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b))
      out.push(`${what}: sim ${JSON.stringify(a)}, duckdb ${JSON.stringify(b)}`);
  };
  same('rowCount', sim.rowCount, real.rowCount);
  same('duplicateKeys', sim.duplicateKeys, real.duplicateKeys);
  // A CSV has no struct: the sim's struct columns of a text batch are left out of the comparison.
  const compared = csv
    ? sim.columns.filter(
        (c) => c.type !== 'struct' && !sim.columns.some((p) => c.path.startsWith(`${p.path}.`)),
      )
    : sim.columns;
  same(
    'columns',
    compared.map((c) => c.path),
    real.columns.filter((c) => compared.some((x) => x.path === c.path) || !csv).map((c) => c.path),
  );
  for (const c of compared) {
    const r = real.columns.find((x) => x.path === c.path);
    if (!r) continue;
    const at = (k: string) => `${c.path}.${k}`;
    // The documented CSV difference: declared type to the sim, text to DuckDB, same validity type.
    const textInCsv = csv && r.type === 'string' && c.type !== 'string' && r.validityType === c.type;
    same(at('nullCount'), c.nullCount, r.nullCount);
    same(at('nullRate'), c.nullRate, r.nullRate);
    if (Math.abs(c.validity - r.validity) > 1e-12) same(at('validity'), c.validity, r.validity);
    // Text to DuckDB: ordered as text, no quantiles; only nulls and validity are comparable.
    if (textInCsv) continue;
    same(at('type'), c.type, r.type);
    same(at('validityType'), c.validityType, r.validityType);
    same(at('topValues'), c.topValues, r.topValues);
    same(at('min'), c.min, r.min);
    same(at('max'), c.max, r.max);
    if (r.distinct > c.nullCount + sim.rowCount) same(at('distinct ≤ values'), c.distinct, r.distinct);
    if (Math.abs(r.distinct - c.distinct) > DISTINCT_TOLERANCE * Math.max(c.distinct, 1))
      same(at('distinct'), c.distinct, r.distinct);
    same(at('has quantiles'), c.quantiles !== undefined, r.quantiles !== undefined);
    if (c.quantiles && r.quantiles) {
      const span = Number(c.max) - Number(c.min);
      c.quantiles.forEach((q, i) => {
        if (Math.abs(q - r.quantiles![i]!) > QUANTILE_TOLERANCE * span)
          same(at(`quantiles[${i}]`), q, r.quantiles![i]);
      });
    }
  }
  return out;
}

describe('contract: the sim profiler and the DuckDB engine profile the same rows alike', () => {
  const engine = new DuckdbDataEngine();
  // Seed 42's evaluation set: every fault type with a current batch, each table's baselines.
  const incidents = generateIncidents({ seed: 42, count: 150, offset: EVAL_OFFSET });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'healer-profile-contract-'));
    db = await DuckDBInstance.create(':memory:');
  });
  afterAll(async () => {
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  });

  it('on every current batch of the evaluation set (Parquet and CSV), within the documented tolerances', async () => {
    const failures: string[] = [];
    const kinds = new Set<string>();
    for (const inc of incidents.filter((i): i is SimIncident & { currentRows: Row[] } => !!i.currentRows)) {
      const csv = inc.currentFormat === 'csv';
      const file = await writeBatch(inc.id, inc.currentRows, inc.currentSchema, csv);
      const real = await engine.profile(file, { keys: inc.contract.keys, expected: inc.contract.schema });
      const sim = incidentProfiles(inc).current!;
      for (const d of disagreements(sim, real, csv)) failures.push(`${inc.id} (${inc.truth.fault}): ${d}`);
      kinds.add(`${inc.truth.fault}/${inc.currentFormat}`);
    }
    expect(failures).toEqual([]);
    // Not vacuous: most fault types, both formats.
    expect(kinds.size).toBeGreaterThanOrEqual(20);
    expect([...kinds].some((k) => k.endsWith('/csv'))).toBe(true);
  }, 120_000);

  it('on the baseline batches (contract schema, with keys)', async () => {
    const seen = new Set<Row[]>();
    const failures: string[] = [];
    for (const inc of incidents) {
      if (seen.has(inc.baselineRows)) continue;
      seen.add(inc.baselineRows);
      const file = await writeBatch(`${inc.id}-baseline`, inc.baselineRows, inc.contract.schema, false);
      const real = await engine.profile(file, { keys: inc.contract.keys });
      for (const d of disagreements(incidentProfiles(inc).baseline, real, false))
        failures.push(`${inc.id} baseline: ${d}`);
    }
    expect(seen.size).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  }, 120_000);

  it('would catch a disagreement: one null more in the file fails the comparison', async () => {
    const inc = incidents.find((i) => i.currentRows && i.currentFormat !== 'csv')!;
    const rows = inc.currentRows!.map((r, k) => (k === 0 ? { ...r, [inc.contract.keys[0]!]: null } : r));
    const file = await writeBatch(`${inc.id}-tampered`, rows, inc.currentSchema, false);
    const real = await engine.profile(file, { keys: inc.contract.keys, expected: inc.contract.schema });
    expect(disagreements(incidentProfiles(inc).current!, real, false).join('\n')).toMatch(/nullCount/);
  }, 60_000);
});

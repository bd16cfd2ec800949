// The runner with a source staged by the caller (how a remediation hands it conformed rows), on a
// real pipeline in a temp dir: the staged table is projected through the catalog version like a
// read, the contract's NOT NULL still holds, and the rows are kept where the caller asked, as the
// source's new baseline.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quoteLiteral } from '../../../src/adapters/duckdb/sql.js';
import {
  createLocalEnvironment,
  type LocalEnvironment,
} from '../../../src/environments/local-environment.js';
import { rows } from './read-rows.js';

// Shipments: an id and a weight; the transform totals the weight.
const PIPELINE = `name: shipments
sources:
  shipments:
    path: shipments.csv
    contract:
      columns:
        id: { type: int64, nullable: false }
        weight_kg: { type: double }
transform: SELECT count(*) AS n, sum(weight_kg) AS kg FROM "shipments"
target: { name: shipment_totals, path: out/totals.parquet }
`;

let dir: string;
let env: LocalEnvironment;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'healer-runner-'));
  await writeFile(join(dir, 'pipeline.yaml'), PIPELINE);
  await writeFile(join(dir, 'shipments.csv'), 'id,weight_kg\n1,2.5\n2,4\n');
  env = await createLocalEnvironment({ pipelineFile: join(dir, 'pipeline.yaml'), terminal: false });
});

afterEach(async () => {
  await env.close();
  await rm(dir, { recursive: true, force: true });
});

describe('DuckdbPipelineRunner with a staged source', () => {
  it('projects the staged table through the catalog version and keeps it as the new baseline', async () => {
    const keepAt = join(env.stateDir, 'remediated', 'inc-1', 'shipments.parquet');
    const outcome = await env.runner.run(env.spec, {
      staged: {
        shipments: {
          from: 'a test table',
          keepAt,
          // Columns in another order than the catalog's, plus one the catalog does not have.
          stage: async (conn, table) => {
            await conn.run(
              `CREATE TEMP TABLE "${table}" AS SELECT * FROM (VALUES ('x', 1.5::DOUBLE, 10), ('y', 2.5::DOUBLE, 11)) t(extra, weight_kg, id)`,
            );
          },
        },
      },
    });
    expect(outcome.status).toBe('succeeded');
    if (outcome.status !== 'succeeded') return;
    expect(outcome.rowsIn).toEqual({ shipments: 2 });
    expect(outcome.baselines).toEqual({ shipments: keepAt });
    expect((await env.catalog.baseline('shipments'))?.location).toBe(keepAt);
    expect(await rows(`SELECT * FROM read_parquet(${quoteLiteral(keepAt)}) ORDER BY id`)).toEqual([
      { id: 10, weight_kg: 1.5 },
      { id: 11, weight_kg: 2.5 },
    ]);
    expect(
      await rows(`SELECT n, kg FROM read_parquet(${quoteLiteral(join(dir, 'out', 'totals.parquet'))})`),
    ).toEqual([{ n: '2', kg: 4 }]);
  });

  it("still enforces the contract's NOT NULL on a staged table", async () => {
    const outcome = await env.runner.run(env.spec, {
      staged: {
        shipments: {
          from: 'a test table',
          keepAt: join(env.stateDir, 'remediated', 'inc-2', 'shipments.parquet'),
          stage: async (conn, table) => {
            await conn.run(
              `CREATE TEMP TABLE "${table}" AS SELECT * FROM (VALUES (CAST(NULL AS BIGINT), 1.5)) t(id, weight_kg)`,
            );
          },
        },
      },
    });
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.errorMessage).toMatch(/NOT NULL constraint failed: shipments\.id/);
  });
});

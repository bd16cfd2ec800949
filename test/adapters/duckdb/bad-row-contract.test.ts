// The bad-row contract (test/ports/bad-row-contract.ts) run against the local runtime's two
// measurements (the evidence's profile and the remediator's engine measurement, both DuckDB over a
// real CSV file) and the simulator's (its in-memory rows): every runtime counts the same rows.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { DuckdbDataEngine } from '../../../src/adapters/duckdb/duckdb-data-engine.js';
import { emptyBadRowMeasurement } from '../../../src/core/bad-rows.js';
import { measureContractBadRows } from '../../../src/sim/profiler.js';
import { type BadRowInput, runBadRowContract, toCsv } from '../../ports/bad-row-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'healer-bad-rows-'));
const engine = new DuckdbDataEngine();
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

function file(input: BadRowInput): string {
  const path = join(dir, `${input.name}.csv`);
  writeFileSync(path, toCsv(input));
  return path;
}

runBadRowContract('local evidence (DuckDB profile of a CSV)', {
  samples: true,
  async measure(input) {
    const profile = await engine.profile(file(input), {
      expected: input.contract.schema,
      keys: input.contract.keys,
      ...(input.sampleRows === undefined ? {} : { sampleRows: input.sampleRows }),
    });
    return profile.badRows ?? emptyBadRowMeasurement();
  },
});

runBadRowContract('local remediator (DuckDB measureBadRows)', {
  samples: true,
  measure: (input) => engine.measureBadRows(file(input), input.contract, [], input.sampleRows),
});

runBadRowContract('simulator (in-memory rows)', {
  async measure(input) {
    const rows = input.rows.map((r) => Object.fromEntries(input.columns.map((c, i) => [c, r[i] ?? null])));
    const current = {
      name: input.name,
      fields: input.columns.map((c) => ({
        path: c,
        type: 'string' as const,
        rawType: 'VARCHAR',
        nullable: true,
      })),
    };
    return measureContractBadRows(rows, input.contract, current);
  },
});

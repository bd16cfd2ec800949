// `healer bench --engine duckdb` on one seed with a tiny sample: the results.json section, and the
// resolved incidents' target files really written by DuckDB on disk.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { quoteLiteral } from '../adapters/duckdb/sql.js';
import { memoryIo } from '../cli/io.js';
import { main } from '../cli/main.js';
import { type EngineIncident, type FaultTypeReplay, NO_FAILURE_REASON } from './duckdb-engine.js';
import { FAULTS, type Fault } from './faults.js';

describe('healer bench --engine duckdb', () => {
  it('replays a few incidents for real and reports them beside the unchanged sim keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-engine-test-'));
    try {
      const io = memoryIo('', dir);
      // Eval set of 4 incidents; one replay per fault type.
      const code = await main(
        [
          'bench',
          '--seeds',
          '42',
          '--held-out',
          'none',
          '--train-incidents',
          '60',
          '--eval-incidents',
          '4',
          '--episodes',
          '600',
          '--engine',
          'duckdb',
          '--engine-sample',
          '1',
          '--engine-dir',
          'pipelines',
          '--json',
          '--out',
          'out',
        ],
        io,
      );
      expect(io.stderr).toBe('');
      expect(code).toBe(0);
      const json = JSON.parse(io.stdout);
      expect(Object.keys(json).sort()).toEqual([
        'classifier',
        'classifier_corpus',
        'detector',
        'duckdb',
        'elapsed_seconds',
        'oracle',
        'policies',
        'seeds',
      ]);
      const d = json.duckdb;
      // One replay per fault type: the 4 evaluation incidents, then later indices of the same seed
      // for the fault types they lack.
      expect(d.incidents).toBe(FAULTS.length);
      expect(Object.keys(d.fault_types).sort()).toEqual([...FAULTS].sort());
      // Every fault type fails on DuckDB for real, or the report says why it cannot.
      for (const [fault, t] of Object.entries(d.fault_types) as [string, FaultTypeReplay][]) {
        expect(t.replayed).toBe(1);
        if (t.failed < t.replayed) expect(t.why, fault).toBe(NO_FAILURE_REASON[fault as Fault]);
        else expect(t.why).toBeUndefined();
      }
      expect(d.resolved + d.escalated + d.no_failure).toBeLessThanOrEqual(d.incidents);
      expect(d.agreement_with_model).toBeGreaterThanOrEqual(0);
      expect(d.agreement_with_model).toBeLessThanOrEqual(1);
      expect(Object.keys(d.measured_mttr_seconds).sort()).toEqual(['ci95', 'mean']);
      expect(Object.keys(d.modelled_mttr_minutes).sort()).toEqual(['ci95', 'mean']);
      expect(JSON.parse(await readFile(join(dir, 'out', 'results.json'), 'utf8'))).toEqual(json);
      expect(await readFile(join(dir, 'out', 'report.md'), 'utf8')).toContain('## DuckDB engine');

      const incidents = JSON.parse(
        await readFile(join(dir, 'out', 'duckdb-incidents.json'), 'utf8'),
      ) as EngineIncident[];
      expect(incidents).toHaveLength(d.incidents);
      const resolved = incidents.filter((i) => i.status === 'resolved');
      expect(resolved).toHaveLength(d.resolved);
      // Quarantine resolves the null spike and multi-quality faults, so the on-disk check below is
      // not vacuous.
      expect(d.resolved).toBeGreaterThan(0);
      expect(d.measured_mttr_seconds.mean).toBeGreaterThan(0);
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      try {
        for (const i of resolved) {
          expect(i.output).toContain(join(dir, 'pipelines', i.id));
          const reader = await conn.runAndReadAll(
            `SELECT count(*) FROM read_parquet(${quoteLiteral(i.output!)})`,
          );
          expect(Number(reader.getRows()[0]?.[0])).toBeGreaterThan(0);
        }
      } finally {
        conn.closeSync();
        db.closeSync();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

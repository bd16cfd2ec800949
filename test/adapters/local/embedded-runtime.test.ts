// End to end on real DuckDB files in temp folders: the demo (twice), the quarantined rows with their
// original values and reasons, row accounting, the audit chain (edit and tail removal detected),
// duplicate events, a catalog rollback with a re-run, pipeline-file errors with line and key.

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quoteLiteral } from '../../../src/adapters/duckdb/sql.js';
import { parsePipeline } from '../../../src/adapters/local/pipeline-file.js';
import { handleIncident } from '../../../src/agent.js';
import { memoryIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import { createLocalEnvironment } from '../../../src/environments/local-environment.js';
import { rows } from './read-rows.js';

describe('healer demo', () => {
  it('runs twice in a temp dir, exits 0, heals, quarantines with original values, audits', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'healer-demo-')), 'demo');
    for (let i = 0; i < 2; i++) {
      const io = memoryIo('', dir);
      expect(await main(['demo', '--dir', dir, '--json'], io)).toBe(0);
      const out = JSON.parse(io.stdout.trim()) as {
        incidents: { scenario: string; status: string; action: string; state: string }[];
      };
      const by = Object.fromEntries(out.incidents.map((r) => [r.scenario, r]));
      expect(by.transient_flake).toMatchObject({ action: 'retry', status: 'resolved' });
      expect(by.column_rename).toMatchObject({ action: 'coerce_schema', status: 'resolved' });
      expect(by.type_drift).toMatchObject({ action: 'coerce_schema', status: 'resolved' });
      expect(by.null_spike).toMatchObject({ action: 'quarantine', status: 'resolved' });
      expect(by.permission_error).toMatchObject({ action: 'escalate', status: 'escalated' });
      expect(by.protected_drift).toMatchObject({ action: 'escalate', status: 'escalated' });
      // A real DuckDB out-of-memory healed by one memory step; a late upstream file waited for.
      expect(by.memory_pressure).toMatchObject({ action: 'scale_resources', status: 'resolved' });
      expect(by.memory_pressure?.state).toMatch(/^resource\|/);
      expect(by.late_upstream).toMatchObject({ action: 'defer', status: 'resolved' });
      expect(by.late_upstream?.state).toMatch(/^dependency\|/);
    }
    const state = join(dir, '.healer');
    // The null spike: every 16th row of 2,000 had a null delay: 125 rows quarantined, originals kept.
    const q = await rows(
      `SELECT count(*) AS n, count(delay_minutes) AS kept, min(_healer_reason) AS reason, min(_healer_incident_id) AS inc
       FROM read_parquet(${quoteLiteral(join(state, 'quarantine', 'flights', '*.parquet'))}, union_by_name = true) WHERE delay_minutes IS NULL`,
    );
    expect(Number(q[0]?.n)).toBe(125);
    expect(q[0]?.reason).toBe('delay_minutes: null in a required column');
    expect(String(q[0]?.inc)).toMatch(/^inc-/);
    // The type drift: every 37th delay was the word CANCELLED; coercion cast the rest and held those
    // 54 rows back with the word itself and the reason.
    const words = await rows(
      `SELECT count(*) AS n, min(_healer_reason) AS reason
       FROM read_parquet(${quoteLiteral(join(state, 'quarantine', 'flights', '*.parquet'))}, union_by_name = true) WHERE delay_minutes = 'CANCELLED'`,
    );
    expect(Number(words[0]?.n)).toBe(54);
    expect(words[0]?.reason).toBe('delay_minutes: CANCELLED is not a valid int64');
    // The last published output is the null-spike re-run: every delivered row, none lost.
    const out = await rows(
      `SELECT sum(flights) AS n FROM read_parquet(${quoteLiteral(join(dir, 'output', 'delay_by_airport.parquet'))})`,
    );
    expect(Number(out[0]?.n)).toBe(1875); // the last healed run: 2,000 − 125 quarantined
    // Audit: verifies; an edited record and a removed last record are both detected.
    const ok = memoryIo('', dir);
    expect(await main(['audit', 'verify', '--state-dir', state, '--json'], ok)).toBe(0);
    const file = join(state, 'audit.jsonl');
    const text = await readFile(file, 'utf8');
    const lines = text.trimEnd().split('\n');
    await writeFile(file, `${lines.slice(0, -1).join('\n')}\n`);
    const removed = memoryIo('', dir);
    expect(await main(['audit', 'verify', '--state-dir', state], removed)).toBe(1);
    expect(removed.stdout).toMatch(/removed/);
    await writeFile(file, text.replace('"step":"diagnosis"', '"step":"evidence"'));
    const edited = memoryIo('', dir);
    expect(await main(['audit', 'verify', '--state-dir', state, '--json'], edited)).toBe(1);
    expect(JSON.parse(edited.stdout).incidentId).toMatch(/^inc-/);
    // Incidents are listed.
    const list = memoryIo('', dir);
    expect(await main(['incidents', '--state-dir', state, '--json'], list)).toBe(0);
    expect(JSON.parse(list.stdout).length).toBeGreaterThanOrEqual(6);
  }, 120_000);
});

const PIPE = (extra = '') => `name: p1
sources:
  "we;ird \\"src\\"":
    path: in.csv
    contract:
      columns:
        "id; DROP": { type: int64, nullable: false }
        "amount €": { type: double, nullable: false }
transform: |
  SELECT sum("amount €") AS total, count(*) AS n FROM "we;ird ""src"""
target: { path: out.parquet }
authority: { mode: autonomous }
retry: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 }
${extra}`;

describe('local runtime', () => {
  it('hostile names end to end; duplicate events act once; quarantine accounts for every row', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-rt-'));
    await writeFile(join(dir, 'pipeline.yaml'), PIPE());
    const good = ['"id; DROP","amount €"', ...Array.from({ length: 200 }, (_, i) => `${i},${i}.5`)].join(
      '\n',
    );
    await writeFile(join(dir, 'in.csv'), good);
    const env = await createLocalEnvironment({ pipelineFile: join(dir, 'pipeline.yaml'), terminal: false });
    try {
      expect((await env.runner.run(env.spec)).status).toBe('succeeded');
      const bad = good.replace('\n7,7.5', '\n7,').replace('\n9,9.5', '\n9,');
      await writeFile(join(dir, 'in.csv'), bad);
      const run = await env.runner.run(env.spec);
      expect(run.status).toBe('failed');
      if (run.status !== 'failed') return;
      expect(run.errorMessage).toMatch(/NOT NULL constraint failed/);
      const incident = await handleIncident(run.event, env);
      expect(incident.action).toBe('quarantine');
      expect(incident.status).toBe('resolved');
      expect(incident.result?.rows).toEqual({ rowsIn: 200, rowsDelivered: 198, rowsQuarantined: 2 });
      const again = await handleIncident(run.event, env);
      expect(again.status).toBe('duplicate');
      const total = await rows(
        `SELECT total, n FROM read_parquet(${quoteLiteral(join(dir, 'out.parquet'))})`,
      );
      expect(Number(total[0]?.n)).toBe(198);
      const q = await rows(
        `SELECT "id; DROP" AS id, _healer_reason AS r FROM read_parquet(${quoteLiteral(join(env.stateDir, 'quarantine', '*', '*.parquet'))}) ORDER BY 1`,
      );
      expect(q).toEqual([
        { id: '7', r: 'amount €: null in a required column' },
        { id: '9', r: 'amount €: null in a required column' },
      ]);
    } finally {
      await env.close();
    }
  }, 60_000);

  it('a type drift with a word in 30% of the amounts: the coercion fraction is measured and G15 escalates', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-g15-'));
    await writeFile(join(dir, 'pipeline.yaml'), PIPE());
    const lines = Array.from({ length: 200 }, (_, i) => `${i},${i}.5`);
    await writeFile(join(dir, 'in.csv'), ['"id; DROP","amount €"', ...lines].join('\n'));
    const env = await createLocalEnvironment({ pipelineFile: join(dir, 'pipeline.yaml'), terminal: false });
    try {
      expect((await env.runner.run(env.spec)).status).toBe('succeeded');
      // Upstream now writes "pending" for an amount it does not know yet: 60 of 200 rows.
      const drifted = lines.map((l, i) => (i % 10 < 3 ? l.replace(/,.*/, ',pending') : l));
      await writeFile(join(dir, 'in.csv'), ['"id; DROP","amount €"', ...drifted].join('\n'));
      const run = await env.runner.run(env.spec);
      expect(run.status).toBe('failed');
      if (run.status !== 'failed') return;
      const incident = await handleIncident(run.event, env);
      expect(incident.decision?.verdict.proposed).toBe('coerce_schema');
      expect(incident.decision?.verdict.fired.map((f) => f.id)).toContain('G15_COERCE_BLAST_RADIUS');
      expect(incident.status).toBe('escalated');
      expect(incident.decision?.verdict.reason).toContain(
        'coercion would quarantine 30% of the rows, not under the 10% limit',
      );
      expect(incident.summary).toMatch(
        /^coerce_schema vetoed by G15: coercion would quarantine 30% of the rows/,
      );
    } finally {
      await env.close();
    }
  }, 60_000);

  it('rolls back a bad catalog version and re-runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-rb-'));
    await writeFile(join(dir, 'pipeline.yaml'), PIPE());
    await writeFile(join(dir, 'in.csv'), ['"id; DROP","amount €"', '1,2.5', '2,3.5'].join('\n'));
    const env = await createLocalEnvironment({ pipelineFile: join(dir, 'pipeline.yaml'), terminal: false });
    try {
      expect((await env.runner.run(env.spec)).status).toBe('succeeded');
      const source = env.spec.sources[0]!;
      // A bad publish: the catalog version drops the amount column the transform needs.
      await env.catalog.publishSchema(
        { name: source.name, fields: source.contract!.schema.fields.slice(0, 1) },
        'bad crawler run',
      );
      const run = await env.runner.run(env.spec);
      expect(run.status).toBe('failed');
      if (run.status !== 'failed') return;
      const incident = await handleIncident(run.event, env);
      expect(incident.action).toBe('rollback_schema');
      expect(incident.status).toBe('resolved');
      const versions = await env.catalog.listSchemaVersions(source.name);
      expect(versions.map((v) => v.version)).toEqual(['1']);
      expect(await env.catalog.rolledBackVersions(source.name)).toEqual(['2']);
    } finally {
      await env.close();
    }
  }, 60_000);

  it('pipeline-file errors name the file, line and key', () => {
    expect(() => parsePipeline(PIPE().replace('type: double', 'type: money'), '/x/pipeline.yaml')).toThrow(
      /^pipeline\.yaml:8: sources\.we;ird "src"\.contract\.columns\.amount €\.type: /,
    );
    expect(() => parsePipeline(PIPE('colour: blue\n'), '/x/pipeline.yaml')).toThrow(
      /^pipeline\.yaml:14: colour: unknown key/,
    );
  });
});

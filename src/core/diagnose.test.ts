import { describe, expect, it } from 'vitest';
import type { DatasetContract } from './contract.js';
import { encodeState } from './decide.js';
import { detectQualityDrift } from './detect/data-quality.js';
import { contractThresholds, diagnose } from './diagnose.js';
import type { DatasetEvidence, Evidence } from './evidence.js';
import { RulePolicy } from './policy/rule-policy.js';
import type { ColumnProfile, DatasetProfile } from './profile.js';
import type { SchemaField, TableSchema } from './schema.js';

// An orders feed: id (BIGINT key), amount (DOUBLE), email (VARCHAR). Logs are trimmed real shapes.
const field = (path: string, type: SchemaField['type'], rawType: string, nullable = true): SchemaField => ({
  path,
  type,
  rawType,
  nullable,
});
const ID = field('id', 'int64', 'BIGINT', false);
const AMOUNT = field('amount', 'double', 'DOUBLE');
const EMAIL = field('email', 'string', 'VARCHAR');
const schema = (fields: SchemaField[], version?: string): TableSchema => ({
  name: 'orders',
  version,
  fields,
});
const contract = (extra: Partial<DatasetContract> = {}): DatasetContract => ({
  dataset: 'orders',
  schema: schema([ID, AMOUNT, EMAIL]),
  keys: ['id'],
  quality: {},
  protected: false,
  ...extra,
});
const column = (f: SchemaField, rows: number, nullRate: number): ColumnProfile => ({
  path: f.path,
  type: f.type,
  rawType: f.rawType,
  nullCount: Math.round(rows * nullRate),
  nullRate,
  distinct: Math.round(rows * (1 - nullRate)),
  validity: 1,
});
const profile = (rows: number, emailNull: number): DatasetProfile => ({
  source: 'orders.parquet',
  format: 'parquet',
  rowCount: rows,
  columns: [column(ID, rows, 0), column(AMOUNT, rows, 0.01), column(EMAIL, rows, emailNull)],
  duplicateKeys: { id: 0 },
});

function evidence(logs: string, dataset: Partial<DatasetEvidence>): Evidence {
  return {
    event: {
      id: 'evt-1',
      source: 'local',
      pipeline: 'orders',
      job: 'orders-daily',
      runId: 'run-1',
      state: 'FAILED',
      occurredAt: '2026-11-22T20:00:00Z',
    },
    logs,
    logsTruncated: false,
    datasets: [{ dataset: 'orders', schemaVersions: [], ...dataset }],
  };
}

const UNRESOLVED =
  "pyspark.sql.utils.AnalysisException: cannot resolve 'amount' given input columns: [id, email]; line 1 pos 7";
const THROTTLED =
  'botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling the GetTable operation: Rate exceeded';

describe('diagnose (real detectors of the core)', () => {
  it('a transient log with clean data: transient|low|ok, no findings', () => {
    const d = diagnose(
      evidence(THROTTLED, {
        contract: contract(),
        schemaVersions: [schema([ID, AMOUNT, EMAIL], 'v1')],
        currentSchema: schema([ID, AMOUNT, EMAIL]),
        baselineProfile: profile(5000, 0.02),
        currentProfile: profile(5000, 0.02),
      }),
    );
    expect(d.classification.family).toBe('transient');
    expect(d.findings).toEqual([]);
    expect(encodeState(d)).toEqual({ family: 'transient', risk: 'low', quality: 'ok' });
    expect(d.datasets).toEqual(['orders']);
  });

  it('data that lost a column against its contract: schema, high risk, data scope', () => {
    const d = diagnose(
      evidence(UNRESOLVED, {
        contract: contract(),
        schemaVersions: [schema([ID, AMOUNT, EMAIL], 'v1')],
        currentSchema: schema([ID, EMAIL]),
      }),
    );
    expect(d.classification.family).toBe('schema');
    expect(d.findings).toContainEqual(
      expect.objectContaining({ kind: 'field_removed', column: 'amount', scope: 'data' }),
    );
    expect(d.risk.level).toBe('high');
  });

  it('a bad catalog publish (data fine, v2 dropped a column): catalog-scope finding, medium, rule policy rolls back', () => {
    const d = diagnose(
      evidence(UNRESOLVED, {
        schemaVersions: [schema([ID, AMOUNT, EMAIL], 'v1'), schema([ID, EMAIL], 'v2')],
        currentSchema: schema([ID, AMOUNT, EMAIL]),
      }),
    );
    expect(d.findings).toEqual([
      expect.objectContaining({ kind: 'field_removed', column: 'amount', scope: 'catalog' }),
    ]);
    expect(d.risk.level).toBe('medium');
    expect(new RulePolicy().propose(encodeState(d)).action).toBe('rollback_schema');
  });

  it('a catalog change the data already follows is an evolution, not a bad publish: no catalog finding', () => {
    const d = diagnose(
      evidence(THROTTLED, {
        schemaVersions: [schema([ID, AMOUNT, EMAIL], 'v1'), schema([ID, EMAIL], 'v2')],
        currentSchema: schema([ID, EMAIL]),
      }),
    );
    expect(d.findings.filter((f) => f.scope === 'catalog')).toEqual([]);
  });

  it('an unknown log with drift in the data is refined to schema, keeping the log answer', () => {
    const d = diagnose(
      evidence('Job run failed: exit code 1', {
        contract: contract(),
        currentSchema: schema([ID, EMAIL]),
      }),
    );
    expect(d.classification).toMatchObject({ family: 'schema', rule: 'findings.schema_drift' });
    expect(d.familyRefinedFrom?.family).toBe('unknown');
  });

  it('an unknown log with a null spike is refined to data_quality; never to transient', () => {
    const d = diagnose(
      evidence('Job run failed: exit code 1', {
        contract: contract(),
        currentSchema: schema([ID, AMOUNT, EMAIL]),
        baselineProfile: profile(10_000, 0.01),
        currentProfile: profile(10_000, 0.3),
      }),
    );
    expect(d.findings).toContainEqual(expect.objectContaining({ kind: 'null_rate_spike', column: 'email' }));
    expect(d.quality).not.toBe('ok');
    expect(d.classification.family).toBe('data_quality');
    const clean = diagnose(
      evidence('Job run failed: exit code 1', {
        contract: contract(),
        currentSchema: schema([ID, AMOUNT, EMAIL]),
      }),
    );
    expect(clean.classification.family).toBe('unknown');
    expect(clean.risk.level).toBe('high');
  });

  it('a protected contract makes the incident critical', () => {
    const d = diagnose(
      evidence(THROTTLED, {
        contract: contract({ protected: true }),
        currentSchema: schema([ID, AMOUNT, EMAIL]),
      }),
    );
    expect(d.protectedDataset).toBe(true);
    expect(d.risk.level).toBe('critical');
  });
});

describe('contractThresholds', () => {
  const contract: DatasetContract = {
    dataset: 'orders',
    schema: {
      name: 'orders',
      fields: [
        { path: 'order_id', type: 'int64', rawType: 'BIGINT', nullable: false },
        { path: 'note', type: 'string', rawType: 'VARCHAR', nullable: true },
        { path: 'amount', type: 'double', rawType: 'DOUBLE', nullable: false },
      ],
    },
    keys: ['order_id'],
    quality: { maxNullRate: { amount: 0.05 }, minValidity: 0.99 },
    protected: false,
  };

  it('a NOT NULL contract column allows no nulls; explicit thresholds win; nullable columns get none', () => {
    expect(contractThresholds(contract)).toEqual({
      maxNullRate: { amount: 0.05, order_id: 0 },
      minValidity: 0.99,
    });
    expect(contractThresholds(undefined)).toBeUndefined();
  });

  it('so 3 nulls in 500 rows of a required column are a finding, though too few for the statistical test', () => {
    const profile = (nulls: number): DatasetProfile => ({
      source: 'orders.csv',
      format: 'csv',
      rowCount: 500,
      columns: [
        {
          path: 'order_id',
          type: 'int64',
          rawType: 'BIGINT',
          nullCount: nulls,
          nullRate: nulls / 500,
          distinct: 500 - nulls,
          validity: 1,
        },
        {
          path: 'note',
          type: 'string',
          rawType: 'VARCHAR',
          nullCount: nulls,
          nullRate: nulls / 500,
          distinct: 10,
          validity: 1,
        },
      ],
    });
    const statistical = detectQualityDrift(profile(0), profile(3));
    expect(statistical).toEqual([]);
    const withContract = detectQualityDrift(profile(0), profile(3), {
      thresholds: contractThresholds(contract),
    });
    expect(withContract.map((f) => [f.kind, f.column])).toEqual([['null_rate_spike', 'order_id']]);
  });
});

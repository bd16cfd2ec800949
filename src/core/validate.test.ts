import { describe, expect, it } from 'vitest';
import type { DatasetContract } from './contract.js';
import type { RemediationResult } from './outcome.js';
import type { DatasetProfile } from './profile.js';
import { validate } from './validate.js';

// The orders contract of the examples: id, amount (double, at most 1% null), customer.email.
const contract: DatasetContract = {
  dataset: 'orders',
  keys: ['id'],
  protected: false,
  quality: { maxNullRate: { amount: 0.01 }, minValidity: 0.99 },
  schema: {
    name: 'orders',
    fields: [
      { path: 'id', type: 'int64', rawType: 'BIGINT', nullable: false },
      { path: 'amount', type: 'double', rawType: 'DOUBLE', nullable: true },
    ],
  },
};
const profile = (amountNull: number, validity = 1): DatasetProfile => ({
  source: 'out.parquet',
  format: 'parquet',
  rowCount: 1000,
  columns: [
    { path: 'id', type: 'int64', rawType: 'BIGINT', nullCount: 0, nullRate: 0, distinct: 1000, validity: 1 },
    {
      path: 'amount',
      type: 'double',
      rawType: 'DOUBLE',
      nullCount: amountNull * 1000,
      nullRate: amountNull,
      distinct: 900,
      validity,
    },
  ],
});
const good: RemediationResult = {
  action: 'quarantine',
  steps: [
    { name: 'split', status: 'applied' },
    { name: 'publish', status: 'applied' },
  ],
  rows: { rowsIn: 1000, rowsDelivered: 970, rowsQuarantined: 30 },
  rerun: { runId: 'run-2', status: 'succeeded' },
  output: {
    dataset: 'orders',
    schema: { name: 'orders', fields: contract.schema.fields },
    quality: profile(0),
  },
};

describe('validate', () => {
  it('resolves when every applicable check passes', () => {
    const v = validate({ action: 'quarantine', result: good, contract });
    expect(v.status).toBe('resolved');
    expect(v.checks.map((c) => [c.name, c.passed])).toEqual([
      ['action_completed', true],
      ['rerun_succeeded', true],
      ['row_accounting', true],
      ['contract_schema', true],
      ['quality_thresholds', true],
    ]);
  });

  it('escalates when a row is unaccounted for', () => {
    const v = validate({
      action: 'quarantine',
      result: { ...good, rows: { rowsIn: 1000, rowsDelivered: 969, rowsQuarantined: 30 } },
      contract,
    });
    expect(v.status).toBe('escalate');
    expect(v.checks.find((c) => c.name === 'row_accounting')).toEqual({
      name: 'row_accounting',
      passed: false,
      detail: 'in 1000, delivered 969 + quarantined 30 = 999 (1 row(s) unaccounted for)',
    });
  });

  it('escalates on a failed step, a failed rerun, a missing column or a threshold breach', () => {
    const failedStep = validate({
      action: 'retry',
      result: { ...good, steps: [{ name: 'rerun', status: 'failed', detail: 'boom' }] },
    });
    expect(failedStep.checks[0]).toMatchObject({
      name: 'action_completed',
      passed: false,
      detail: 'failed step(s): rerun (boom)',
    });
    expect(
      validate({
        action: 'retry',
        result: { ...good, rerun: { runId: 'r', status: 'failed', errorMessage: 'OOM' } },
      }).status,
    ).toBe('escalate');
    const missing = validate({
      action: 'coerce_schema',
      result: {
        ...good,
        output: { dataset: 'orders', schema: { name: 'orders', fields: [contract.schema.fields[0]!] } },
      },
      contract,
    });
    expect(missing.checks.find((c) => c.name === 'contract_schema')).toMatchObject({
      passed: false,
      detail: 'amount missing',
    });
    const retyped = validate({
      action: 'coerce_schema',
      result: {
        ...good,
        output: {
          dataset: 'orders',
          schema: {
            name: 'orders',
            fields: [
              contract.schema.fields[0]!,
              { path: 'amount', type: 'string', rawType: 'VARCHAR', nullable: true },
            ],
          },
        },
      },
      contract,
    });
    expect(retyped.checks.find((c) => c.name === 'contract_schema')?.detail).toBe(
      'amount is string, contract double',
    );
    const nulls = validate({
      action: 'quarantine',
      result: { ...good, output: { dataset: 'orders', quality: profile(0.05, 0.9) } },
      contract,
    });
    expect(nulls.checks.find((c) => c.name === 'quality_thresholds')).toMatchObject({
      passed: false,
      detail: 'amount null rate 0.05 > 0.01; amount validity 0.9 < 0.99',
    });
  });

  it('holds the delivered rows to the contract with the definition that bounded the action', () => {
    const badRows = {
      rowsMeasured: 970,
      badRows: 3,
      byReason: { null_in_required: 0, unparseable: 0, out_of_range: 1, duplicate_key: 2 },
      sampled: false,
      missingRequired: [],
    };
    const broken = validate({
      action: 'quarantine',
      result: { ...good, output: { dataset: 'orders', quality: { ...profile(0), badRows } } },
      contract: { ...contract, quality: {} },
    });
    expect(broken.status).toBe('escalate');
    expect(broken.checks.find((c) => c.name === 'quality_thresholds')).toMatchObject({
      passed: false,
      detail: '3 of 970 delivered rows break the contract (out_of_range 1, duplicate_key 2)',
    });
    const clean = validate({
      action: 'quarantine',
      result: {
        ...good,
        output: { dataset: 'orders', quality: { ...profile(0), badRows: { ...badRows, badRows: 0 } } },
      },
      contract: { ...contract, quality: {} },
    });
    expect(clean.checks.find((c) => c.name === 'quality_thresholds')?.passed).toBe(true);
  });

  it('accepts a widened output type (int32 contract, int64 output)', () => {
    const c32: DatasetContract = {
      ...contract,
      schema: {
        name: 'orders',
        fields: [{ path: 'id', type: 'int32', rawType: 'INTEGER', nullable: false }],
      },
    };
    const v = validate({
      action: 'coerce_schema',
      result: {
        ...good,
        output: { dataset: 'orders', schema: { name: 'orders', fields: [contract.schema.fields[0]!] } },
      },
      contract: c32,
    });
    expect(v.checks.find((c) => c.name === 'contract_schema')?.passed).toBe(true);
  });

  it('is not applicable to passive actions', () => {
    expect(validate({ action: 'escalate', result: { action: 'escalate', steps: [] } })).toEqual({
      status: 'not_applicable',
      checks: [],
    });
    expect(validate({ action: 'log_only', result: { action: 'log_only', steps: [] } }).status).toBe(
      'not_applicable',
    );
  });
});

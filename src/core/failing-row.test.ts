import { describe, expect, it } from 'vitest';
import { rowChecks } from './failing-row.js';
import type { Finding } from './finding.js';
import type { DatasetProfile } from './profile.js';

const base = { compatible: false, message: '' } as const;
const profile: DatasetProfile = {
  source: 'x.csv',
  format: 'csv',
  rowCount: 10,
  columns: [
    {
      path: 'amount',
      type: 'string',
      rawType: 'VARCHAR',
      nullCount: 0,
      nullRate: 0,
      distinct: 9,
      validity: 0.7,
      validityType: 'double',
    },
  ],
};

describe('rowChecks', () => {
  it('one check per finding that is a property of rows; info and catalog findings call for none', () => {
    const findings: Finding[] = [
      {
        ...base,
        kind: 'validity_drop',
        column: 'amount',
        severity: 'warning',
        baseline: 1,
        current: 0.7,
        invalidRows: 3,
      },
      {
        ...base,
        kind: 'null_rate_spike',
        column: 'email',
        severity: 'error',
        baseline: 0,
        current: 0.4,
        statistic: 9,
      },
      { ...base, kind: 'duplicate_keys', column: 'a,b', severity: 'error', baseline: 0, current: 2 },
      {
        ...base,
        kind: 'range_shift',
        column: 'delay',
        severity: 'error',
        compatible: true,
        baseline: [-10, 300],
        current: [-600, 18000],
        outside: 0.6,
        scale: 60,
      },
      {
        ...base,
        kind: 'type_changed',
        column: 'qty',
        severity: 'error',
        baseline: 'int64',
        current: 'string',
        baselineRaw: 'BIGINT',
        currentRaw: 'VARCHAR',
      },
      {
        ...base,
        kind: 'type_changed',
        column: 'price',
        severity: 'info',
        compatible: true,
        baseline: 'int64',
        current: 'double',
        baselineRaw: 'BIGINT',
        currentRaw: 'DOUBLE',
      },
      {
        ...base,
        kind: 'field_removed',
        column: 'gone',
        severity: 'error',
        baseline: 'int64',
        scope: 'catalog',
      },
      {
        ...base,
        kind: 'volume_change',
        column: '*',
        severity: 'warning',
        compatible: true,
        baseline: 10,
        current: 2,
      },
    ];
    expect(rowChecks(findings, profile)).toEqual([
      { rule: 'parse', column: 'amount', type: 'double' },
      { rule: 'not_null', column: 'email' },
      { rule: 'unique_key', columns: ['a', 'b'] },
      { rule: 'range', column: 'delay', min: -10, max: 300 },
      { rule: 'parse', column: 'qty', type: 'int64' },
    ]);
  });
});

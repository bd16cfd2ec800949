import { describe, expect, it } from 'vitest';
import { nullSpike, removed, renamedField } from '../../../test/core/decision-fixtures.js';
import type { Classification, FailureFamily } from '../failure-family.js';
import type { Finding } from '../finding.js';
import { assessRisk } from './risk.js';

const log = (family: FailureFamily, confidence = 0.9): Classification => ({
  family,
  rule: 'r',
  confidence,
  line: 'l',
});
const retyped = (
  baseline: 'int64' | 'string' | 'int32',
  current: 'int64' | 'string' | 'int32' | 'double',
  compatible: boolean,
): Finding => ({
  kind: 'type_changed',
  column: 'amount',
  baseline,
  current,
  baselineRaw: baseline,
  currentRaw: current,
  severity: compatible ? 'info' : 'error',
  compatible,
  message: `amount ${baseline} → ${current}`,
});
const level = (findings: Finding[], family: FailureFamily = 'schema', extra = {}) =>
  assessRisk({ classification: log(family), findings, protectedDataset: false, ...extra }).level;

describe('assessRisk', () => {
  it('a protected dataset is critical whatever else is true, with the reason', () => {
    const r = assessRisk({ classification: log('transient'), findings: [], protectedDataset: true });
    expect(r).toEqual({ level: 'critical', reasons: ['critical: the dataset is declared protected'] });
  });

  it('incompatible drift on a declared key column is critical', () => {
    expect(level([removed('order_id')], 'schema', { keys: ['order_id'] })).toBe('critical');
  });

  it('data that lost a field, or a lossy type change, is high', () => {
    expect(level([removed('amount')])).toBe('high');
    expect(level([retyped('string', 'int64', false)])).toBe('high'); // zip codes lose leading zeros
    expect(level([retyped('int64', 'int32', false)])).toBe('high'); // narrowing
  });

  it('the same drift confined to the catalog is medium (a rollback restores the good version)', () => {
    expect(level([removed('amount', 'catalog')])).toBe('medium');
    expect(level([{ ...retyped('int64', 'string', false), scope: 'catalog' }])).toBe('medium');
  });

  it('compatible or losslessly repairable drift is low', () => {
    expect(level([retyped('int32', 'int64', true)])).toBe('low');
    expect(level([retyped('int64', 'string', false)])).toBe('low'); // every value kept as text
    const renamed = renamedField('customer_id', 'customerId', 'error');
    expect(level([renamed])).toBe('low');
    expect(level([])).toBe('low');
  });

  it('permission and unknown are high, config medium; quality findings are not risk', () => {
    expect(level([], 'permission')).toBe('high');
    expect(level([], 'unknown')).toBe('high');
    expect(level([], 'config')).toBe('medium');
    expect(level([nullSpike('email', 0.01, 0.2, 'warning')], 'data_quality')).toBe('low');
    expect(level([nullSpike('email', 0.01, 0.2, 'error')], 'data_quality')).toBe('low');
  });

  it('memory exhaustion is medium; a full disk or a concurrency limit stays low', () => {
    const resource = (rule: string) =>
      assessRisk({ classification: { ...log('resource'), rule }, findings: [], protectedDataset: false });
    expect(resource('yarn.container_killed_memory')).toMatchObject({ level: 'medium' });
    expect(resource('jvm.out_of_memory').reasons[0]).toMatch(/ran out of memory/);
    expect(resource('os.no_space_left').level).toBe('low');
    expect(resource('glue.concurrent_runs_exceeded').level).toBe('low');
  });

  it('an uncertain classification with no findings is medium', () => {
    expect(
      assessRisk({ classification: log('transient', 0.3), findings: [], protectedDataset: false }).level,
    ).toBe('medium');
  });
});

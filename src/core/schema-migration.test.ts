import { describe, expect, it } from 'vitest';
import type { Finding } from './finding.js';
import type { TableSchema } from './schema.js';
import { driftSignature, migrateSchema, proposeMigration } from './schema-migration.js';

const field = (path: string, type: 'int64' | 'string' | 'double') => ({
  path,
  type,
  rawType: type,
  nullable: true,
});
const catalog: TableSchema = {
  name: 'orders',
  version: '1',
  fields: [field('id', 'int64'), field('amount', 'double')],
};
const retyped = (current: 'string' | 'int64'): Finding => ({
  kind: 'type_changed',
  column: 'amount',
  baseline: 'double',
  current,
  baselineRaw: 'DOUBLE',
  currentRaw: current.toUpperCase(),
  severity: 'error',
  compatible: false,
  message: 'retyped',
});

describe('schema migrations', () => {
  it('text written for a number column is adopted as a strict cast; a lossy retype is refused', () => {
    const text = migrateSchema(
      catalog,
      { name: 'orders', fields: [field('id', 'int64'), field('amount', 'string')] },
      [retyped('string')],
    );
    expect(text.refused).toEqual([]);
    expect(text.schema.fields.find((f) => f.path === 'amount')).toMatchObject({
      type: 'double',
      castOnRead: true,
    });
    expect(text.changes).toEqual(['amount (string in the data) is cast to double']);
    const narrowed = migrateSchema(catalog, catalog, [retyped('int64')]);
    expect(narrowed.refused[0]).toMatch(
      /amount changed type double → int64, which does not cast back losslessly/,
    );
  });

  it('proposes after the same drift was healed N times on the same pipeline, and not for other drift', () => {
    const findings = [retyped('string')];
    const signature = driftSignature('orders', findings);
    const healed = { pipeline: 'p', resolved: true, signature };
    const base = { pipeline: 'p', pipelineRef: 'p.yaml', dataset: 'orders', findings };
    expect(proposeMigration({ ...base, history: [healed] })).toBeUndefined();
    expect(proposeMigration({ ...base, history: [healed, healed] })).toEqual({
      dataset: 'orders',
      healedTimes: 3,
      pipeline: 'p.yaml',
    });
    const other = { ...healed, signature: driftSignature('orders', [retyped('int64')]) };
    const elsewhere = { ...healed, pipeline: 'q' };
    const escalated = { ...healed, resolved: false };
    expect(proposeMigration({ ...base, history: [other, elsewhere, escalated, healed] })).toBeUndefined();
    expect(proposeMigration({ ...base, history: [], after: 1 })?.healedTimes).toBe(1);
  });
});

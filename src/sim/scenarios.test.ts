import { describe, expect, it } from 'vitest';
import { valueAt } from './profiler.js';
import { generateIncidents, SIM_QUARANTINE_LIMIT } from './scenarios.js';

describe('generateIncidents', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = generateIncidents({ seed: 7, count: 20 });
    const b = generateIncidents({ seed: 7, count: 20 });
    const c = generateIncidents({ seed: 8, count: 20 });
    expect(a.map((i) => [i.log, i.truth, i.currentRows])).toEqual(
      b.map((i) => [i.log, i.truth, i.currentRows]),
    );
    expect(a.map((i) => i.log)).not.toEqual(c.map((i) => i.log));
  });

  it('a rename moves the values to the new name; only a case/separator change is a field_renamed', () => {
    const kinds = new Set<string>();
    for (const i of generateIncidents({ seed: 1, count: 30, faults: ['rename'], protectedShare: 0 })) {
      const added = i.currentSchema.fields.filter(
        (f) => !i.contract.schema.fields.some((c) => c.path === f.path),
      );
      expect(added).toHaveLength(1);
      const to = added[0]!.path;
      expect(i.currentRows!.every((r) => to in r)).toBe(true);
      const from = i.contract.schema.fields.find(
        (c) => !i.currentSchema.fields.some((f) => f.path === c.path),
      )!.path;
      const caseOnly = from.replace(/_/g, '').toLowerCase() === to.replace(/_/g, '').toLowerCase();
      kinds.add(caseOnly ? 'case' : 'other');
      if (caseOnly) {
        expect(i.truth.anomalies).toEqual([{ kind: 'field_renamed', column: to }]);
        expect(i.truth.fixing).toEqual(['coerce_schema']);
      } else {
        // Issue 2: not a rename by evidence; removed + added, escalation is the correct outcome.
        expect(i.truth.anomalies).toEqual([
          { kind: 'field_removed', column: from },
          { kind: 'field_added', column: to },
        ]);
        expect(i.truth.fixing).toEqual([]);
        expect(i.truth.unsafe).toContain('coerce_schema');
      }
    }
    expect(kinds).toEqual(new Set(['case', 'other']));
  });

  it('a null spike puts exactly the recorded share of nulls into a required column', () => {
    for (const i of generateIncidents({ seed: 2, count: 15, faults: ['null_spike'], protectedShare: 0 })) {
      const col = i.truth.anomalies[0]!.column;
      expect(i.table.required).toContain(col);
      const nulls = i.currentRows!.filter((r) => valueAt(r, col) === null).length;
      expect(nulls / i.currentRows!.length).toBeCloseTo(i.truth.badRowFraction, 10);
      if (i.truth.badRowFraction < SIM_QUARANTINE_LIMIT) expect(i.truth.fixing).toEqual(['quarantine']);
      else expect(i.truth.unsafe).toContain('quarantine');
    }
  });

  it('a lossy type drift is unfixable, coercion is unsafe and would lose the rounded rows', () => {
    for (const i of generateIncidents({
      seed: 3,
      count: 8,
      faults: ['type_drift_lossy'],
      protectedShare: 0,
    })) {
      expect(i.truth.fixing).toEqual([]);
      expect(i.truth.unsafe).toContain('coerce_schema');
      expect(i.truth.rowsLostBy.coerce_schema).toBeGreaterThan(0);
      const col = i.truth.anomalies[0]!.column;
      expect(i.currentSchema.fields.find((f) => f.path === col)?.type).toBe('int64');
      expect(i.currentRows!.every((r) => r[col] === null || Number.isInteger(r[col]))).toBe(true);
    }
  });

  it('protected datasets have no fixing action and every active action is unsafe', () => {
    for (const i of generateIncidents({ seed: 4, count: 10, protectedShare: 1 })) {
      expect(i.contract.protected).toBe(true);
      expect(i.truth.fixing).toEqual([]);
      expect(i.truth.unsafe).toEqual(
        expect.arrayContaining(['retry', 'coerce_schema', 'rollback_schema', 'quarantine']),
      );
    }
  });

  it('permission failures are unfixable, retrying them is unsafe, and the log says so', () => {
    for (const i of generateIncidents({
      seed: 5,
      count: 6,
      faults: ['permission_denied'],
      protectedShare: 0,
    })) {
      expect(i.truth.fixing).toEqual([]);
      expect(i.truth.unsafe).toContain('retry');
      expect(i.log).toMatch(/Access Denied/);
      expect(i.truth.anomalies).toEqual([]);
    }
  });

  it('upstream not ready has no current batch; a bad catalog publish adds a third catalog version', () => {
    for (const i of generateIncidents({
      seed: 6,
      count: 4,
      faults: ['upstream_not_ready'],
      protectedShare: 0,
    })) {
      expect(i.currentRows).toBeUndefined();
      // The partition lands within a retry's backoff, so a retry or a defer for its arrival fixes it.
      expect(i.truth.fixing).toEqual(['retry', 'defer']);
    }
    for (const i of generateIncidents({
      seed: 6,
      count: 4,
      faults: ['catalog_bad_publish'],
      protectedShare: 0,
    })) {
      expect(i.schemaVersions.map((v) => v.version)).toEqual(['v0', 'v1', 'v2']);
      expect(i.truth.fixing).toEqual(['rollback_schema']);
    }
  });

  it('no action is both fixing and unsafe', () => {
    for (const i of generateIncidents({ seed: 9, count: 200 }))
      expect(i.truth.fixing.filter((a) => i.truth.unsafe.includes(a))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { classifyError } from './error-classifier.js';
import { qualityCondition } from './quality-condition.js';
import { detectReadFaults } from './read-faults.js';
import { assessRisk } from './risk.js';

const malformed = (count: number, rows: number) =>
  detectReadFaults({
    location: 'orders.csv',
    rows,
    malformedCount: count,
    malformed: Array.from({ length: Math.min(count, 8) }, (_, i) => ({
      file: 'orders.csv',
      line: 10 + i,
      reason: 'TOO MANY COLUMNS',
      raw: 'a,b,c,d',
    })),
  });

describe('detectReadFaults', () => {
  it('nothing when every line was a row', () => {
    expect(malformed(0, 100)).toEqual([]);
  });

  it('malformed_rows: count, rows read, the first five lines; degraded, severe when half the lines', () => {
    const [f] = malformed(7, 93);
    expect(f).toMatchObject({ kind: 'malformed_rows', column: '*', current: 7, rows: 93, severity: 'error' });
    expect(f?.kind === 'malformed_rows' && f.lines.map((l) => l.line)).toEqual([10, 11, 12, 13, 14]);
    expect(f?.message).toMatch(
      /^7 of 100 lines of orders\.csv cannot be read as rows \(line 10: too many columns;/,
    );
    expect(qualityCondition(malformed(7, 93))).toBe('degraded');
    expect(qualityCondition(malformed(50, 50))).toBe('severe');
  });

  it('empty_input: empty or header-only, severe, and high risk so nothing acts on it', () => {
    for (const empty of ['empty', 'header_only'] as const) {
      const findings = detectReadFaults(
        { location: 'in.csv', rows: 0, malformedCount: 0, malformed: [], empty },
        120,
      );
      expect(findings).toMatchObject([{ kind: 'empty_input', current: empty, baseline: 120 }]);
      expect(qualityCondition(findings)).toBe('severe');
      const risk = assessRisk({
        classification: { family: 'dependency', rule: 'healer.empty_input', confidence: 0.97, line: '' },
        findings,
        protectedDataset: false,
      });
      expect(risk.level).toBe('high');
    }
  });
});

describe("healer's own errors classify by the rule that failed, never unknown", () => {
  it.each([
    ['Contract violation: orders.amount (type): 1 of 5 values are not valid int64 (line 3: "1.5")', 'schema'],
    [
      'Contract violation: orders.amount (range): 1 of 5 values are out of range or not finite for int64',
      'data_quality',
    ],
    [
      'Contract violation: orders.id (not_null): 2 of 5 rows hold a null in a required column (line 2, line 4)',
      'data_quality',
    ],
    [
      'Contract violation: orders.order_id (unique): 2 of 42 rows repeat a key (order_id) (keys: 7 at line 42)',
      'data_quality',
    ],
    [
      'Malformed input: 1 of 40 lines of /data/in.csv cannot be read as rows (line 18: INVALID ENCODING "x")',
      'data_quality',
    ],
    ['Empty input: /data/in.csv holds a header and no rows', 'dependency'],
    ['Empty input: /data/in.csv is empty', 'dependency'],
    [
      "Contract violation: daily.delay: type_changed int64 → double (target_schema): the transform's output differs from catalog version 1",
      'config',
    ],
  ])('%s', (line, family) => {
    expect(classifyError(`2026-12-02T07:00:00.000Z ERROR [p] ${line}`).family).toBe(family);
  });
});

// Failing rows: which row-level checks the findings call for (a value that does not parse, a null
// that spiked, a value outside the baseline range, a repeated key) and the rows that fail them, so
// a human sees examples with their keys and reasons, not only shares.

import type { Finding } from './finding.js';
import type { DatasetProfile } from './profile.js';
import type { LogicalType } from './schema.js';

/** One row-level check a data engine evaluates on every row of the current data. */
export type RowCheck =
  | { rule: 'parse'; column: string; type: LogicalType }
  | { rule: 'not_null'; column: string }
  | { rule: 'range'; column: string; min: number; max: number }
  | { rule: 'unique_key'; columns: string[] };

/** A row that fails at least one check. */
export interface FailingRow {
  /** 1-based position of the row in the data as read (for a CSV with a header: line − 1). */
  row: number;
  /** The declared key's values (as text), when a key was declared. */
  key?: Record<string, string | null>;
  /** One readable reason per failed check. */
  reasons: string[];
}

const SCALAR: ReadonlySet<LogicalType> = new Set([
  'boolean',
  'int32',
  'int64',
  'float',
  'double',
  'decimal',
  'date',
  'timestamp',
]);

/**
 * The checks behind the findings: `validity_drop` → the value must parse as the type validity was
 * measured against; an incompatible `type_changed` → it must parse as the baseline type;
 * `null_rate_spike` → not null; `range_shift` → inside the baseline [min, max]; `duplicate_keys` →
 * the key is unique. Findings of severity `info` call for nothing. One check per column and rule.
 */
export function rowChecks(findings: readonly Finding[], current: DatasetProfile | undefined): RowCheck[] {
  const measured = new Map((current?.columns ?? []).map((c) => [c.path, c.validityType ?? c.type]));
  const checks = new Map<string, RowCheck>();
  const add = (id: string, check: RowCheck) => {
    if (!checks.has(id)) checks.set(id, check);
  };
  for (const f of findings) {
    if (f.severity === 'info' || f.scope === 'catalog') continue;
    switch (f.kind) {
      case 'validity_drop': {
        const type = measured.get(f.column);
        if (type && SCALAR.has(type)) add(`parse:${f.column}`, { rule: 'parse', column: f.column, type });
        break;
      }
      case 'type_changed':
        if (!f.compatible && SCALAR.has(f.baseline))
          add(`parse:${f.column}`, { rule: 'parse', column: f.column, type: f.baseline });
        break;
      case 'null_rate_spike':
        add(`null:${f.column}`, { rule: 'not_null', column: f.column });
        break;
      case 'range_shift':
        add(`range:${f.column}`, { rule: 'range', column: f.column, min: f.baseline[0], max: f.baseline[1] });
        break;
      case 'duplicate_keys':
        add(`key:${f.column}`, { rule: 'unique_key', columns: f.column.split(',') });
        break;
      case 'field_added':
      case 'field_removed':
      case 'field_renamed':
      case 'nullability_changed':
      case 'nested_changed':
      case 'volume_change':
      case 'freshness_lag':
      case 'distribution_shift':
      case 'empty_input':
        // Not a property of single rows.
        break;
      case 'malformed_rows':
        // Lines that are not rows: the finding itself lists their line numbers and reasons.
        break;
      default:
        f satisfies never;
    }
  }
  return [...checks.values()];
}

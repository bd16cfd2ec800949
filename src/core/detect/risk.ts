// Risk assessment: how much is at stake if healer acts on this incident automatically. Reads the
// classification, the findings and the protected flag; every step up is recorded as a reason.

import type { Classification } from '../failure-family.js';
import type { Finding } from '../finding.js';
import { RISKS, type Risk, type RiskAssessment } from '../risk.js';
import { withArticle } from '../words.js';
import { castIsLossless } from './type-compat.js';

export interface RiskInput {
  classification: Classification;
  findings: Finding[];
  protectedDataset: boolean;
  /** Declared key columns of the datasets (dotted paths): incompatible drift on a key is critical. */
  keys?: string[];
}

/**
 * The levels, and what each means for the state (the rule policy reads them the same way):
 * - `critical`: acting could corrupt or lose data: a protected dataset, or incompatible drift on a
 *   declared key column (row identity, joins and deduplication break silently).
 * - `high`: data-scope drift that loses information (a removed field; a type change that is not
 *   lossless, i.e. a narrowing or a lossy change of family; an incompatible nested change), most
 *   values of a column at another range or scale (a `range_shift` error: a unit change), or a
 *   `permission`/`unknown` failure: nothing bounded is known to fix it, so any action is blind.
 * - `medium`: incompatible drift confined to the catalog (a bad version was published; the data is
 *   fine and a rollback restores the last good version), a `config` failure, a `resource` failure
 *   that is memory exhaustion (a retry meets the same data with the same memory), or a
 *   low-confidence classification without findings.
 * - `low`: compatible or losslessly repairable drift (added nullable field, widening, a rename with
 *   strong evidence, a lossless type change), warnings, or no findings at all.
 */
export function assessRisk(input: RiskInput): RiskAssessment {
  let level: Risk = 'low';
  const reasons: string[] = [];
  const raise = (to: Risk, reason: string) => {
    if (RISKS.indexOf(to) > RISKS.indexOf(level)) level = to;
    reasons.push(`${to}: ${reason}`);
  };

  if (input.protectedDataset) raise('critical', 'the dataset is declared protected');

  const keys = new Set(input.keys ?? []);
  for (const f of input.findings) {
    const where = f.scope === 'catalog' ? 'catalog' : 'data';
    if (!f.compatible && keys.has(f.column) && isDrift(f) && where === 'data')
      raise('critical', `incompatible ${f.kind} on key column ${f.column}`);
    switch (f.kind) {
      case 'field_removed':
        if (where === 'catalog') raise('medium', `catalog version dropped ${f.column} (roll back)`);
        else raise('high', `field ${f.column} is gone from the data (its values cannot be recovered)`);
        break;
      case 'type_changed':
        if (f.compatible) break;
        if (where === 'catalog')
          raise('medium', `catalog version retyped ${f.column} ${f.baseline}→${f.current}`);
        // The data kept its information when the change itself was lossless (int64→string): a
        // cast back restores it. Otherwise (narrowing, string→int) values may already be gone.
        else if (castIsLossless(f.baseline, f.current))
          raise('low', `${f.column} ${f.baseline}→${f.current} kept every value; a cast back restores it`);
        else raise('high', `${f.column} changed ${f.baseline}→${f.current}; the cast back may lose data`);
        break;
      case 'nested_changed':
        if (f.compatible) break;
        if (where === 'catalog') raise('medium', `catalog version restructured ${f.column}`);
        else raise('high', `nested structure of ${f.column} changed incompatibly`);
        break;
      case 'field_renamed':
        if (where === 'catalog') raise('medium', `catalog version renamed ${f.from}→${f.to}`);
        else raise('low', `${f.from} renamed to ${f.to} (same type and values: mappable back)`);
        break;
      case 'field_added':
      case 'nullability_changed':
        if (!f.compatible && where === 'catalog')
          raise('medium', `catalog version: ${f.kind} on ${f.column}`);
        break;
      case 'null_rate_spike':
      case 'validity_drop':
      case 'duplicate_keys':
      case 'volume_change':
      case 'freshness_lag':
      case 'malformed_rows':
        // Quality is its own dimension of the state (ok/degraded/severe); how many rows an action
        // may touch is the guard's blast-radius rule. Neither is risk.
        break;
      case 'empty_input':
        // Nothing bounded repairs an input that holds no rows, and running on it would publish an
        // empty target over the last good one: a human (or the upstream) must deliver the data.
        raise('high', `the input holds no rows (${f.current === 'empty' ? 'empty file' : 'header only'})`);
        break;
      case 'distribution_shift':
        // Good data moves: a shifted mix is worth a look, never a reason to act or to block.
        break;
      case 'range_shift':
        // Most values at another scale is a unit or meaning change: no bounded action reverses it,
        // and acting on it (a cast, a quarantine) would publish or drop data read wrongly.
        if (f.severity === 'error')
          raise('high', `${f.column} values moved to another range or scale (×${f.scale}): a unit change?`);
        break;
      default:
        f satisfies never;
    }
  }

  const family = input.classification.family;
  if (family === 'permission' || family === 'unknown')
    raise('high', `${withArticle(family)} failure: no bounded action is known to fix it`);
  else if (family === 'config') raise('medium', 'a config failure needs a change a human makes');
  else if (family === 'resource' && MEMORY_RULES.has(input.classification.rule))
    raise(
      'medium',
      `the job ran out of memory (${input.classification.rule}): a re-run with the same resources meets the same data`,
    );
  else if (input.classification.confidence < 0.5 && input.findings.length === 0)
    raise('medium', `the classification is uncertain (confidence ${input.classification.confidence})`);

  if (reasons.length === 0) reasons.push('low: no finding raises the risk');
  return { level, reasons };
}

/**
 * Classifier rules for memory exhaustion. Unlike a full disk or a concurrency limit, which the next
 * run may not meet, the same job on the same data with the same memory fails the same way.
 */
const MEMORY_RULES: ReadonlySet<string> = new Set([
  'yarn.container_killed_memory',
  'yarn.container_beyond_memory',
  'jvm.out_of_memory',
  'python.memory_error',
  'duckdb.out_of_memory',
  'query.memory_limit',
]);

function isDrift(f: Finding): boolean {
  return (
    f.kind === 'field_removed' ||
    f.kind === 'type_changed' ||
    f.kind === 'nested_changed' ||
    f.kind === 'field_renamed'
  );
}

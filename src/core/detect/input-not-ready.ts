// An input not ready: the run failed before reading because the upstream has not delivered the
// input yet, or delivered it too long ago (the runtime's `Input not ready` message, signature
// `healer.input_not_ready`). It becomes a `freshness_lag` finding on the dataset, a warning: waiting
// (`defer`) is the fix, nothing is wrong with any row.

import type { Classification } from '../failure-family.js';
import type { FreshnessLag } from '../finding.js';

const STALE =
  /is older than its freshness \(modified (\d+(?:\.\d+)?) min ago, contract maxAgeMinutes (\d+(?:\.\d+)?)\)/;

/**
 * The finding for `dataset` when the failure's classification says its input was not ready.
 *
 * @example
 * detectInputNotReady({ family: 'dependency', rule: 'healer.input_not_ready', line: 'Input not ready: /in/orders.csv has not arrived (source orders)', confidence: 0.97 }, 'orders')
 * // → { kind: 'freshness_lag', current: 'not arrived', ... }
 */
export function detectInputNotReady(
  classification: Classification,
  dataset: string,
): FreshnessLag | undefined {
  if (classification.rule !== 'healer.input_not_ready') return undefined;
  const stale = STALE.exec(classification.line);
  if (stale) {
    const age = Number(stale[1]);
    const max = Number(stale[2]);
    return {
      kind: 'freshness_lag',
      column: '*',
      severity: 'warning',
      compatible: true,
      baseline: `at most ${max} min old`,
      current: `${age} min old`,
      lagMinutes: Math.max(0, age - max),
      message: `${dataset}: the input is ${age} min old, older than its freshness of ${max} min (not refreshed yet)`,
    };
  }
  return {
    kind: 'freshness_lag',
    column: '*',
    severity: 'warning',
    compatible: true,
    baseline: 'delivered',
    current: 'not arrived',
    lagMinutes: 0,
    message: `${dataset}: the input has not arrived (the upstream has not delivered it yet)`,
  };
}

// The quality condition of an incident's input: ok, degraded or severe, from the quality findings.

import { type Finding, QUALITY_KINDS } from '../finding.js';
import type { QualityCondition } from '../risk.js';

/** Rates beyond which a quality finding is severe whatever its severity: most of the data is bad. */
export const SEVERE_LIMITS = {
  /** A column at least this null where the baseline was not. */
  nullRate: 0.5,
  /** Fewer than this share of values parse. */
  validity: 0.5,
  /** The batch shrank to this share of the baseline or less (or grew by the inverse). */
  volumeRatio: 0.1,
} as const;

/**
 * `severe`: most of the batch is bad, so quarantining it would deliver little: a rate beyond
 * SEVERE_LIMITS, an empty batch, or a freshness lag of severity `error` (stale data is not fixed by
 * removing rows). `degraded`: any other quality finding of severity `warning` or `error`. `ok`: no
 * quality findings, or `info` only. Drift findings do not count here.
 *
 * Severity alone does not make a batch severe: the detectors mark any breach of a contract
 * threshold (and any duplicate key) `error`, and 3% null emails breaching a 1% limit are exactly
 * what quarantine repairs. How many rows may go is the guard's call (G9, bad-row fraction).
 */
export function qualityCondition(findings: Finding[]): QualityCondition {
  let condition: QualityCondition = 'ok';
  for (const f of findings) {
    if (!(QUALITY_KINDS as readonly string[]).includes(f.kind)) continue;
    if (isSevere(f)) return 'severe';
    if (f.severity !== 'info') condition = 'degraded';
  }
  return condition;
}

function isSevere(f: Finding): boolean {
  switch (f.kind) {
    case 'null_rate_spike':
      return f.current >= SEVERE_LIMITS.nullRate;
    case 'validity_drop':
      return f.current < SEVERE_LIMITS.validity;
    case 'freshness_lag':
      return f.severity === 'error';
    case 'empty_input':
      return true;
    case 'malformed_rows':
      return f.current >= (f.current + f.rows) * SEVERE_LIMITS.validity;
    case 'volume_change': {
      if (f.current === 0) return true;
      if (f.baseline <= 0) return false;
      const ratio = f.current / f.baseline;
      return ratio <= SEVERE_LIMITS.volumeRatio || ratio >= 1 / SEVERE_LIMITS.volumeRatio;
    }
    default:
      return false;
  }
}

// Progressive autonomy: when a family's shadow record earns it execution rights, and when its
// production validations say it should lose them. Thresholds are configuration; the guard still
// vets every action whatever mode a family is in.

import type { ShadowStats } from './shadow-report.js';

export interface AutonomyThresholds {
  /** Minimum agreed / labelled. */
  minPrecision: number;
  /** Minimum Wilson 95% lower bound of the precision. */
  minLowerBound: number;
  minLabelled: number;
  /** Demote when at least this many of the family's last `demoteWindow` validations failed. */
  demoteAfterFailures: number;
  demoteWindow: number;
}

export const DEFAULT_AUTONOMY_THRESHOLDS: AutonomyThresholds = {
  minPrecision: 0.9,
  minLowerBound: 0.8,
  minLabelled: 20,
  demoteAfterFailures: 2,
  demoteWindow: 10,
};

export interface Eligibility {
  eligible: boolean;
  /** Why not, one clause per unmet threshold; empty when eligible. */
  reasons: string[];
}

/** Whether a family's shadow record meets the thresholds for promotion. */
export function eligibility(
  stats: Pick<ShadowStats, 'labelled' | 'precision' | 'lower95'>,
  t: AutonomyThresholds,
): Eligibility {
  const reasons: string[] = [];
  if (stats.labelled < t.minLabelled) reasons.push(`${stats.labelled} labelled < ${t.minLabelled}`);
  if (stats.precision === null || stats.precision < t.minPrecision)
    reasons.push(`precision ${fmt(stats.precision)} < ${t.minPrecision}`);
  if (stats.lower95 < t.minLowerBound) reasons.push(`lower bound ${fmt(stats.lower95)} < ${t.minLowerBound}`);
  return { eligible: reasons.length === 0, reasons };
}

/**
 * Whether a family should be demoted given its validation outcomes, oldest first (true = passed).
 * Only the last `demoteWindow` count.
 */
export function shouldDemote(
  outcomes: readonly boolean[],
  t: AutonomyThresholds,
): { demote: boolean; failed: number; window: number } {
  const recent = outcomes.slice(-t.demoteWindow);
  const failed = recent.filter((passed) => !passed).length;
  return { demote: failed >= t.demoteAfterFailures, failed, window: recent.length };
}

function fmt(v: number | null): string {
  return v === null ? '-' : v.toFixed(3);
}

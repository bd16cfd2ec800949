// The shadow report: how often the agent's decision matched what an engineer did, per failure
// family, with a Wilson 95% interval (honest at small counts and at 0 or 100%, unlike the normal
// approximation). Approval counts as agreement and rejection as disagreement unless a label says
// what the engineer actually did.

import type { Action } from '../action.js';
import type { FailureFamily } from '../failure-family.js';

/** What is known of one decided incident for the report. */
export interface ShadowObservation {
  family: FailureFamily;
  /** The action the agent decided (the guard's final action). */
  proposed: Action;
  /** What the engineer did or would do, from a label. */
  label?: Action;
  /** The human verdict on a supervised decision. */
  verdict?: 'approved' | 'rejected';
}

/** What the engineer did, in the confusion table: an action, or `rejected` when only a rejection is known. */
export type EngineerAction = Action | 'rejected';

export interface Agreement {
  labelled: boolean;
  agreed: boolean;
  engineer?: EngineerAction;
}

/** Whether an observation has a human answer and whether it agrees; a label wins over a verdict. */
export function agreementOf(o: ShadowObservation): Agreement {
  if (o.label !== undefined) return { labelled: true, agreed: o.label === o.proposed, engineer: o.label };
  if (o.verdict === 'approved') return { labelled: true, agreed: true, engineer: o.proposed };
  if (o.verdict === 'rejected') return { labelled: true, agreed: false, engineer: 'rejected' };
  return { labelled: false, agreed: false };
}

export interface Interval {
  lower: number;
  upper: number;
}

/** Wilson score interval for `successes` out of `n` (z = 1.96 for 95%); [0, 1] when n is 0. */
export function wilsonInterval(successes: number, n: number, z = 1.959963984540054): Interval {
  if (n <= 0) return { lower: 0, upper: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // At 0 or n the bound is exactly 0 or 1; floating point would leave 1e-16 off.
  return {
    lower: successes <= 0 ? 0 : Math.max(0, centre - half),
    upper: successes >= n ? 1 : Math.min(1, centre + half),
  };
}

export interface ShadowStats {
  decisions: number;
  labelled: number;
  agreed: number;
  /** agreed / labelled; null when nothing is labelled. */
  precision: number | null;
  lower95: number;
  upper95: number;
  /** proposed action → engineer action → count. */
  confusion: Record<string, Record<string, number>>;
}

export interface ShadowReport {
  families: Partial<Record<FailureFamily, ShadowStats>>;
  overall: ShadowStats;
}

/** Aggregates observations per family and overall. */
export function shadowReport(observations: readonly ShadowObservation[]): ShadowReport {
  const byFamily = new Map<FailureFamily, ShadowObservation[]>();
  for (const o of observations) byFamily.set(o.family, [...(byFamily.get(o.family) ?? []), o]);
  const families: Partial<Record<FailureFamily, ShadowStats>> = {};
  for (const family of [...byFamily.keys()].sort()) families[family] = statsOf(byFamily.get(family) ?? []);
  return { families, overall: statsOf(observations) };
}

function statsOf(observations: readonly ShadowObservation[]): ShadowStats {
  let labelled = 0;
  let agreed = 0;
  const confusion: Record<string, Record<string, number>> = {};
  for (const o of observations) {
    const a = agreementOf(o);
    if (!a.labelled || a.engineer === undefined) continue;
    labelled++;
    if (a.agreed) agreed++;
    const row = confusion[o.proposed] ?? {};
    row[a.engineer] = (row[a.engineer] ?? 0) + 1;
    confusion[o.proposed] = row;
  }
  const { lower, upper } = wilsonInterval(agreed, labelled);
  return {
    decisions: observations.length,
    labelled,
    agreed,
    precision: labelled === 0 ? null : agreed / labelled,
    lower95: lower,
    upper95: upper,
    confusion,
  };
}

// The facts a supervised decision rested on, and how two sets of them differ. An approval is given
// to a decision taken on these facts; when they changed, the decision is taken again and the human
// is asked again instead of executing on stale grounds.

import type { Action } from '../action.js';
import type { Mode } from '../authority.js';
import type { BudgetUsage } from '../decision.js';

/** What a decision depended on, captured when it is stored to await approval. */
export interface ApprovalFacts {
  /** Per input dataset, the data engine's fingerprint of its files (null when none). */
  fingerprints: Record<string, string | null>;
  /** Per input dataset, the newest catalog schema version (null when none). */
  catalogVersions: Record<string, string | null>;
  badRowFraction: number | null;
  coercionBadRowFraction: number | null;
  usage: BudgetUsage;
  mode: Mode;
  /** The action the guard allowed. */
  action: Action;
}

/** One fact that differs between decision time and now. */
export interface FactChange {
  fact: string;
  before: string;
  after: string;
}

const show = (v: unknown): string => (v === null || v === undefined ? '-' : String(v));

/** Every fact that differs, in a stable order; empty when the decision still rests on the same facts. */
export function diffFacts(before: ApprovalFacts, after: ApprovalFacts): FactChange[] {
  const changes: FactChange[] = [];
  const compare = (fact: string, a: unknown, b: unknown) => {
    if (show(a) !== show(b)) changes.push({ fact, before: show(a), after: show(b) });
  };
  for (const key of unionKeys(before.fingerprints, after.fingerprints))
    compare(`input ${key} fingerprint`, before.fingerprints[key], after.fingerprints[key]);
  for (const key of unionKeys(before.catalogVersions, after.catalogVersions))
    compare(`catalog ${key} version`, before.catalogVersions[key], after.catalogVersions[key]);
  compare('bad-row share', before.badRowFraction, after.badRowFraction);
  compare('coercion bad-row share', before.coercionBadRowFraction, after.coercionBadRowFraction);
  compare('retries this run', before.usage.retriesThisRun, after.usage.retriesThisRun);
  compare(
    'retries this job last hour',
    before.usage.retriesThisJobLastHour,
    after.usage.retriesThisJobLastHour,
  );
  compare(
    'consecutive failed remediations',
    before.usage.consecutiveFailedRemediations,
    after.usage.consecutiveFailedRemediations,
  );
  compare('mode', before.mode, after.mode);
  compare('action', before.action, after.action);
  return changes;
}

function unionKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

/** Default time a supervised decision may wait for its approval. */
export const DEFAULT_APPROVAL_EXPIRY_HOURS = 24;

/** When an approval requested at `requestedAt` expires. */
export function approvalExpiresAt(requestedAt: Date, hours = DEFAULT_APPROVAL_EXPIRY_HOURS): Date {
  return new Date(requestedAt.getTime() + hours * 3_600_000);
}

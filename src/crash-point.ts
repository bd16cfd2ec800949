// Named crash points for the kill -9 test: when HEALER_CRASH_AT names a point, the process kills
// itself there with SIGKILL (no cleanup, no flush), as a power cut or an OOM kill would. Unset,
// every point is a no-op; nothing else reads the variable.

import { statSync, truncateSync } from 'node:fs';

/** The points a healing run passes, in order (see docs/crash-safety.md). */
export const CRASH_POINTS = [
  'intent',
  'quarantine-torn',
  'quarantine-written',
  'snapshot-torn',
  'snapshot-written',
  'action-recorded',
  'commit',
  'files-moved',
  'published',
  'baseline',
  'commit-recorded',
  'outcome-recorded',
  'incident-saved',
  'closed',
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

const passes = new Map<string, number>();

/**
 * Kills the process when HEALER_CRASH_AT names `point` (`point:N` for its N-th pass only).
 * `tear` names a file to cut to half its size first: a write the kill interrupted.
 */
export function crashPoint(point: CrashPoint, tear?: string): void {
  const wanted = process.env.HEALER_CRASH_AT;
  if (!wanted) return;
  const [name, nth] = wanted.split(':');
  if (name !== point) return;
  const pass = (passes.get(point) ?? 0) + 1;
  passes.set(point, pass);
  if (nth !== undefined && Number(nth) !== pass) return;
  if (tear) {
    try {
      truncateSync(tear, Math.floor(statSync(tear).size / 2));
    } catch {
      // Nothing written yet: the kill alone is the crash.
    }
  }
  process.kill(process.pid, 'SIGKILL');
}

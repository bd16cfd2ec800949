// Per-job resource settings healer keeps after a validated `scale_resources`, and how a later run
// shows they are no longer needed: after KEEP_RUNS_BEFORE_TRIAL successful runs at the kept setting,
// the next plain run tries one step down; if it succeeds the lower setting is kept (back at the
// pipeline's own setting the kept record goes), if it fails the kept setting stays and the count
// starts again. Pure: the runtime stores the record and runs the job.

import type { ResourceSettings } from './resources.js';

/** Successful runs at a kept setting before one run tries a step down. */
export const KEEP_RUNS_BEFORE_TRIAL = 3;

/** What healer keeps for one job. */
export interface KeptResources {
  /** The settings later runs of the job use (above the pipeline's own). */
  settings: ResourceSettings;
  /** Successful plain runs at `settings` since it was kept or last confirmed. */
  successes: number;
}

/** What one plain run runs with. `trial`: this run tries one step down from the kept setting. */
export interface RunPlan {
  settings: ResourceSettings;
  trial?: { from: ResourceSettings; to: ResourceSettings };
}

/** A change of the kept setting, for the audit. */
export interface KeptChange {
  from: ResourceSettings;
  to: ResourceSettings;
  reason: string;
}

/**
 * One step down, the reverse of `nextScaleStep`: threads halve first (they were raised last), then
 * memory halves; never below the pipeline's own setting. Undefined when already at it.
 */
export function stepDown(current: ResourceSettings, base: ResourceSettings): ResourceSettings | undefined {
  const floor = (v: number, b: number | undefined) => Math.max(Math.floor(v / 2), b ?? 1);
  if (current.threads !== undefined && current.threads > (base.threads ?? 1))
    return { ...current, threads: floor(current.threads, base.threads) };
  if (current.memoryMb !== undefined && current.memoryMb > (base.memoryMb ?? 1))
    return { ...current, memoryMb: floor(current.memoryMb, base.memoryMb) };
  return undefined;
}

/** True when `settings` raises nothing above `base` (the kept record is then moot). */
export function atOrBelow(settings: ResourceSettings, base: ResourceSettings): boolean {
  return (
    (settings.memoryMb === undefined || settings.memoryMb <= (base.memoryMb ?? Number.POSITIVE_INFINITY)) &&
    (settings.threads === undefined || settings.threads <= (base.threads ?? Number.POSITIVE_INFINITY))
  );
}

/** The settings of a plain run: the pipeline's own, or the kept ones (a trial step down when due). */
export function planRun(kept: KeptResources | undefined, base: ResourceSettings): RunPlan {
  if (!kept || atOrBelow(kept.settings, base)) return { settings: base };
  const settings = { ...base, ...kept.settings };
  if (kept.successes < KEEP_RUNS_BEFORE_TRIAL) return { settings };
  const lower = stepDown(settings, base);
  return lower ? { settings: lower, trial: { from: settings, to: lower } } : { settings };
}

/** The kept record after a plain run, and the change to audit when the kept setting moved. */
export function afterRun(
  kept: KeptResources | undefined,
  plan: RunPlan,
  base: ResourceSettings,
  succeeded: boolean,
): { kept: KeptResources | undefined; change?: KeptChange } {
  if (!kept) return { kept: undefined };
  if (atOrBelow(kept.settings, base))
    return {
      kept: undefined,
      change: {
        from: kept.settings,
        to: base,
        reason: "the pipeline's own setting is at least the kept one",
      },
    };
  if (!plan.trial) return { kept: { ...kept, successes: kept.successes + (succeeded ? 1 : 0) } };
  if (!succeeded)
    return {
      kept: { settings: kept.settings, successes: 0 },
      change: {
        from: plan.trial.to,
        to: plan.trial.from,
        reason: 'one step down failed: the kept setting is still needed',
      },
    };
  const lower = plan.trial.to;
  return {
    kept: atOrBelow(lower, base) ? undefined : { settings: lower, successes: 0 },
    change: {
      from: plan.trial.from,
      to: lower,
      reason: `one step down succeeded after ${kept.successes} runs at the kept setting: the higher setting is no longer needed`,
    },
  };
}

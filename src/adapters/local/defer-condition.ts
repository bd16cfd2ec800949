// What `defer` waits for on the embedded runtime, read from the disk: an input that is missing (the
// upstream has not delivered yet) or older than its contract's `maxAgeMinutes` (not refreshed yet),
// or, for a throttle or a full slot, time itself (a backoff). Read-only.

import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Classification } from '../../core/failure-family.js';
import type { Clock } from '../../ports.js';
import type { DuckdbDataEngine } from '../duckdb/duckdb-data-engine.js';
import type { SourceSpec } from './pipeline-file.js';

/** Signatures of a throttle or a full slot: waiting (not more memory) is what frees them. */
const WAITABLE_RESOURCE_RULES = [
  'glue.concurrent_runs_exceeded',
  'aws.resource_limit_exceeded',
  'sql.insufficient_resources',
  'cloud.quota_exceeded',
];

/** A condition `defer` polls; `met` reads the disk (or only lets time pass). */
export interface DeferCondition {
  /** `input orders.csv to arrive`: what the decision and the audit say is awaited. */
  description: string;
  /** True when waiting is over. */
  met(): Promise<boolean>;
  /** A throttle needs one wait before the run; an input that is there already needs none. */
  waitFirst: boolean;
}

/** How one source stands: missing, older than its freshness, or ready. */
export async function inputReadiness(
  source: SourceSpec,
  engine: Pick<DuckdbDataEngine, 'resolve'>,
  clock: Clock,
): Promise<{ state: 'missing' } | { state: 'stale'; ageMinutes: number } | { state: 'ready' }> {
  let files: string[];
  try {
    files = (await engine.resolve(source.location)).files;
  } catch {
    return { state: 'missing' };
  }
  if (files.length === 0) return { state: 'missing' };
  if (source.maxAgeMinutes === undefined) return { state: 'ready' };
  let newest = 0;
  for (const f of files) {
    try {
      newest = Math.max(newest, (await stat(f)).mtimeMs);
    } catch {
      // A glob match that vanished: not an input.
    }
  }
  if (newest === 0) return { state: 'missing' };
  const ageMinutes = (clock.now().getTime() - newest) / 60_000;
  return ageMinutes > source.maxAgeMinutes ? { state: 'stale', ageMinutes } : { state: 'ready' };
}

/**
 * For a `dependency` failure whose inputs are all there and fresh now (the late input arrived after
 * the run failed, before the decision): what the wait would have been for, already met
 * (`input orders.csv arrived`). Undefined for any other failure, or while an input is still not ready.
 */
export async function deferConditionMet(
  classification: Classification,
  sources: readonly SourceSpec[],
  engine: Pick<DuckdbDataEngine, 'resolve'>,
  clock: Clock,
): Promise<string | undefined> {
  if (classification.family !== 'dependency' || sources.length === 0) return undefined;
  for (const source of sources)
    if ((await inputReadiness(source, engine, clock)).state !== 'ready') return undefined;
  return sources.map((s) => `input ${basename(s.location)} arrived`).join(' and ');
}

/**
 * The condition `defer` would wait for, or undefined when waiting would not help: a `dependency`
 * failure with an input missing or stale; a `transient` failure (a throttle); a `resource` failure
 * from a concurrency or quota limit (never an out-of-memory: that is `scale_resources`).
 */
export async function deferCondition(
  classification: Classification,
  sources: readonly SourceSpec[],
  engine: Pick<DuckdbDataEngine, 'resolve'>,
  clock: Clock,
): Promise<DeferCondition | undefined> {
  if (classification.family === 'dependency') {
    const waiting: { source: SourceSpec; what: string }[] = [];
    for (const source of sources) {
      const r = await inputReadiness(source, engine, clock);
      const name = basename(source.location);
      if (r.state === 'missing') waiting.push({ source, what: `input ${name} to arrive` });
      if (r.state === 'stale')
        waiting.push({
          source,
          what: `input ${name} to be refreshed (newer than ${source.maxAgeMinutes} min)`,
        });
    }
    if (waiting.length === 0) return undefined;
    return {
      description: waiting.map((w) => w.what).join(' and '),
      waitFirst: false,
      met: async () => {
        for (const w of waiting)
          if ((await inputReadiness(w.source, engine, clock)).state !== 'ready') return false;
        return true;
      },
    };
  }
  const throttle =
    classification.family === 'transient' ||
    (classification.family === 'resource' && WAITABLE_RESOURCE_RULES.includes(classification.rule));
  if (!throttle) return undefined;
  return {
    description:
      classification.family === 'transient'
        ? 'the throttle to pass (backoff)'
        : 'a slot to free up (backoff)',
    waitFirst: true,
    met: async () => true,
  };
}

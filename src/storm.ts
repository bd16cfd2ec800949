// Incident storms: a batch of failure events in, one incident per cause out. Each event's evidence
// is gathered through a cache that measures every dataset version once; events whose cause has the
// same fingerprint (pipeline, family, rule, data and catalog versions, time window) are linked to
// the first one's incident instead of being decided, notified and acted on again.

import { gatherEvidence, handleIncident, redactEvent } from './agent.js';
import { canonicalJson, sha256 } from './core/audit-chain.js';
import { classifyError } from './core/detect/error-classifier.js';
import { diagnose, logText } from './core/diagnose.js';
import type { FailureEvent } from './core/event.js';
import type { Classification } from './core/failure-family.js';
import {
  type IncidentGroup,
  incidentGroupId,
  incidentGroupKey,
  type LinkedEvent,
  linkEvents,
  windowStartOf,
} from './core/incident-group.js';
import { redact } from './core/redact.js';
import { GUARD_HASH } from './core/safety/guard.js';
import { CachingDataEngine } from './evidence-cache.js';
import type { Catalog, Environment, IncidentRecord, PipelineDescription } from './ports.js';

export interface StormOptions {
  /** Failures of one cause further apart than this start a new group. Default one hour. */
  windowMs?: number;
  sampleRows?: number;
  /** Called after each event (for a progress bar). */
  onEvent?: (done: number, total: number) => void;
}

/** One cause of a storm and what became of it. */
export interface StormGroup {
  id: string;
  cause: string;
  /** The group's incident as it ended (or as it was, when an earlier batch opened the group). */
  incident: IncidentRecord;
  /** Events linked to it by this batch. */
  linked: number;
}

export interface StormResult {
  events: number;
  groups: StormGroup[];
  /** Events already linked or handled before (redeliveries). */
  duplicates: number;
}

const HOUR = 3_600_000;
/** Events whose evidence is gathered at once. */
const CONCURRENCY = 64;
/** Distinct log texts whose classification a batch remembers. */
const MAX_CLASSIFIED = 4096;

/**
 * Handles a batch of failure events as incident groups.
 *
 * @example
 * const { groups } = await handleStorm(events, env);
 * for (const g of groups) console.log(g.id, g.cause, g.incident.status, `+${g.linked}`);
 */
export async function handleStorm(
  events: readonly FailureEvent[],
  env: Environment,
  options: StormOptions = {},
): Promise<StormResult> {
  const windowMs = options.windowMs ?? HOUR;
  // One look at the disk per input per few seconds: a batch sees one version of each input.
  const data =
    env.data instanceof CachingDataEngine
      ? env.data
      : new CachingDataEngine(env.data, { fingerprintTtlMs: 5_000 });
  // The catalog is read once per dataset per batch too: its versions are part of the cause's
  // fingerprint, and a batch sees one version of each (as it sees one version of each input).
  const versions = new Map<string, ReturnType<Catalog['listSchemaVersions']>>();
  const catalog: Catalog = {
    listSchemaVersions: (dataset) => {
      let known = versions.get(dataset);
      if (!known) {
        known = env.catalog.listSchemaVersions(dataset);
        versions.set(dataset, known);
      }
      return known;
    },
  };
  const scoped: Environment = { ...env, data, catalog };
  const pipelines = new Map<string, Promise<PipelineDescription>>();
  let duplicates = 0;
  let done = 0;
  // The classifier is a pure function of the log and the event's message, and a storm repeats one
  // cause's log again and again: each distinct text is redacted and classified once per batch
  // (bounded; a batch of all-different logs pays per event, as before).
  const classified = new Map<string, Classification>();

  // The cause of each event, gathered a few at a time: the reads (its log, cached measurements)
  // overlap instead of waiting on one another.
  const causeOf = async (event: FailureEvent) => {
    let pipeline = pipelines.get(event.pipeline);
    if (!pipeline) {
      pipeline = env.pipelines.describe(event.pipeline);
      pipelines.set(event.pipeline, pipeline);
    }
    const description = await pipeline;
    // The family and rule come from the log alone, as in `diagnose`, unless the log says nothing:
    // then the findings refine it, and the whole evidence is gathered (from the cache) for that.
    const log = await env.logs.fetchRunLog(event);
    const text = `${log.text}\0${event.errorMessage ?? ''}`;
    let classification = classified.get(text);
    if (!classification) {
      classification = classifyError(logText(redact(log.text), redactEvent(event)));
      if (classified.size >= MAX_CLASSIFIED) classified.clear();
      classified.set(text, classification);
    }
    if (classification.family === 'unknown')
      classification = diagnose(
        await gatherEvidence(event, description, scoped, options.sampleRows),
      ).classification;
    const wanted = event.datasets?.length
      ? description.datasets.filter((d) => event.datasets?.includes(d.dataset))
      : description.datasets;
    const versions: string[] = [];
    for (const binding of wanted) {
      const print = (await data.fingerprint(binding.location)) ?? `unmeasured:${event.id}`;
      const catalogVersion = (await catalog.listSchemaVersions(binding.dataset)).at(-1)?.version ?? '-';
      versions.push(`${binding.dataset}@${print}#${catalogVersion}`);
    }
    const key = incidentGroupKey({
      pipeline: event.pipeline,
      family: classification.family,
      rule: classification.rule,
      datasetVersions: versions,
      windowStart: windowStartOf(event.occurredAt, windowMs),
    });
    return { key, cause: `${classification.family} (${classification.rule}) in ${event.pipeline}` };
  };

  // Each cause's first event is decided (and acted on) like any incident, one after another as
  // before, but in the background: the next events' causes are read meanwhile. Linking waits for
  // every decision, then goes through the events in order.
  type Entry = {
    group: IncidentGroup;
    incident?: IncidentRecord;
    /** The event decided for this cause in this batch (undefined: an earlier batch opened it). */
    first?: FailureEvent;
    added: LinkedEvent[];
    seen: Set<string>;
  };
  const open = new Map<string, Entry>();
  const keys: string[] = [];
  let decisions: Promise<unknown> = Promise.resolve();
  try {
    for (let start = 0; start < events.length; start += CONCURRENCY) {
      const chunk = events.slice(start, start + CONCURRENCY);
      const causes = await Promise.all(chunk.map(causeOf));
      for (const [i, event] of chunk.entries()) {
        const { key, cause } = causes[i]!;
        keys.push(key);
        if (!open.has(key)) {
          const entry: Entry = {
            group: { key, cause, linkedEventIds: [], linkedSample: [] },
            added: [],
            seen: new Set(),
          };
          open.set(key, entry);
          decisions = decisions.then(async () => {
            const id = incidentGroupId(key);
            const earlier = await env.state.getIncident(id);
            if (earlier) {
              entry.incident = earlier;
              if (earlier.group) entry.group = earlier.group;
            } else {
              entry.first = event;
              entry.incident = await handleIncident(event, scoped, {
                incidentId: id,
                sampleRows: options.sampleRows,
              });
            }
            entry.seen = new Set([entry.incident.event.id, ...entry.group.linkedEventIds]);
          });
          // Marked handled now; a failure still surfaces where every decision is awaited below.
          decisions.catch(() => undefined);
        }
        options.onEvent?.(++done, events.length);
      }
    }
  } catch (error) {
    // No decision is left running behind a failed batch (the caller may close the environment).
    await decisions.catch(() => undefined);
    throw error;
  }
  await decisions;
  for (const [i, event] of events.entries()) {
    const entry = open.get(keys[i]!)!;
    if (entry.first === event) {
      if (entry.incident?.status === 'duplicate') duplicates++;
      continue;
    }
    if (entry.seen.has(event.id)) duplicates++;
    else {
      entry.seen.add(event.id);
      entry.added.push({
        eventId: event.id,
        job: event.job,
        runId: event.runId,
        occurredAt: event.occurredAt,
      });
    }
  }

  const groups: StormGroup[] = [];
  for (const { group, incident: decided, added } of open.values()) {
    const incident = decided!;
    linkEvents(group, added);
    if (added.length > 0 || !incident.group) {
      const stored: IncidentRecord = { ...incident, group };
      await env.audit.append({
        incidentId: incident.id,
        step: 'linked',
        at: env.clock.now().toISOString(),
        policyHash: env.policy.hash,
        guardHash: GUARD_HASH,
        authorityHash: sha256(canonicalJson((await pipelines.get(incident.event.pipeline))?.authority ?? {})),
        data: {
          cause: group.cause,
          linked: added.length,
          total: group.linkedEventIds.length,
          eventIds: added.map((e) => e.eventId),
        },
      });
      if (incident.status !== 'duplicate') await env.state.saveIncident(stored);
      groups.push({ id: incident.id, cause: group.cause, incident: stored, linked: added.length });
    } else {
      groups.push({ id: incident.id, cause: group.cause, incident, linked: 0 });
    }
  }
  return { events: events.length, groups, duplicates };
}

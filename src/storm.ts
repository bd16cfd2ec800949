// Incident storms: a batch of failure events in, one incident per cause out. Each event's evidence
// is gathered through a cache that measures every dataset version once; events whose cause has the
// same fingerprint (pipeline, family, rule, data and catalog versions, time window) are linked to
// the first one's incident instead of being decided, notified and acted on again.

import { gatherEvidence, handleIncident } from './agent.js';
import { canonicalJson, sha256 } from './core/audit-chain.js';
import { diagnose } from './core/diagnose.js';
import type { FailureEvent } from './core/event.js';
import {
  type IncidentGroup,
  incidentGroupId,
  incidentGroupKey,
  type LinkedEvent,
  linkEvents,
  windowStartOf,
} from './core/incident-group.js';
import { GUARD_HASH } from './core/safety/guard.js';
import { CachingDataEngine } from './evidence-cache.js';
import type { Environment, IncidentRecord, PipelineDescription } from './ports.js';

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
  const scoped: Environment = { ...env, data };
  const pipelines = new Map<string, Promise<PipelineDescription>>();
  const open = new Map<string, { group: IncidentGroup; incident: IncidentRecord; added: LinkedEvent[] }>();
  let duplicates = 0;
  let done = 0;

  for (const event of events) {
    let pipeline = pipelines.get(event.pipeline);
    if (!pipeline) {
      pipeline = env.pipelines.describe(event.pipeline);
      pipelines.set(event.pipeline, pipeline);
    }
    const description = await pipeline;
    const evidence = await gatherEvidence(event, description, scoped, options.sampleRows);
    const { classification } = diagnose(evidence);
    const versions: string[] = [];
    for (const binding of description.datasets) {
      const d = evidence.datasets.find((x) => x.dataset === binding.dataset);
      if (!d) continue;
      const print = (await data.fingerprint(binding.location)) ?? `unmeasured:${event.id}`;
      versions.push(`${binding.dataset}@${print}#${d.schemaVersions.at(-1)?.version ?? '-'}`);
    }
    const key = incidentGroupKey({
      pipeline: event.pipeline,
      family: classification.family,
      rule: classification.rule,
      datasetVersions: versions,
      windowStart: windowStartOf(event.occurredAt, windowMs),
    });
    const linked: LinkedEvent = {
      eventId: event.id,
      job: event.job,
      runId: event.runId,
      occurredAt: event.occurredAt,
    };
    const known = open.get(key);
    if (known) {
      if (known.incident.event.id === event.id || linkEvents(known.group, [linked]).length === 0)
        duplicates++;
      else known.added.push(linked);
    } else {
      const id = incidentGroupId(key);
      const cause = `${classification.family} (${classification.rule}) in ${event.pipeline}`;
      const earlier = await env.state.getIncident(id);
      const incident =
        earlier ?? (await handleIncident(event, scoped, { incidentId: id, sampleRows: options.sampleRows }));
      const group: IncidentGroup = earlier?.group ?? { key, cause, linkedEventIds: [], linkedSample: [] };
      const entry = { group, incident, added: [] as LinkedEvent[] };
      open.set(key, entry);
      if (earlier) {
        if (earlier.event.id === event.id || linkEvents(group, [linked]).length === 0) duplicates++;
        else entry.added.push(linked);
      } else if (incident.status === 'duplicate') duplicates++;
    }
    options.onEvent?.(++done, events.length);
  }

  const groups: StormGroup[] = [];
  for (const { group, incident, added } of open.values()) {
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

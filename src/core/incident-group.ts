// Incident groups: many failures of one cause are one incident. The fingerprint of a cause is the
// pipeline, the failure family and the classifier rule, the versions of the data and catalog the
// run read, and a time window; failures with equal fingerprints are decided once and linked.

import { canonicalJson, sha256 } from './audit-chain.js';

/** What makes two failures "the same cause". */
export interface IncidentGroupKeyInput {
  pipeline: string;
  family: string;
  rule: string;
  /** Per dataset the run reads: its data fingerprint and catalog version (order does not matter). */
  datasetVersions: readonly string[];
  /** Start of the time window (ISO) the failure falls in: a cause that returns later is a new group. */
  windowStart: string;
}

/** One linked failure, as shown with its group. */
export interface LinkedEvent {
  eventId: string;
  job: string;
  runId: string;
  occurredAt: string;
}

/** The group an incident stands for, stored on the group's incident. */
export interface IncidentGroup {
  key: string;
  /** Plain words for the shared cause: `schema (spark.analysis.unresolved_column) in orders_etl`. */
  cause: string;
  /** Every linked event id (the group's own event excluded), for deduplication of redeliveries. */
  linkedEventIds: string[];
  /** The first linked events in detail (bounded, so a storm does not make a giant record). */
  linkedSample: LinkedEvent[];
}

/** Linked events kept in detail per group. */
export const LINKED_SAMPLE_LIMIT = 100;

/** The canonical key of a group (the inputs, canonical JSON, versions sorted). */
export function incidentGroupKey(input: IncidentGroupKeyInput): string {
  return canonicalJson({ ...input, datasetVersions: [...input.datasetVersions].sort() });
}

/** The id of the incident that stands for a group: stable, so redeliveries find it. */
export function incidentGroupId(key: string): string {
  return `grp-${sha256(key).slice(0, 12)}`;
}

/** Start of the window of `windowMs` that `at` falls in (windows are aligned to the epoch). */
export function windowStartOf(at: string, windowMs: number): string {
  const t = Date.parse(at);
  return new Date(Math.floor(t / windowMs) * windowMs).toISOString();
}

/** Links events to a group, ignoring those already linked; returns the ones newly linked. */
export function linkEvents(group: IncidentGroup, events: readonly LinkedEvent[]): LinkedEvent[] {
  const known = new Set(group.linkedEventIds);
  const added: LinkedEvent[] = [];
  for (const e of events) {
    if (known.has(e.eventId)) continue;
    known.add(e.eventId);
    group.linkedEventIds.push(e.eventId);
    if (group.linkedSample.length < LINKED_SAMPLE_LIMIT) group.linkedSample.push(e);
    added.push(e);
  }
  return added;
}

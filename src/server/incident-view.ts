// What the dashboard shows of incidents, computed from stored records: filters, the family of an
// incident, and the aggregates the charts draw. Pure functions, so pages and the JSON API agree.

import type { IncidentRecord } from '../ports.js';

/** Filters of the incidents list (query string of `/` and `GET /api/incidents`). */
export interface IncidentFilter {
  status?: string;
  family?: string;
  pipeline?: string;
  /** ISO time: incidents started at or after it. */
  since?: string;
}

/** The failure family an incident was diagnosed with (`-` before any diagnosis). */
export function familyOf(incident: IncidentRecord): string {
  return incident.decision?.diagnosis.classification.family ?? '-';
}

export function filterIncidents(
  incidents: readonly IncidentRecord[],
  filter: IncidentFilter,
): IncidentRecord[] {
  return incidents.filter(
    (i) =>
      (!filter.status || i.status === filter.status) &&
      (!filter.family || familyOf(i) === filter.family) &&
      (!filter.pipeline || i.event.pipeline === filter.pipeline) &&
      (!filter.since || i.startedAt >= filter.since),
  );
}

/** Per family: how many incidents ended resolved, escalated, or otherwise. */
export function outcomesByFamily(incidents: readonly IncidentRecord[]) {
  const out = new Map<string, { resolved: number; escalated: number; other: number }>();
  for (const i of incidents) {
    const row = out.get(familyOf(i)) ?? { resolved: 0, escalated: 0, other: 0 };
    if (i.status === 'resolved') row.resolved++;
    else if (i.status === 'escalated') row.escalated++;
    else row.other++;
    out.set(familyOf(i), row);
  }
  return [...out]
    .map(([family, counts]) => ({ family, ...counts }))
    .sort((a, b) => a.family.localeCompare(b.family));
}

/** Per day: incidents, the share escalated, and the median time to resolution of resolved ones. */
export function dailyTrend(incidents: readonly IncidentRecord[]) {
  const days = new Map<string, IncidentRecord[]>();
  for (const i of incidents) {
    const day = i.startedAt.slice(0, 10);
    days.set(day, [...(days.get(day) ?? []), i]);
  }
  return [...days]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, list]) => {
      const durations = list
        .filter((i) => i.status === 'resolved' && i.durationMs !== undefined)
        .map((i) => (i.durationMs ?? 0) / 1000)
        .sort((a, b) => a - b);
      return {
        day,
        incidents: list.length,
        escalationRate: list.filter((i) => i.status === 'escalated').length / list.length,
        medianResolutionSeconds: durations.length
          ? durations[Math.floor((durations.length - 1) / 2)]
          : undefined,
      };
    });
}

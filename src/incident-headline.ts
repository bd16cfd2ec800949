// The headline of an incident: which run failed, how it was classified and what healer did, as
// every list of incidents shows it (the approval API's `GET /pending`, the dashboard's JSON API).

import type { IncidentRecord } from './ports.js';

export function incidentHeadline(i: IncidentRecord) {
  return {
    id: i.id,
    pipeline: i.event.pipeline,
    job: i.event.job,
    runId: i.event.runId,
    family: i.decision?.diagnosis.classification.family,
    action: i.action,
    summary: i.summary,
  };
}

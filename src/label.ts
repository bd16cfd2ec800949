// Engineer labels (what an engineer did or would do for an incident) and the observations the shadow
// report and autonomy are computed from: one per decided incident, with its human answer if any.

import { ACTIONS, isAction } from './core/action.js';
import { canonicalJson, sha256 } from './core/audit-chain.js';
import { InvalidInputError, NotFoundError } from './core/errors.js';
import type { ShadowObservation } from './core/governance/shadow-report.js';
import { GUARD_HASH } from './core/safety/guard.js';
import type { Environment, IncidentRecord } from './ports.js';

export interface LabelOptions {
  action: string;
  by?: string;
  now?: Date;
}

/** Records what an engineer did or would do for an incident (on the incident and in its audit). */
export async function labelIncident(
  id: string,
  env: Pick<Environment, 'state' | 'audit' | 'clock' | 'policy' | 'pipelines'>,
  options: LabelOptions,
): Promise<IncidentRecord> {
  if (!isAction(options.action))
    throw new InvalidInputError(`unknown action ${options.action} (one of ${ACTIONS.join(', ')})`, {
      context: { action: options.action },
    });
  const incident = await env.state.getIncident(id);
  if (!incident) throw new NotFoundError(`no incident ${id}`, { context: { id } });
  if (!incident.decision)
    throw new InvalidInputError(`incident ${id} has no decision to label (${incident.status})`, {
      context: { id },
    });
  const now = options.now ?? env.clock.now();
  const label = { action: options.action, by: options.by?.trim() || 'anonymous', at: now.toISOString() };
  const pipeline = await env.pipelines.describe(incident.event.pipeline).catch(() => undefined);
  await env.audit.append({
    incidentId: id,
    step: 'label',
    at: label.at,
    policyHash: env.policy.hash,
    guardHash: GUARD_HASH,
    authorityHash: pipeline ? sha256(canonicalJson(pipeline.authority)) : '',
    data: { ...label, proposed: incident.decision.verdict.final },
  });
  const next: IncidentRecord = { ...incident, label };
  await env.state.saveIncident(next);
  return next;
}

/** The shadow observation of a decided incident; undefined for incidents without a decision. */
export function observationOf(incident: IncidentRecord): ShadowObservation | undefined {
  const decision = incident.decision;
  if (!decision || incident.status === 'duplicate') return undefined;
  return {
    family: decision.diagnosis.classification.family,
    proposed: decision.verdict.final,
    ...(incident.label ? { label: incident.label.action } : {}),
    ...(incident.approval?.verdict ? { verdict: incident.approval.verdict.verdict } : {}),
  };
}

/** Observations of every decided incident, optionally of one pipeline only. */
export function observationsOf(incidents: readonly IncidentRecord[], pipeline?: string): ShadowObservation[] {
  return incidents
    .filter((i) => pipeline === undefined || i.event.pipeline === pipeline)
    .map(observationOf)
    .filter((o): o is ShadowObservation => o !== undefined);
}

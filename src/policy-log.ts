// The decision log the policy learns from and off-policy evaluation reads: one entry per decided
// incident, with its state, proposed action, propensity and policy version (recorded by decide())
// and its reward, derived from the incident as it stands now, so the reward appears as soon as the
// outcome is known: at validation, after an approval executes, or when a label arrives later.

import type { Action } from './core/action.js';
import type { LoggedStep } from './core/policy/off-policy.js';
import { outcomeReward } from './core/policy/outcome-reward.js';
import { type StateKey, stateKey } from './core/state.js';
import type { IncidentRecord } from './ports.js';

export interface LoggedDecision {
  incidentId: string;
  pipeline: string;
  /** When the decision was made (the incident's start). */
  at: string;
  state: StateKey;
  /** The policy's proposal, its probability and the policy that made it. */
  proposed: Action;
  propensity: number;
  policyVersion: string;
  /** The guard's final action. */
  final: Action;
  status: IncidentRecord['status'];
  /** Undefined while the outcome is not known (awaiting approval, an unlabelled shadow decision). */
  reward?: number;
}

/** The log entry of one incident; undefined for incidents without a decision and duplicates. */
export function loggedDecisionOf(incident: IncidentRecord): LoggedDecision | undefined {
  const d = incident.decision;
  if (!d || incident.status === 'duplicate' || incident.status === 'failed') return undefined;
  const validation = incident.validation?.status;
  const executed =
    (validation !== undefined && validation !== 'not_applicable') ||
    (d.disposition === 'execute' && incident.status === 'recorded');
  const reward = outcomeReward({
    final: d.verdict.final,
    executed,
    ...(validation ? { validation } : {}),
    ...(incident.durationMs !== undefined ? { minutes: incident.durationMs / 60_000 } : {}),
    ...(incident.approval?.verdict ? { verdict: incident.approval.verdict.verdict } : {}),
    ...(incident.label ? { label: incident.label.action } : {}),
    overridden: d.verdict.overridden,
  });
  return {
    incidentId: incident.id,
    pipeline: incident.event.pipeline,
    at: incident.startedAt,
    state: stateKey(d.state),
    proposed: d.proposal.action,
    propensity: d.proposal.propensity,
    policyVersion: d.proposal.policyVersion,
    final: d.verdict.final,
    status: incident.status,
    ...(reward === undefined ? {} : { reward }),
  };
}

/** Every logged decision, oldest first. */
export function decisionLog(incidents: readonly IncidentRecord[]): LoggedDecision[] {
  return incidents
    .map(loggedDecisionOf)
    .filter((d): d is LoggedDecision => d !== undefined)
    .sort((a, b) => a.at.localeCompare(b.at) || a.incidentId.localeCompare(b.incidentId));
}

/** The decisions whose reward is known, as off-policy evaluation reads them. */
export function loggedSteps(log: readonly LoggedDecision[]): LoggedStep[] {
  return log
    .filter((d): d is LoggedDecision & { reward: number } => d.reward !== undefined)
    .map((d) => ({ state: d.state, action: d.proposed, propensity: d.propensity, reward: d.reward }));
}

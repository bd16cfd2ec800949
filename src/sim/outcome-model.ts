// The outcome model: what executing an action does to a simulated incident, following its ground
// truth, and how long it takes (the modelled time behind MTTR).

import { type Action, isActiveAction } from '../core/action.js';
import type { RemediationResult } from '../core/outcome.js';
import type { SimIncident } from './scenarios.js';
import { SIM_AUTHORITY } from './sim-authority.js';

/** The manual baseline: 2.5 working days until a person has looked at and fixed the incident. */
export const MANUAL_MINUTES = 3600;

/**
 * Modelled minutes per step. `detect` covers fetching the log, profiling and deciding; each active
 * action costs its own preparation plus one re-run of the job (`runMinutes` of the incident, drawn
 * between 1.5 and 5 minutes); a retry first waits out its backoff.
 */
export const STEP_MINUTES = {
  detect: 0.25,
  retry: 1,
  coerce_schema: 0.5,
  rollback_schema: 0.25,
  quarantine: 0.75,
  scale_resources: 0.5,
  /** Setting up a deferral; the wait itself is the incident's delay (or the whole bound). */
  defer: 0.05,
} as const;

export interface SimOutcome {
  action: Action;
  executed: boolean;
  fixed: boolean;
  unsafe: boolean;
  rowsLost: number;
  /** Minutes until the incident was resolved, automatically or (escalated) by a human. */
  minutes: number;
  /** Resources the action spent: scaling steps taken, and minutes a deferral waited. */
  spent?: { scaleSteps: number; waitedMinutes: number };
}

/** The outcome of taking `action` (already past the guard) on an incident. */
export function simulateAction(incident: SimIncident, action: Action): SimOutcome {
  const t = incident.truth;
  if (!isActiveAction(action)) {
    // escalate and log_only change nothing; a human resolves the incident later.
    return {
      action,
      executed: false,
      fixed: false,
      unsafe: false,
      rowsLost: 0,
      minutes: STEP_MINUTES.detect + MANUAL_MINUTES,
    };
  }
  const fixed = t.fixing.includes(action);
  const unsafe = t.unsafe.includes(action);
  const rowsLost = unsafe ? (t.rowsLostBy[action] ?? 0) : 0;
  const prep = action in STEP_MINUTES ? STEP_MINUTES[action as keyof typeof STEP_MINUTES] : 0.5;
  // A deferral waits until its condition clears, or for its whole bound when it does not in time.
  const bound = SIM_AUTHORITY.defer.maxWaitSeconds;
  const waitedMinutes = action === 'defer' ? Math.min(t.delaySeconds ?? bound, bound) / 60 : 0;
  const auto = STEP_MINUTES.detect + prep + waitedMinutes + incident.runMinutes;
  const outcome: SimOutcome = {
    action,
    executed: true,
    fixed,
    unsafe,
    rowsLost,
    minutes: fixed ? auto : auto + MANUAL_MINUTES,
  };
  if (action === 'scale_resources' || action === 'defer')
    outcome.spent = { scaleSteps: action === 'scale_resources' ? 1 : 0, waitedMinutes };
  return outcome;
}

/** The remediation result a runtime would report for the outcome (rows accounted; re-run status). */
export function remediationResult(incident: SimIncident, outcome: SimOutcome): RemediationResult {
  const rowsIn = incident.currentRows?.length ?? 0;
  const quarantined =
    (outcome.action === 'quarantine' || outcome.action === 'coerce_schema') && incident.currentRows
      ? Math.round(incident.truth.badRowFraction * rowsIn)
      : 0;
  const result: RemediationResult = {
    action: outcome.action,
    steps: [{ name: `sim.${outcome.action}`, status: 'applied' }],
    rerun: outcome.fixed
      ? { runId: `${incident.event.runId}-r1`, status: 'succeeded' }
      : {
          runId: `${incident.event.runId}-r1`,
          status: 'failed',
          errorMessage: incident.event.errorMessage ?? 'failed again',
        },
  };
  if (incident.currentRows)
    result.rows = { rowsIn, rowsDelivered: rowsIn - quarantined, rowsQuarantined: quarantined };
  if (outcome.fixed) result.output = { dataset: incident.table.name, schema: incident.contract.schema };
  return result;
}

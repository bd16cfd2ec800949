// One pass of the Airflow watcher: every failed try the plugin spooled (and, when enabled, the
// poller found) is handled once. Airflow's own retry comes first: a try whose instance Airflow will
// run again is left to Airflow when its failure family is one a retry can fix, and handled at once
// (an escalation, never a retry) when it is not, since Airflow's remaining retries would be wasted.
// One task instance escalates once: later tries of an escalated instance are recorded against it.
// After a validated data action, the instance is marked success with a note naming the incident.

import { eventClaimKey, handleIncident } from '../../agent.js';
import { classifyError } from '../../core/detect/error-classifier.js';
import type { FailureEvent } from '../../core/event.js';
import type { FailureFamily } from '../../core/failure-family.js';
import { NO_RETRY_FAMILIES } from '../../core/safety/rules.js';
import type { Environment } from '../../ports.js';
import { AIRFLOW_PENDING_STATES, type AirflowClientLike } from './airflow-client.js';
import { type AirflowFailure, instanceKey, toFailureEvent } from './airflow-event.js';
import type { AirflowPoller } from './airflow-poller.js';
import { DATA_ACTIONS } from './airflow-remediator.js';
import type { SpoolEventSource } from './spool-event-source.js';

/** What the watcher did with one failed try. */
export interface WatchOutcome {
  eventId: string;
  dagId: string;
  taskId: string;
  runId: string;
  tryNumber: number;
  via: 'spool' | 'poll';
  /**
   * `incident`: handled by the agent (see `status`); `duplicate`: this try was handled before;
   * `left_to_airflow`: Airflow's own retry is pending and a retry can fix this family;
   * `already_escalated`: an earlier try of this instance was escalated.
   */
  outcome: 'incident' | 'duplicate' | 'left_to_airflow' | 'already_escalated';
  family?: FailureFamily;
  incidentId?: string;
  status?: string;
  action?: string;
  summary: string;
}

export interface AirflowWatcherDeps {
  env: Environment;
  client: AirflowClientLike;
  spool?: SpoolEventSource;
  poller?: AirflowPoller;
}

/** The claim that marks a task instance as escalated (one escalation per instance). */
const escalatedKey = (failure: AirflowFailure) =>
  `airflow-escalated:${instanceKey({ dagId: failure.dag_id, runId: failure.run_id, taskId: failure.task_id, mapIndex: failure.map_index })}`;

/** Handles everything waiting now, spool first, and reports one outcome per failed try. */
export async function watchOnce(deps: AirflowWatcherDeps): Promise<WatchOutcome[]> {
  const outcomes: WatchOutcome[] = [];
  const spooled = deps.spool ? (await deps.spool.read()).failures : [];
  for (const { file, failure } of spooled) {
    outcomes.push(await handleFailure(failure, 'spool', deps));
    await deps.spool?.settle(file, 'done');
  }
  for (const failure of deps.poller ? await deps.poller.poll() : [])
    outcomes.push(await handleFailure(failure, 'poll', deps));
  return outcomes;
}

async function handleFailure(
  failure: AirflowFailure,
  via: WatchOutcome['via'],
  deps: AirflowWatcherDeps,
): Promise<WatchOutcome> {
  const { env } = deps;
  const event = toFailureEvent(failure);
  const base = {
    eventId: event.id,
    dagId: failure.dag_id,
    taskId: failure.task_id,
    runId: failure.run_id,
    tryNumber: failure.try_number,
    via,
  };
  const key = eventClaimKey(event);
  const claim = await env.state.getEventClaim(key);
  if (claim)
    return {
      ...base,
      outcome: 'duplicate',
      ...(claim.incidentId ? { incidentId: claim.incidentId } : {}),
      summary: `try ${failure.try_number} was handled before`,
    };

  const family = await familyOf(event, env);
  const retriable = !(NO_RETRY_FAMILIES as readonly string[]).includes(family);
  const escalated = await env.state.getEventClaim(escalatedKey(failure));
  if (escalated && !retriable) {
    await settleClaim(env, key, escalated.incidentId);
    return {
      ...base,
      outcome: 'already_escalated',
      family,
      ...(escalated.incidentId ? { incidentId: escalated.incidentId } : {}),
      summary: `an earlier try of this instance was escalated (${escalated.incidentId ?? 'incident'}); not again`,
    };
  }

  if (retriable && (await airflowWillRetry(failure, deps.client))) {
    await settleClaim(env, key);
    return {
      ...base,
      outcome: 'left_to_airflow',
      family,
      summary: `${family} failure on try ${failure.try_number}: Airflow's own retry is pending; healer does not act`,
    };
  }

  const incident = await handleIncident(event, env);
  if (incident.status === 'escalated' || incident.status === 'awaiting_approval')
    await settleClaim(env, escalatedKey(failure), incident.id);
  // A data action healed the task's data (validated and published): Airflow shows the task done.
  let marked = '';
  if (incident.status === 'resolved' && incident.action && DATA_ACTIONS.includes(incident.action)) {
    const note = `healer ${incident.id}: ${incident.action} through the embedded runtime, validated`;
    marked = await deps.client
      .markTaskInstance(failure.dag_id, failure.run_id, failure.task_id, failure.map_index, 'success', note)
      .then(
        () => '; task instance marked success',
        (error: unknown) =>
          `; marking the task instance success failed: ${error instanceof Error ? error.message : error}`,
      );
  }
  return {
    ...base,
    outcome: incident.status === 'duplicate' ? 'duplicate' : 'incident',
    family,
    incidentId: incident.id,
    status: incident.status,
    ...(incident.action ? { action: incident.action } : {}),
    summary: `${incident.summary}${marked}`,
  };
}

/** Whether Airflow will run this instance again itself (asked now; the spooled state is a hint). */
async function airflowWillRetry(failure: AirflowFailure, client: AirflowClientLike): Promise<boolean> {
  try {
    const now = await client.getTaskInstance(
      failure.dag_id,
      failure.run_id,
      failure.task_id,
      failure.map_index,
    );
    if (now.try_number > failure.try_number) return true; // a later try exists already
    return (AIRFLOW_PENDING_STATES as readonly string[]).includes(now.state ?? '');
  } catch {
    return failure.state === 'up_for_retry';
  }
}

/** The failure family of the try, from its log (the event's own message when the log is unreadable). */
async function familyOf(event: FailureEvent, env: Environment): Promise<FailureFamily> {
  const text = await env.logs.fetchRunLog(event).then(
    (log) => log.text,
    () => event.errorMessage ?? '',
  );
  return classifyError(text).family;
}

/** Claims and closes a key at once: the try is settled and any redelivery is a duplicate. */
async function settleClaim(env: Environment, key: string, incidentId?: string): Promise<void> {
  await env.state.claimEvent(key, { now: env.clock.now(), ...(incidentId ? { incidentId } : {}) });
  await env.state.finishEvent(key);
}

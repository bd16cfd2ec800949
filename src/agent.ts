// One incident end to end over the ports: claim → gather (read-only) → diagnose → decide (policy,
// then guard) → execute → validate → record. Every step is appended to the hash-chained audit.
// This is the one door; the CLI, the local runner, the Lambda handler and the simulator only turn
// their input into a FailureEvent and call it.

import { approvalRequest } from './approval-request.js';
import { isActiveAction } from './core/action.js';
import { type AuditStep, canonicalJson, sha256 } from './core/audit-chain.js';
import { decide } from './core/decide.js';
import type { BudgetUsage, Capabilities, Decision, Diagnosis } from './core/decision.js';
import { diagnose } from './core/diagnose.js';
import { oneLine } from './core/errors.js';
import { type FailureEvent, rootRunOf } from './core/event.js';
import type { DatasetEvidence, Evidence } from './core/evidence.js';
import type { RemediationResult, ValidationResult } from './core/outcome.js';
import { GUARD_HASH } from './core/safety/guard.js';
import { validate } from './core/validate.js';
import type { Environment, EventClaim, IncidentRecord, PipelineDescription } from './ports.js';

export interface HandleIncidentOptions {
  /** Incident id; defaults to a hash of the event id. */
  incidentId?: string;
  /** Ablation only (benchmark): run without the guard. Never exposed to users. */
  guard?: 'on' | 'off';
  /** Rows to sample when profiling inputs (adapters may bound further). */
  sampleRows?: number;
  /**
   * How long this handler may hold the event's claim (the Lambda's remaining time). A claim whose
   * holder died before acting is taken over after it; without one the claim never expires.
   */
  claimLeaseMs?: number;
}

/** The idempotency key of an event: one run reaching one state is handled once. */
export function eventClaimKey(event: Pick<FailureEvent, 'runId' | 'state'>): string {
  return `${event.runId}:${event.state}`;
}

/** Handles one failure event and returns the stored incident record. */
export async function handleIncident(
  event: FailureEvent,
  env: Environment,
  options: HandleIncidentOptions = {},
): Promise<IncidentRecord> {
  const started = env.clock.now();
  const incidentId = options.incidentId ?? `inc-${sha256(event.id).slice(0, 12)}`;
  const base: IncidentRecord = {
    id: incidentId,
    event,
    status: 'failed',
    summary: '',
    startedAt: started.toISOString(),
  };

  // EventBridge (and any runner) may deliver the same event more than once: act once.
  const claimKey = eventClaimKey(event);
  const claimed = await env.state.claimEvent(claimKey, {
    now: started,
    incidentId,
    ...(options.claimLeaseMs === undefined ? {} : { leaseMs: options.claimLeaseMs }),
  });
  if (!claimed) {
    const claim = await env.state.getEventClaim(claimKey);
    const leaseOver = claim?.leaseUntil !== undefined && Date.parse(claim.leaseUntil) <= started.getTime();
    if (claim?.status === 'acting' && leaseOver) return reconcileInterrupted(event, claim, base, env);
    return {
      ...base,
      ...(claim?.incidentId ? { id: claim.incidentId } : {}),
      status: 'duplicate',
      summary: `event for run ${event.runId} (${event.state}) already handled`,
    };
  }

  let authorityHash = '';
  const record = async (step: AuditStep, data: unknown) =>
    env.audit.append({
      incidentId,
      step,
      at: env.clock.now().toISOString(),
      policyHash: env.policy.hash,
      guardHash: GUARD_HASH,
      authorityHash,
      data,
    });

  await record('received', { event });
  const pipeline = await env.pipelines.describe(event.pipeline);
  authorityHash = sha256(canonicalJson(pipeline.authority));

  const evidence = await gatherEvidence(event, pipeline, env, options.sampleRows);
  await record('evidence', summarizeEvidence(evidence));

  const { diagnosis, capabilities, usage, decision } = await decideIncident(
    { incidentId, event, evidence, pipeline },
    env,
    options.guard ?? 'on',
  );
  await record('diagnosis', diagnosis);
  await record('decision', { capabilities, usage, decision });

  const finish = async (
    status: IncidentRecord['status'],
    summary: string,
    extra: Partial<IncidentRecord> = {},
  ): Promise<IncidentRecord> => {
    const finished = env.clock.now();
    const incident: IncidentRecord = {
      ...base,
      ...extra,
      status,
      summary,
      action: decision.verdict.final,
      decision,
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
    };
    await record('outcome', { status, summary, durationMs: incident.durationMs });
    await env.state.saveIncident(incident);
    await env.state.finishEvent(claimKey);
    return incident;
  };

  const action = decision.verdict.final;
  if (decision.disposition === 'record_only') {
    return finish('recorded', `shadow mode: would ${action}; nothing executed`);
  }
  if (decision.disposition === 'await_approval' && isActiveAction(action)) {
    await record('escalation', { reason: 'supervised mode: approval required', proposedAction: action });
    const steps = await env.notifier.escalate({
      incidentId,
      pipeline: event.pipeline,
      job: event.job,
      runId: event.runId,
      summary: `approval required to ${action}`,
      reason: 'supervised mode: approval required before executing',
      decision,
      evidence,
    });
    return finish('awaiting_approval', `awaiting approval to ${action}`, {
      result: { action: 'escalate', steps },
      approval: await approvalRequest({ evidence, pipeline, capabilities, usage, decision }, env),
    });
  }

  return executeDecision(
    { incidentId, event, evidence, pipeline, decision, claimLeaseMs: options.claimLeaseMs },
    env,
    record,
    finish,
  );
}

/** Appends one step to the incident's audit chain. */
export type RecordStep = (step: AuditStep, data: unknown) => Promise<unknown>;
/** Stores the incident with its terminal status, audits the outcome and closes the event claim. */
export type FinishIncident = (
  status: IncidentRecord['status'],
  summary: string,
  extra?: Partial<IncidentRecord>,
) => Promise<IncidentRecord>;

/** What executing a decision needs: the incident, its evidence and the decision (guard already run). */
export interface DecisionContext {
  incidentId: string;
  event: FailureEvent;
  evidence: Evidence;
  pipeline: PipelineDescription;
  decision: Decision;
  claimLeaseMs?: number | undefined;
}

/**
 * Carries out a decision the guard allowed: escalate, record a passive action, or lock, execute,
 * validate and finish `resolved` or `escalated`. Shared by `handleIncident` (autonomous mode) and
 * an approval (supervised mode), so both act the same way.
 */
export async function executeDecision(
  context: DecisionContext,
  env: Environment,
  record: RecordStep,
  finish: FinishIncident,
): Promise<IncidentRecord> {
  const { incidentId, event, evidence, pipeline, decision } = context;
  const options = { claimLeaseMs: context.claimLeaseMs };
  const claimKey = eventClaimKey(event);
  const action = decision.verdict.final;
  if (action === 'escalate') {
    const steps = await env.notifier.escalate({
      incidentId,
      pipeline: event.pipeline,
      job: event.job,
      runId: event.runId,
      summary: `escalated: ${decision.verdict.reason}`,
      reason: decision.verdict.reason,
      decision,
      evidence,
    });
    const result: RemediationResult = { action, steps };
    await record('escalation', result);
    return finish('escalated', `escalated: ${decision.verdict.reason}`, { result });
  }
  if (action === 'log_only' || action === 'defer') {
    const result: RemediationResult = { action, steps: [{ name: action, status: 'applied' }] };
    await record('action', result);
    return finish('recorded', `${action}: ${decision.verdict.reason}`, { result });
  }

  // Active action: take the per-job lock so two incidents never remediate one job at once.
  const owner = incidentId;
  // The lock lives no longer than this handler may (a dead Lambda's lock frees with its lease).
  const lockTtlMs = options.claimLeaseMs ?? 15 * 60_000;
  if (!(await env.state.acquireLock(event.job, owner, lockTtlMs, env.clock.now()))) {
    const steps = await env.notifier.escalate({
      incidentId,
      pipeline: event.pipeline,
      job: event.job,
      runId: event.runId,
      summary: 'another remediation holds the job lock',
      reason: 'job is locked by a concurrent remediation',
      decision,
      evidence,
    });
    return finish('escalated', 'escalated: job locked by a concurrent remediation', {
      result: { action: 'escalate', steps },
    });
  }
  let result: RemediationResult;
  try {
    // From here on a redelivery must never act again, only reconcile what this one started.
    await env.state.markEventActing(claimKey, action);
    if (action === 'retry') await env.state.recordRetry(event.job, rootRunOf(event), env.clock.now());
    try {
      result = await env.remediator.execute(action, { incidentId, event, evidence, decision, pipeline });
    } catch (error) {
      result = {
        action,
        steps: [{ name: action, status: 'failed', detail: oneLine(error) }],
        error: { code: errorCode(error), message: oneLine(error) },
      };
    }
  } finally {
    await env.state.releaseLock(event.job, owner);
  }
  await record('action', result);

  const contract = pipeline.datasets.find((d) => d.dataset === result.output?.dataset)?.contract;
  const validation = validate({ action, result, contract });
  await record('validation', validation);
  await env.state.recordRemediation(event.job, validation.status === 'resolved');

  if (validation.status === 'resolved') {
    return finish('resolved', `${action} validated: ${validation.checks.map((c) => c.name).join(', ')}`, {
      result,
      validation,
    });
  }
  const failed = validation.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
  const reason = `validation failed after ${action}: ${failed.join('; ') || result.error?.message || 'unknown'}`;
  const steps = await env.notifier.escalate({
    incidentId,
    pipeline: event.pipeline,
    job: event.job,
    runId: event.runId,
    summary: reason,
    reason,
    decision,
    evidence,
    validation,
  });
  await record('escalation', { reason, steps });
  return finish('escalated', reason, { result, validation });
}

/**
 * Finishes an incident whose handler started an active action and then failed or died before
 * recording the outcome. Acting again could double a quarantine or a publish, so it never does: it
 * records the interruption in the audit, hands the incident to a human and closes the claim.
 */
async function reconcileInterrupted(
  event: FailureEvent,
  claim: EventClaim,
  base: IncidentRecord,
  env: Environment,
): Promise<IncidentRecord> {
  const incidentId = claim.incidentId ?? base.id;
  const action = claim.action ?? 'unknown action';
  const reason =
    `a previous attempt started ${action} and stopped before recording its outcome; ` +
    "healer did not act again: check the job's last run and its output";
  const previous = await env.state.getIncident(incidentId);
  const now = env.clock.now();
  const pipeline = await env.pipelines.describe(event.pipeline);
  const record = (step: AuditStep, data: unknown) =>
    env.audit.append({
      incidentId,
      step,
      at: now.toISOString(),
      policyHash: env.policy.hash,
      guardHash: GUARD_HASH,
      authorityHash: sha256(canonicalJson(pipeline.authority)),
      data,
    });
  await record('reconcile', { claim, reason, redeliveredEventId: event.id });
  // The interrupted holder is gone (its lease passed): its job lock must not block the next run.
  await env.state.releaseLock(event.job, incidentId);
  const steps = await env.notifier.escalate({
    incidentId,
    pipeline: event.pipeline,
    job: event.job,
    runId: event.runId,
    summary: `escalated: ${reason}`,
    reason,
    evidence: { event, logs: '', logsTruncated: false, datasets: [] },
  });
  const incident: IncidentRecord = {
    ...base,
    ...previous,
    id: incidentId,
    status: 'escalated',
    summary: `escalated: ${reason}`,
    ...(claim.action ? { action: claim.action } : {}),
    result: { action: 'escalate', steps },
    finishedAt: now.toISOString(),
    durationMs: now.getTime() - Date.parse(previous?.startedAt ?? base.startedAt),
  };
  await record('outcome', {
    status: incident.status,
    summary: incident.summary,
    durationMs: incident.durationMs,
  });
  await env.state.saveIncident(incident);
  await env.state.finishEvent(eventClaimKey(event));
  return incident;
}

/** Diagnoses gathered evidence and decides (policy, then guard) without executing anything. */
export async function decideIncident(
  context: { incidentId: string; event: FailureEvent; evidence: Evidence; pipeline: PipelineDescription },
  env: Pick<Environment, 'remediator' | 'state' | 'clock' | 'policy'>,
  guard: 'on' | 'off' = 'on',
): Promise<{ diagnosis: Diagnosis; capabilities: Capabilities; usage: BudgetUsage; decision: Decision }> {
  const { event, pipeline } = context;
  const diagnosis = diagnose(context.evidence);
  const capabilities = await env.remediator.capabilities({ ...context, diagnosis });
  const usage = await env.state.usage(event.job, rootRunOf(event), env.clock.now());
  const decision = decide({
    diagnosis,
    policy: env.policy,
    capabilities,
    authority: pipeline.authority,
    usage,
    guard,
  });
  return { diagnosis, capabilities, usage, decision };
}

/** Gathers logs, catalog history and profiles for every dataset the pipeline reads. Read-only. */
export async function gatherEvidence(
  event: FailureEvent,
  pipeline: PipelineDescription,
  env: Pick<Environment, 'logs' | 'catalog' | 'data'>,
  sampleRows?: number,
): Promise<Evidence> {
  const log = await env.logs.fetchRunLog(event);
  const wanted = event.datasets?.length
    ? pipeline.datasets.filter((d) => event.datasets?.includes(d.dataset))
    : pipeline.datasets;
  const datasets: DatasetEvidence[] = [];
  for (const binding of wanted) {
    const options = {
      keys: binding.contract?.keys,
      freshnessColumn: binding.contract?.freshnessColumn,
      // Validity is measured against the contract's types, not whatever the engine infers.
      expected: binding.contract?.schema,
      sampleRows,
    };
    const item: DatasetEvidence = {
      dataset: binding.dataset,
      contract: binding.contract,
      schemaVersions: await env.catalog.listSchemaVersions(binding.dataset),
    };
    // An unreadable input is itself evidence (missing file, permission): record it, keep going.
    try {
      item.currentSchema = await env.data.inferSchema(binding.location, binding.dataset);
      item.currentProfile = await env.data.profile(binding.location, options);
    } catch {
      // The log carries the engine's error; the classifier reads it from there.
    }
    if (binding.baselineLocation) {
      try {
        item.baselineProfile = await env.data.profile(binding.baselineLocation, options);
      } catch {
        // No usable baseline: drift falls back to the contract and catalog schemas.
      }
    }
    datasets.push(item);
  }
  return { event, logs: log.text, logsTruncated: log.truncated, datasets };
}

function summarizeEvidence(evidence: Evidence) {
  return {
    logsBytes: evidence.logs.length,
    logsTruncated: evidence.logsTruncated,
    logTail: evidence.logs.slice(-4000),
    datasets: evidence.datasets.map((d) => ({
      dataset: d.dataset,
      schemaVersions: d.schemaVersions.map((v) => v.version ?? '?'),
      currentSchema: d.currentSchema,
      baselineRows: d.baselineProfile?.rowCount,
      currentRows: d.currentProfile?.rowCount,
    })),
  };
}

function errorCode(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string')
    return error.code;
  return 'E_INTERNAL';
}

export type { Diagnosis, ValidationResult };

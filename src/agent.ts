// One incident end to end over the ports: claim → gather (read-only) → diagnose → decide (policy,
// then guard) → execute → validate → record. Every step is appended to the hash-chained audit.
// This is the one door; the CLI, the local runner, the Lambda handler and the simulator only turn
// their input into a FailureEvent and call it.

import { isActiveAction } from './core/action.js';
import { type AuditStep, canonicalJson, sha256 } from './core/audit-chain.js';
import { decide } from './core/decide.js';
import type { BudgetUsage, Capabilities, Decision, Diagnosis } from './core/decision.js';
import { diagnose } from './core/diagnose.js';
import { oneLine } from './core/errors.js';
import type { FailureEvent } from './core/event.js';
import type { DatasetEvidence, Evidence } from './core/evidence.js';
import type { RemediationResult, ValidationResult } from './core/outcome.js';
import { GUARD_HASH } from './core/safety/guard.js';
import { validate } from './core/validate.js';
import type { Environment, IncidentRecord, PipelineDescription } from './ports.js';

export interface HandleIncidentOptions {
  /** Incident id; defaults to a hash of the event id. */
  incidentId?: string;
  /** Ablation only (benchmark): run without the guard. Never exposed to users. */
  guard?: 'on' | 'off';
  /** Rows to sample when profiling inputs (adapters may bound further). */
  sampleRows?: number;
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
  if (!(await env.state.claimEvent(`${event.runId}:${event.state}`))) {
    return {
      ...base,
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
    });
  }

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
  if (!(await env.state.acquireLock(event.job, owner, 15 * 60_000, env.clock.now()))) {
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
    if (action === 'retry') await env.state.recordRetry(event.job, event.runId, env.clock.now());
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

/** Diagnoses gathered evidence and decides (policy, then guard) without executing anything. */
export async function decideIncident(
  context: { incidentId: string; event: FailureEvent; evidence: Evidence; pipeline: PipelineDescription },
  env: Pick<Environment, 'remediator' | 'state' | 'clock' | 'policy'>,
  guard: 'on' | 'off' = 'on',
): Promise<{ diagnosis: Diagnosis; capabilities: Capabilities; usage: BudgetUsage; decision: Decision }> {
  const { event, pipeline } = context;
  const diagnosis = diagnose(context.evidence);
  const capabilities = await env.remediator.capabilities({ ...context, diagnosis });
  const usage = await env.state.usage(event.job, event.runId, env.clock.now());
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
      // One read of the input when the engine can: the schema and the measurements agree.
      if (env.data.inspect) {
        const inspected = await env.data.inspect(binding.location, binding.dataset, options);
        item.currentSchema = inspected.schema;
        item.currentProfile = inspected.profile;
      } else {
        item.currentSchema = await env.data.inferSchema(binding.location, binding.dataset);
        item.currentProfile = await env.data.profile(binding.location, options);
      }
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

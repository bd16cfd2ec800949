// One incident end to end over the ports: claim → gather (read-only) → diagnose → decide (policy,
// then guard) → intent → execute (staged) → validate → commit → record. Every step is appended to
// the hash-chained audit; `reconcile` finishes or undoes the actions of a process that died.
// This is the one door; the CLI, the local runner, the Lambda handler and the simulator only turn
// their input into a FailureEvent and call it.

import { approvalRequest } from './approval-request.js';
import { isActiveAction } from './core/action.js';
import { type AuditBody, type AuditStep, canonicalJson, sha256 } from './core/audit-chain.js';
import { decide, encodeState } from './core/decide.js';
import type { BudgetUsage, Capabilities, Decision, Diagnosis } from './core/decision.js';
import { diagnose } from './core/diagnose.js';
import { oneLine } from './core/errors.js';
import { escalationHeadline } from './core/escalation-headline.js';
import { type FailureEvent, rootRunOf } from './core/event.js';
import type { DatasetEvidence, Evidence } from './core/evidence.js';
import { rowChecks } from './core/failing-row.js';
import type { RemediationResult, ValidationResult } from './core/outcome.js';
import { incidentPolicy } from './core/policy/incident-policy.js';
import { redact, redactDeep, redactShared } from './core/redact.js';
import { GUARD_HASH } from './core/safety/guard.js';
import { driftSignature, type MigrationProposal, proposeMigration } from './core/schema-migration.js';
import { stateKey } from './core/state.js';
import { validate } from './core/validate.js';
import { crashPoint } from './crash-point.js';
import { describeHolder, takeLease } from './lock-lease.js';
import type {
  ActionIntent,
  Environment,
  Escalation,
  EventClaim,
  IncidentRecord,
  PipelineDescription,
} from './ports.js';

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
  /** Propose a schema migration once the same drift was healed this many times (default 3). */
  proposeMigrationAfter?: number;
}

/** The idempotency key of an event: one run reaching one state is handled once. */
export function eventClaimKey(event: Pick<FailureEvent, 'runId' | 'state'>): string {
  return `${event.runId}:${event.state}`;
}

/** A job lock whose holder stopped beating this long ago is taken over (it beats every quarter of it). */
export const JOB_LOCK_TTL_MS = 120_000;

/** Handles one failure event and returns the stored incident record. */
export async function handleIncident(
  received: FailureEvent,
  env: Environment,
  options: HandleIncidentOptions = {},
): Promise<IncidentRecord> {
  // Actions a dead process left open are finished or undone before anything new starts.
  await reconcile(env);
  const started = env.clock.now();
  const incidentId = options.incidentId ?? `inc-${sha256(received.id).slice(0, 12)}`;
  // The evidence boundary: the event's message and details are untrusted text from the job.
  const event = redactEvent(received);
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
  const body = (step: AuditStep, data: unknown): AuditBody => ({
    incidentId,
    step,
    at: env.clock.now().toISOString(),
    policyHash: env.policy.hash,
    guardHash: GUARD_HASH,
    authorityHash,
    data,
  });
  const record = async (step: AuditStep, data: unknown) => env.audit.append(body(step, data));

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

  const scope = incidentScope({ incidentId, event, evidence, decision, base, authorityHash, started }, env);
  const { escalateWith } = scope;
  const finish = async (
    status: IncidentRecord['status'],
    summary: string,
    extra: Partial<IncidentRecord> = {},
  ): Promise<IncidentRecord> => {
    const incident = scope.finished(status, summary, extra);
    await record('outcome', scope.outcomeOf(incident));
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
    // The request (and its expiry) exists before the message, so the message can say until when.
    const approval = await approvalRequest({ evidence, pipeline, capabilities, usage, decision }, env);
    const { steps, headline } = await escalateWith(
      'approval',
      `approval required to ${action}`,
      'supervised mode: approval required before executing',
      { approval: { expiresAt: approval.expiresAt } },
    );
    return finish('awaiting_approval', headline, {
      result: { action: 'escalate', steps },
      approval,
    });
  }

  return executeDecision(
    {
      incidentId,
      event,
      evidence,
      pipeline,
      decision,
      base,
      authorityHash,
      started,
      ...(options.proposeMigrationAfter === undefined
        ? {}
        : { proposeMigrationAfter: options.proposeMigrationAfter }),
    },
    env,
    record,
    finish,
  );
}

/** The helpers one incident's steps share: audit bodies, the finished record, escalations. */
function incidentScope(
  ctx: Pick<
    DecisionContext,
    'incidentId' | 'event' | 'evidence' | 'decision' | 'base' | 'authorityHash' | 'started' | 'extra'
  >,
  env: Environment,
) {
  const { incidentId, event, evidence, decision } = ctx;
  const body = (step: AuditStep, data: unknown): AuditBody => ({
    incidentId,
    step,
    at: env.clock.now().toISOString(),
    policyHash: env.policy.hash,
    guardHash: GUARD_HASH,
    authorityHash: ctx.authorityHash,
    data,
  });
  const finished = (
    status: IncidentRecord['status'],
    summary: string,
    extra: Partial<IncidentRecord> = {},
  ): IncidentRecord => {
    const at = env.clock.now();
    // Nothing healer stores carries a secret: the incident is redacted as a whole once more.
    return redactDeep({
      ...ctx.base,
      ...ctx.extra,
      ...extra,
      status,
      summary,
      action: decision.verdict.final,
      decision,
      finishedAt: at.toISOString(),
      durationMs: at.getTime() - ctx.started.getTime(),
    });
  };
  const outcomeOf = (incident: IncidentRecord) => ({
    status: incident.status,
    summary: incident.summary,
    durationMs: incident.durationMs,
  });
  // Every hand-off to a human carries the same evidence and decision trace, and its headline (the
  // cause in plain words and what to do) is the same on every channel.
  const escalateWith = async (
    kind: Escalation['kind'],
    summary: string,
    reason: string,
    extra: Pick<Escalation, 'validation' | 'migration' | 'approval'> = {},
  ) => {
    const escalation: Escalation = {
      incidentId,
      pipeline: event.pipeline,
      job: event.job,
      runId: event.runId,
      summary,
      reason,
      kind,
      decision,
      evidence,
      ...extra,
    };
    const headline = escalationHeadline(escalation);
    const steps = await env.notifier.escalate({ ...escalation, summary: headline });
    return { steps, headline };
  };
  return { body, finished, outcomeOf, escalateWith };
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
  /** The incident as received (or as stored, for an approval): the finished record extends it. */
  base: IncidentRecord;
  authorityHash: string;
  /** When handling started (time to resolution counts from it). */
  started: Date;
  /** Fields every finished record carries (an approval's verdict). */
  extra?: Partial<IncidentRecord>;
  proposeMigrationAfter?: number;
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
  const { incidentId, event, evidence, pipeline, decision, base, authorityHash } = context;
  const { body, finished, outcomeOf, escalateWith } = incidentScope(context, env);
  const claimKey = eventClaimKey(event);
  const action = decision.verdict.final;
  if (action === 'escalate') {
    // A human gets examples: the first rows failing the findings' checks, with keys and reasons.
    await attachFailingRows(evidence, decision.diagnosis, pipeline, env);
    const { steps, headline } = await escalateWith(
      'decision',
      `escalated: ${decision.verdict.reason}`,
      decision.verdict.reason,
    );
    const result: RemediationResult = { action, steps };
    await record('escalation', { ...result, headline });
    return finish('escalated', headline, { result });
  }
  if (action === 'log_only') {
    const result: RemediationResult = { action, steps: [{ name: action, status: 'applied' }] };
    await record('action', result);
    return finish('recorded', `${action}: ${decision.verdict.reason}`, { result });
  }

  // Active action. Its intent is durable before the lock is taken and before anything is written,
  // so a process that dies from here on leaves something `reconcile` can finish or undo.
  const journal = env.journal;
  const remediation = { incidentId, event, evidence, decision, pipeline };
  const writes = (await env.remediator.plannedWrites?.(action, remediation)) ?? [];
  const intent: ActionIntent = {
    incidentId,
    pipeline: event.pipeline,
    job: event.job,
    action,
    incident: { ...base, action, decision },
    policyHash: env.policy.hash,
    guardHash: GUARD_HASH,
    authorityHash,
    writes,
  };
  await journal?.begin(intent);
  // The per-job lock: two incidents never remediate one job at once. It names its holder's process
  // and beats while held, so a dead holder's lock (a killed process, a Lambda past its timeout) is
  // taken over after JOB_LOCK_TTL_MS.
  const lease = await takeLease(env.state, env.clock, event.job, incidentId, { ttlMs: JOB_LOCK_TTL_MS });
  if (!lease.acquired) {
    await journal?.close(incidentId);
    const reason = `job is locked by a concurrent remediation: ${describeHolder(lease.holder)}`;
    const { steps, headline } = await escalateWith(
      'locked',
      'another remediation holds the job lock',
      reason,
    );
    await record('escalation', { reason, holder: lease.holder, steps });
    return finish('escalated', headline, {
      result: { action: 'escalate', steps },
    });
  }
  if (lease.takenOver)
    await record('lock_takeover', {
      lock: event.job,
      reason: lease.takenOver.reason,
      previous: lease.takenOver.previous,
      holder: lease.holder,
    });
  try {
    // Without a journal the executor publishes as it goes: there is no intent to record.
    if (journal) await record('intent', { action, writes });
    crashPoint('intent');
    // From here on a redelivery must never act again, only reconcile what this one started.
    await env.state.markEventActing(claimKey, action);
    let result: RemediationResult;
    if (action === 'retry') await env.state.recordRetry(event.job, rootRunOf(event), env.clock.now());
    if (action === 'scale_resources' || action === 'defer')
      await env.state.recordResourceAction?.(event.job, rootRunOf(event), action, env.clock.now());
    const phase = env.progress?.start(`remediation ${action}`);
    try {
      result = await env.remediator.execute(action, remediation);
      phase?.done({ rows: result.rows?.rowsIn });
    } catch (error) {
      phase?.done();
      result = {
        action,
        steps: [{ name: action, status: 'failed', detail: oneLine(error) }],
        error: { code: errorCode(error), message: oneLine(error) },
      };
    }
    // Taken over mid-action (the heartbeat went stale): said in the record, since another may act too.
    await record('action', lease.lost() ? { ...result, lockLost: true } : result);
    crashPoint('action-recorded');

    const contract = pipeline.datasets.find((d) => d.dataset === result.output?.dataset)?.contract;
    const validation = validate({ action, result, contract });
    await record('validation', validation);

    if (validation.status === 'resolved') {
      const validated = `${action} validated: ${validation.checks.map((c) => c.name).join(', ')}`;
      // Healed again, but the same drift keeps coming: ask a person to adopt it for good.
      const migration = await migrationToPropose(event, decision, env, context.proposeMigrationAfter);
      const migrationReason = migration ? `the same drift was healed ${migration.healedTimes} times` : '';
      const migrationHeadline = migration
        ? escalationHeadline({
            job: event.job,
            reason: migrationReason,
            kind: 'migration',
            migration,
            decision,
            evidence,
            validation,
          })
        : '';
      const summary = migration ? `${validated}; ${migrationHeadline}` : validated;
      const incident = finished('resolved', summary, {
        result,
        validation,
        ...(migration ? { migration } : {}),
      });
      // The commit: what the action staged, the records still to append and the incident, in one
      // atomic write. From here on the action happened; a restart finishes it.
      const commit = journal
        ? await journal.commit(incidentId, (staged) => ({
            writes: staged,
            records: [body('commit', { writes: staged }), body('outcome', outcomeOf(incident))],
            incident,
          }))
        : { writes: [], records: [body('outcome', outcomeOf(incident))], incident };
      crashPoint('commit');
      await journal?.publish(incidentId);
      for (const r of commit.records) {
        await env.audit.append(r);
        crashPoint(r.step === 'commit' ? 'commit-recorded' : 'outcome-recorded');
      }
      await env.state.saveIncident(incident);
      await env.state.finishEvent(claimKey);
      crashPoint('incident-saved');
      await env.state.recordRemediation(event.job, true);
      // Job memory: this action is proposed first the next time this job fails in this state.
      await env.state.recordFix?.(event.job, stateKey(decision.state), action, env.clock.now());
      // The lock goes before the intent: a lock is never held without an intent naming its owner.
      await lease.release();
      await journal?.close(incidentId);
      crashPoint('closed');
      if (migration) {
        const { steps, headline } = await escalateWith('migration', validated, migrationReason, {
          validation,
          migration,
        });
        await record('escalation', { reason: migrationReason, headline, migration, steps });
      }
      return incident;
    }

    // Not validated: nothing the action staged is published; the previous good output stays.
    await journal?.discard(incidentId);
    await env.state.recordRemediation(event.job, false);
    const failed = validation.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
    const reason = `validation failed after ${action}: ${failed.join('; ') || result.error?.message || 'unknown'}`;
    const { steps, headline } = await escalateWith('validation', reason, reason, { validation });
    await record('escalation', { reason, headline, steps });
    const incident = await finish('escalated', headline, { result, validation });
    await lease.release();
    await journal?.close(incidentId);
    return incident;
  } finally {
    await lease.release();
  }
}

/** What `reconcile` did with one action a dead process left open. */
export interface Reconciliation {
  incidentId: string;
  action: ActionIntent['action'];
  resolution: 'rolled_forward' | 'rolled_back';
}

/**
 * Finishes or undoes every action whose process died: a committed action is rolled forward (its
 * staged writes published, its missing audit records appended, its incident saved), an uncommitted
 * one rolled back (its staging removed, the incident recorded as failed). Either way the audit gets
 * one `reconcile` record and the dead owner's job lock is released. Idempotent: a crash during
 * reconciliation is reconciled again, appending only what is still missing.
 */
export async function reconcile(
  env: Pick<Environment, 'journal' | 'audit' | 'state' | 'clock'>,
): Promise<Reconciliation[]> {
  if (!env.journal) return [];
  const done: Reconciliation[] = [];
  for (const { intent, commit } of await env.journal.abandoned()) {
    const { incidentId } = intent;
    const seen = new Set((await env.audit.read(incidentId)).map((r) => r.step));
    const body = (step: AuditStep, data: unknown): AuditBody => ({
      incidentId,
      step,
      at: env.clock.now().toISOString(),
      policyHash: intent.policyHash,
      guardHash: intent.guardHash,
      authorityHash: intent.authorityHash,
      data,
    });
    const append = async (record: AuditBody) => {
      if (seen.has(record.step)) return;
      await env.audit.append(record);
      seen.add(record.step);
    };
    if (commit) {
      await env.journal.publish(incidentId);
      await append(
        body('reconcile', { resolution: 'rolled_forward', action: intent.action, writes: commit.writes }),
      );
      for (const r of commit.records) await append(r);
      await env.state.saveIncident(commit.incident);
      await env.state.recordRemediation(intent.job, true);
    } else {
      await env.journal.discard(incidentId);
      const summary = `the process stopped during ${intent.action} before its commit: rolled back, nothing it staged was published`;
      const at = env.clock.now();
      const incident: IncidentRecord = {
        ...intent.incident,
        status: 'failed',
        summary,
        finishedAt: at.toISOString(),
        durationMs: at.getTime() - Date.parse(intent.incident.startedAt),
      };
      await append(
        body('reconcile', { resolution: 'rolled_back', action: intent.action, writes: intent.writes }),
      );
      await append(body('outcome', { status: incident.status, summary, durationMs: incident.durationMs }));
      await env.state.saveIncident(incident);
    }
    // The event's claim is closed too: a redelivery is a duplicate, never a second action.
    await env.state.finishEvent(eventClaimKey(intent.incident.event));
    await env.state.releaseLock(intent.job, incidentId);
    await env.journal.close(incidentId);
    done.push({ incidentId, action: intent.action, resolution: commit ? 'rolled_forward' : 'rolled_back' });
  }
  return done;
}

/** A schema migration to propose when this incident healed a drift already healed again and again. */
async function migrationToPropose(
  event: FailureEvent,
  decision: Decision,
  env: Environment,
  after: number | undefined,
): Promise<MigrationProposal | undefined> {
  const dataset = event.datasets?.[0];
  if (!dataset || !driftSignature(dataset, decision.diagnosis.findings)) return undefined;
  const history = (await env.state.listIncidents(500))
    .filter((i) => i.event.pipeline === event.pipeline && i.decision)
    .map((i) => ({
      pipeline: i.event.pipeline,
      resolved: i.status === 'resolved',
      signature: driftSignature(i.event.datasets?.[0] ?? '', i.decision?.diagnosis.findings ?? []),
    }));
  return proposeMigration({
    pipeline: event.pipeline,
    pipelineRef: event.details?.pipelineFile ?? event.pipeline,
    dataset,
    findings: decision.diagnosis.findings,
    history,
    ...(after === undefined ? {} : { after }),
  });
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
  const remembered = await env.state.lastFix?.(event.job, stateKey(encodeState(diagnosis)));
  const decision = decide({
    diagnosis,
    // What fixed this job before comes first; resource actions the policy cannot name come next; a
    // throttle that outlasted a retry is deferred, a wait for what already arrived becomes a run.
    policy: incidentPolicy(env.policy, { capabilities, authority: pipeline.authority, usage, remembered }),
    capabilities,
    authority: pipeline.authority,
    usage,
    guard,
    explorationKey: context.incidentId,
  });
  return { diagnosis, capabilities, usage, decision };
}

/** Gathers logs, catalog history and profiles for every dataset the pipeline reads. Read-only. */
export async function gatherEvidence(
  event: FailureEvent,
  pipeline: PipelineDescription,
  env: Pick<Environment, 'logs' | 'catalog' | 'data' | 'progress'>,
  sampleRows?: number,
): Promise<Evidence> {
  const gathering = env.progress?.start('evidence');
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
      ...(binding.read ? { read: binding.read } : {}),
    };
    const readSpec = { ...(binding.read ? { read: binding.read } : {}), expected: binding.contract?.schema };
    const item: DatasetEvidence = {
      dataset: binding.dataset,
      contract: binding.contract,
      schemaVersions: await env.catalog.listSchemaVersions(binding.dataset),
    };
    // An unreadable input is itself evidence (missing file, permission): record it, keep going.
    const profiling = env.progress?.start(`profile ${binding.dataset}`);
    try {
      if (env.data.readFacts) item.read = await env.data.readFacts(binding.location, readSpec);
    } catch {
      // Unreadable: the log carries the engine's error (naming the file).
    }
    if (item.read?.empty === undefined) {
      try {
        // One read of the input when the engine can: the schema and the measurements agree.
        if (env.data.inspect) {
          const inspected = await env.data.inspect(binding.location, binding.dataset, options);
          item.currentSchema = inspected.schema;
          item.currentProfile = inspected.profile;
        } else {
          item.currentSchema = await env.data.inferSchema(binding.location, binding.dataset, readSpec);
          item.currentProfile = await env.data.profile(binding.location, options);
        }
        profiling?.done({ rows: item.currentProfile.rowCount });
      } catch {
        profiling?.done();
        // The log carries the engine's error; the classifier reads it from there.
      }
    } else {
      profiling?.done({ rows: 0 });
    }
    if (binding.baselineLocation) {
      const baseline = env.progress?.start(`profile ${binding.dataset} baseline`);
      try {
        item.baselineProfile = await env.data.profile(binding.baselineLocation, options);
        baseline?.done({ rows: item.baselineProfile.rowCount });
      } catch {
        baseline?.done();
        // No usable baseline: drift falls back to the contract and catalog schemas.
      }
    }
    // Measurements may come from a cache (the same objects for every event of a storm): their
    // redacted copies are made once.
    const { schemaVersions, currentSchema, currentProfile, baselineProfile, ...rest } = item;
    datasets.push({
      ...redactDeep(rest),
      schemaVersions: redactShared(schemaVersions),
      ...(currentSchema ? { currentSchema: redactShared(currentSchema) } : {}),
      ...(currentProfile ? { currentProfile: redactShared(currentProfile) } : {}),
      ...(baselineProfile ? { baselineProfile: redactShared(baselineProfile) } : {}),
    });
  }
  gathering?.done({ rows: datasets.reduce((n, d) => n + (d.currentProfile?.rowCount ?? 0), 0) });
  return { event: redactEvent(event), logs: redact(log.text), logsTruncated: log.truncated, datasets };
}

/** The event with its free text (error message, details) redacted; names and ids are kept. */
export function redactEvent(event: FailureEvent): FailureEvent {
  return {
    ...event,
    ...(event.errorMessage === undefined ? {} : { errorMessage: redact(event.errorMessage) }),
    ...(event.details === undefined ? {} : { details: redactDeep(event.details) }),
  };
}

/** How many failing rows an escalation shows per dataset: examples for a human, not the data. */
export const ESCALATION_FAILING_ROWS = 20;

/**
 * Adds to each dataset's evidence up to ESCALATION_FAILING_ROWS rows failing the findings' row
 * checks (key values and reasons), when the engine can list rows. Read-only; a failure to list
 * leaves the evidence as it was.
 */
async function attachFailingRows(
  evidence: Evidence,
  diagnosis: Diagnosis,
  pipeline: PipelineDescription,
  env: Pick<Environment, 'data'>,
): Promise<void> {
  if (!env.data.failingRows || diagnosis.findings.length === 0) return;
  for (const item of evidence.datasets) {
    const binding = pipeline.datasets.find((d) => d.dataset === item.dataset);
    if (!binding || !item.currentProfile) continue;
    const mine = rowChecks(diagnosis.findings, item.currentProfile);
    const keys = binding.contract?.keys ?? [];
    try {
      item.failingRows = await env.data.failingRows(binding.location, mine, {
        ...(keys.length > 0 ? { keys } : {}),
        limit: ESCALATION_FAILING_ROWS,
      });
    } catch {
      // Examples are a courtesy: the escalation goes out without them.
    }
  }
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

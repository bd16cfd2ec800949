// Approving and rejecting a supervised decision: the one implementation behind `healer approve`,
// `healer reject` and the dashboard. An approval applies to the facts it was given on: when they
// changed (input data, catalog, bad-row share, budgets, mode or the guard's action), the decision is
// taken again and a new approval is asked for instead of executing.

import { randomUUID } from 'node:crypto';
import {
  decideIncident,
  eventClaimKey,
  executeDecision,
  type FinishIncident,
  gatherEvidence,
} from './agent.js';
import { captureFacts } from './approval-request.js';
import { isActiveAction } from './core/action.js';
import { type AuditStep, canonicalJson, sha256 } from './core/audit-chain.js';
import { ApprovalError, InvalidInputError, NotFoundError } from './core/errors.js';
import { approvalExpiresAt, diffFacts, type FactChange } from './core/governance/approval-facts.js';
import { GUARD_HASH } from './core/safety/guard.js';
import { takeLease } from './lock-lease.js';
import type { ApprovalRecord, Environment, IncidentRecord } from './ports.js';

export interface ApprovalResult {
  /** `redecided`: the facts changed, the new decision awaits a new approval (see `diff`). */
  status: 'resolved' | 'escalated' | 'recorded' | 'rejected' | 'redecided';
  incident: IncidentRecord;
  /** The facts that changed since the decision, when any did. */
  diff?: FactChange[];
}

export interface ApproveOptions {
  by?: string;
  note?: string;
  /** The time of the approval (default the environment's clock): expiry is judged against it. */
  now?: Date;
}

export interface RejectOptions {
  reason: string;
  by?: string;
  now?: Date;
}

/** Approves a pending decision: executes it when its facts still hold, else decides again. */
export async function approveIncident(
  id: string,
  env: Environment,
  options: ApproveOptions = {},
): Promise<ApprovalResult> {
  const by = options.by?.trim() || 'anonymous';
  const now = options.now ?? env.clock.now();
  const lease = await approvalLease(id, by, env);
  try {
    const incident = await pendingIncident(id, env);
    const approval = incident.approval as ApprovalRecord;
    if (now.getTime() > Date.parse(approval.expiresAt))
      throw new ApprovalError(
        `approval of incident ${id} expired at ${approval.expiresAt}; reject it, or run the pipeline again for a new decision`,
        { context: { id, expiresAt: approval.expiresAt } },
      );
    const { event } = incident;
    const pipeline = await env.pipelines.describe(event.pipeline);
    const authorityHash = sha256(canonicalJson(pipeline.authority));
    const record = recorder(id, env, authorityHash);

    const evidence = await gatherEvidence(event, pipeline, env);
    const { capabilities, usage, decision } = await decideIncident(
      { incidentId: id, event, evidence, pipeline },
      env,
    );
    const facts = await captureFacts({ evidence, pipeline, capabilities, usage, decision }, env);
    const diff = diffFacts(approval.facts, facts);
    await record('decision', { capabilities, usage, decision, reason: `re-decided at approval by ${by}` });

    const finish: FinishIncident = async (status, summary, extra = {}) => {
      const finished = env.clock.now();
      const next: IncidentRecord = {
        ...incident,
        ...extra,
        status,
        summary,
        action: decision.verdict.final,
        decision,
        finishedAt: finished.toISOString(),
        durationMs: finished.getTime() - Date.parse(incident.startedAt),
      };
      await record('outcome', { status, summary, durationMs: next.durationMs });
      await env.state.saveIncident(next);
      await env.state.finishEvent(eventClaimKey(event));
      return next;
    };
    const context = {
      incidentId: id,
      event,
      evidence,
      pipeline,
      decision,
      base: incident,
      authorityHash,
      started: new Date(incident.startedAt),
    };

    if (diff.length > 0) {
      await record('approval', { verdict: 'redecided', by, at: now.toISOString(), diff });
      const changedApproval: ApprovalRecord = {
        requestedAt: now.toISOString(),
        expiresAt: approvalExpiresAt(now, pipeline.authority.approvalExpiryHours).toISOString(),
        facts,
        redecisions: (approval.redecisions ?? 0) + 1,
      };
      const action = decision.verdict.final;
      if (decision.disposition === 'record_only') {
        const done = await finish('recorded', `shadow mode: would ${action}; nothing executed`, {
          approval: changedApproval,
        });
        return { status: 'recorded', incident: done, diff };
      }
      if (!isActiveAction(action)) {
        // Nothing left to approve (the guard now escalates, say): finish as any incident would.
        const done = await executeDecision(
          { ...context, extra: { approval: changedApproval } },
          env,
          record,
          (status, summary, extra = {}) => finish(status, summary, { ...extra, approval: changedApproval }),
        );
        return { status: terminal(done), incident: done, diff };
      }
      const next: IncidentRecord = {
        ...incident,
        action,
        decision,
        summary: `awaiting approval to ${action} (facts changed: ${diff.map((d) => d.fact).join(', ')})`,
        approval: changedApproval,
      };
      await env.state.saveIncident(next);
      return { status: 'redecided', incident: next, diff };
    }

    const verdict = {
      verdict: 'approved' as const,
      by,
      at: now.toISOString(),
      ...(options.note ? { note: options.note } : {}),
    };
    await record('approval', verdict);
    const approved = { approval: { ...approval, verdict } };
    const done = await executeDecision(
      { ...context, extra: approved },
      env,
      record,
      (status, summary, extra = {}) => finish(status, summary, { ...extra, ...approved }),
    );
    return { status: terminal(done), incident: done };
  } finally {
    await lease.release();
  }
}

/** Rejects a pending decision (also one whose approval expired): the incident ends `rejected`. */
export async function rejectIncident(
  id: string,
  env: Environment,
  options: RejectOptions,
): Promise<ApprovalResult> {
  const reason = options.reason?.trim();
  if (!reason) throw new InvalidInputError('a rejection needs a reason (--reason TEXT)', { context: { id } });
  const by = options.by?.trim() || 'anonymous';
  const now = options.now ?? env.clock.now();
  const lease = await approvalLease(id, by, env);
  try {
    const incident = await pendingIncident(id, env);
    const pipeline = await env.pipelines.describe(incident.event.pipeline).catch(() => undefined);
    const record = recorder(id, env, pipeline ? sha256(canonicalJson(pipeline.authority)) : '');
    const verdict = { verdict: 'rejected' as const, by, at: now.toISOString(), note: reason };
    await record('rejection', verdict);
    const summary = `rejected by ${by}: ${reason}`;
    const next: IncidentRecord = {
      ...incident,
      status: 'rejected',
      summary,
      approval: { ...(incident.approval as ApprovalRecord), verdict },
      finishedAt: now.toISOString(),
      durationMs: now.getTime() - Date.parse(incident.startedAt),
    };
    await record('outcome', { status: next.status, summary, durationMs: next.durationMs });
    await env.state.saveIncident(next);
    return { status: 'rejected', incident: next };
  } finally {
    await lease.release();
  }
}

/** Two approvers at once must not both act: an approval or rejection holds a lock on the incident. */
async function approvalLease(id: string, by: string, env: Environment) {
  const lease = await takeLease(env.state, env.clock, `approval:${id}`, `${by}:${randomUUID()}`, {
    ttlMs: 120_000,
  });
  if (!lease.acquired)
    throw new ApprovalError(`incident ${id} is being approved or rejected by someone else`, {
      context: { id },
    });
  return lease;
}

/** Whether an incident's approval has expired at `now`. */
export function isExpired(incident: IncidentRecord, now: Date): boolean {
  return incident.approval !== undefined && now.getTime() > Date.parse(incident.approval.expiresAt);
}

async function pendingIncident(id: string, env: Pick<Environment, 'state'>): Promise<IncidentRecord> {
  const incident = await env.state.getIncident(id);
  if (!incident) throw new NotFoundError(`no incident ${id}`, { context: { id } });
  if (incident.status !== 'awaiting_approval')
    throw new ApprovalError(`incident ${id} is ${incident.status}, not awaiting approval`, {
      context: { id },
    });
  if (!incident.approval)
    throw new ApprovalError(`incident ${id} has no stored decision facts to approve against; run it again`, {
      context: { id },
    });
  return incident;
}

function recorder(
  incidentId: string,
  env: Pick<Environment, 'audit' | 'clock' | 'policy'>,
  authorityHash: string,
) {
  return (step: AuditStep, data: unknown) =>
    env.audit.append({
      incidentId,
      step,
      at: env.clock.now().toISOString(),
      policyHash: env.policy.hash,
      guardHash: GUARD_HASH,
      authorityHash,
      data,
    });
}

function terminal(incident: IncidentRecord): ApprovalResult['status'] {
  const s = incident.status;
  if (s === 'resolved' || s === 'escalated' || s === 'recorded' || s === 'rejected') return s;
  return 'escalated';
}

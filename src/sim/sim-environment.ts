// The simulated environment: every port of src/ports.ts implemented in memory over generated
// incidents, so the benchmark runs the real agent loop (`handleIncident`) on them.

import type { Action } from '../core/action.js';
import { type AuditBody, type AuditRecord, chainRecord, verifyChain } from '../core/audit-chain.js';
import type { BudgetUsage } from '../core/decision.js';
import type { FailureEvent } from '../core/event.js';
import type { Policy } from '../core/policy/policy.js';
import type { TableSchema } from '../core/schema.js';
import type {
  Environment,
  EventClaim,
  IncidentRecord,
  LockAttempt,
  LockHolder,
  PipelineDescription,
  RemediationContext,
} from '../ports.js';
import { incidentCapabilities, incidentProfiles } from './evidence.js';
import { remediationResult, type SimOutcome, simulateAction } from './outcome-model.js';
import type { SimIncident } from './scenarios.js';
import { SIM_AUTHORITY } from './sim-authority.js';

/** A simulated environment plus what it observed: the outcome of every executed action. */
export interface SimEnvironment extends Environment {
  /** Registers an incident and makes it the one the pipeline registry and catalog describe next. */
  focus(incident: SimIncident): void;
  /** Outcome of the action executed for an event id (absent when nothing active ran). */
  outcomes: Map<string, SimOutcome>;
}

const LOCATION = /^sim:\/\/(.+)\/(baseline|current)$/;

/** Builds the in-memory environment for one policy. */
export function createSimEnvironment(policy: Policy): SimEnvironment {
  const incidents = new Map<string, SimIncident>();
  const outcomes = new Map<string, SimOutcome>();
  const audit = new Map<string, AuditRecord[]>();
  const claimed = new Map<string, EventClaim>();
  const incidentsStored = new Map<string, IncidentRecord>();
  const retries = new Map<string, number>();
  const failures = new Map<string, number>();
  const locks = new Map<string, LockHolder>();
  let now = new Date(Date.UTC(2026, 10, 1));
  const authority = SIM_AUTHORITY;
  let active: SimIncident | undefined;

  const byLocation = (location: string): { incident: SimIncident; which: 'baseline' | 'current' } => {
    const m = LOCATION.exec(location);
    const incident = m ? incidents.get(m[1]!) : undefined;
    if (!m || !incident) throw new Error(`IO Error: No files found that match the pattern "${location}"`);
    return { incident, which: m[2] as 'baseline' | 'current' };
  };
  const byEvent = (event: FailureEvent): SimIncident => {
    const incident = incidents.get(event.id);
    if (!incident) throw new Error(`sim: unknown event ${event.id}`);
    return incident;
  };

  return {
    name: 'sim',
    policy,
    outcomes,
    focus(incident) {
      incidents.set(incident.id, incident);
      active = incident;
    },
    pipelines: {
      async describe(pipeline: string): Promise<PipelineDescription> {
        const i = active;
        if (!i || i.event.pipeline !== pipeline) throw new Error(`sim: no pipeline ${pipeline} in focus`);
        return {
          name: pipeline,
          authority,
          datasets: [
            {
              dataset: i.table.name,
              location: `sim://${i.id}/current`,
              baselineLocation: `sim://${i.id}/baseline`,
              contract: i.contract,
            },
          ],
        };
      },
    },
    logs: {
      async fetchRunLog(event) {
        now = new Date(event.occurredAt);
        return { text: byEvent(event).log, truncated: false };
      },
    },
    catalog: {
      async listSchemaVersions(dataset: string): Promise<TableSchema[]> {
        return active && active.table.name === dataset ? active.schemaVersions : [];
      },
    },
    data: {
      async inferSchema(location) {
        const { incident, which } = byLocation(location);
        if (which === 'current' && !incident.currentRows)
          throw new Error(`IO Error: No files found that match the pattern "${location}"`);
        return which === 'current' ? incident.currentSchema : incident.contract.schema;
      },
      async profile(location) {
        const { incident, which } = byLocation(location);
        const p = incidentProfiles(incident);
        const profile = which === 'current' ? p.current : p.baseline;
        if (!profile) throw new Error(`IO Error: No files found that match the pattern "${location}"`);
        return profile;
      },
    },
    remediator: {
      async capabilities(ctx) {
        return incidentCapabilities(byEvent(ctx.event), ctx.diagnosis);
      },
      async execute(action: Action, ctx: RemediationContext) {
        const incident = byEvent(ctx.event);
        const outcome = simulateAction(incident, action);
        outcomes.set(incident.id, outcome);
        return remediationResult(incident, outcome);
      },
    },
    notifier: {
      async escalate() {
        return [{ name: 'sim.notify', status: 'applied' }];
      },
    },
    audit: {
      async append(body: AuditBody) {
        const chain = audit.get(body.incidentId) ?? [];
        const record = chainRecord(chain.at(-1), body);
        chain.push(record);
        audit.set(body.incidentId, chain);
        return record;
      },
      async read(incidentId) {
        return audit.get(incidentId) ?? [];
      },
      async verify(incidentId) {
        const chains = incidentId ? [audit.get(incidentId) ?? []] : [...audit.values()];
        for (const chain of chains) {
          const v = verifyChain(chain);
          if (!v.ok) return { ...v, incidents: chains.length };
        }
        return { ...verifyChain([]), incidents: chains.length };
      },
    },
    state: {
      async claimEvent(key) {
        if (claimed.has(key)) return false;
        claimed.set(key, { key, status: 'claimed' });
        return true;
      },
      async getEventClaim(key) {
        return claimed.get(key);
      },
      async markEventActing(key, action) {
        claimed.set(key, { key, status: 'acting', action });
      },
      async endEventLease() {},
      async finishEvent(key) {
        claimed.set(key, { key, status: 'done' });
      },
      async releaseEvent(key) {
        if (claimed.get(key)?.status === 'claimed') claimed.delete(key);
      },
      async usage(job, runId): Promise<BudgetUsage> {
        return {
          retriesThisRun: retries.get(`${job}|${runId}`) ?? 0,
          retriesThisJobLastHour: retries.get(job) ?? 0,
          consecutiveFailedRemediations: failures.get(job) ?? 0,
        };
      },
      async recordRetry(job, runId) {
        retries.set(`${job}|${runId}`, (retries.get(`${job}|${runId}`) ?? 0) + 1);
        retries.set(job, (retries.get(job) ?? 0) + 1);
      },
      async recordRemediation(job, succeeded) {
        failures.set(job, succeeded ? 0 : (failures.get(job) ?? 0) + 1);
      },
      async tryLock(job, owner, _ttlMs, now): Promise<LockAttempt> {
        // One simulated process: a lock is held until released; no holder ever dies here.
        const at = now.toISOString();
        const holder = locks.get(job) ?? { owner, host: 'sim', pid: 0, acquiredAt: at, heartbeatAt: at };
        if (holder.owner !== owner) return { acquired: false, holder };
        locks.set(job, holder);
        return { acquired: true, holder };
      },
      async heartbeatLock(job, owner) {
        return locks.get(job)?.owner === owner;
      },
      async releaseLock(job, owner) {
        if (locks.get(job)?.owner === owner) locks.delete(job);
      },
      async saveIncident(incident) {
        incidentsStored.set(incident.id, incident);
      },
      async getIncident(id) {
        return incidentsStored.get(id);
      },
      async listIncidents(limit = 50) {
        return [...incidentsStored.values()].slice(-limit);
      },
    },
    clock: {
      now: () => now,
      async sleep() {},
    },
  };
}

/**
 * The ports: interfaces every runtime adapter implements (local: DuckDB and files; aws: Glue,
 * CloudWatch Logs, S3, SNS, DynamoDB; sim: the simulated environment). The agent (`src/agent.ts`)
 * drives one incident through these and nothing else.
 *
 * @module ports
 */

import type { Action } from './core/action.js';
import type { AuditBody, AuditRecord, ChainVerification } from './core/audit-chain.js';
import type { Authority } from './core/authority.js';
import type { DatasetContract } from './core/contract.js';
import type { BudgetUsage, Capabilities, Decision, Diagnosis } from './core/decision.js';
import type { FailureEvent } from './core/event.js';
import type { Evidence } from './core/evidence.js';
import type { RemediationResult, RemediationStep, ValidationResult } from './core/outcome.js';
import type { Policy } from './core/policy/policy.js';
import type { DatasetProfile } from './core/profile.js';
import type { TableSchema } from './core/schema.js';

/** Where a dataset's current input lives and what it should look like. */
export interface DatasetBinding {
  dataset: string;
  /** Path, glob or URI of the current input (`data/orders/*.csv`, `s3://bucket/prefix/`). */
  location: string;
  /** Path of the last good input, for the baseline profile; absent when none is kept. */
  baselineLocation?: string;
  contract?: DatasetContract;
}

/** What a pipeline (or Glue job) declares: its datasets and its authority. */
export interface PipelineDescription {
  name: string;
  datasets: DatasetBinding[];
  authority: Authority;
}

/**
 * Looks up the declaration of the pipeline an event is about.
 *
 * @example
 * const pipeline = await pipelines.describe(event.pipeline);
 */
export interface PipelineRegistry {
  describe(pipeline: string): Promise<PipelineDescription>;
}

/**
 * Reads the log of one run, read-only and bounded: a giant log is cut to its tail.
 *
 * @example
 * const { text, truncated } = await logs.fetchRunLog(event);
 */
export interface LogSource {
  fetchRunLog(event: FailureEvent): Promise<{ text: string; truncated: boolean }>;
}

/**
 * Reads schema history from the catalog (Glue Data Catalog table versions, or the local catalog).
 *
 * @example
 * const versions = await catalog.listSchemaVersions('orders'); // oldest first
 */
export interface Catalog {
  listSchemaVersions(dataset: string): Promise<TableSchema[]>;
}

/**
 * Profiles data in-process (DuckDB), read-only. Bounded by `sampleRows` where the adapter samples.
 *
 * @example
 * const profile = await data.profile('data/orders.csv', { keys: ['order_id'] });
 */
export interface DataEngine {
  inferSchema(location: string, name: string): Promise<TableSchema>;
  profile(
    location: string,
    options?: {
      keys?: string[];
      freshnessColumn?: string;
      sampleRows?: number;
      /** Contract schema: validity is measured against these types (by path) instead of the inferred ones. */
      expected?: TableSchema;
    },
  ): Promise<DatasetProfile>;
  /**
   * The schema and the profile from one read of the input, where the engine can (the evidence
   * gathers both; an engine without it is asked twice).
   *
   * @example
   * const { schema, profile } = await data.inspect('data/orders.csv', 'orders', { keys: ['id'] });
   */
  inspect?(
    location: string,
    name: string,
    options?: Parameters<DataEngine['profile']>[1],
  ): Promise<{ schema: TableSchema; profile: DatasetProfile }>;
}

/** What an executor needs to act on one incident. */
export interface RemediationContext {
  incidentId: string;
  event: FailureEvent;
  evidence: Evidence;
  decision: Decision;
  pipeline: PipelineDescription;
}

/**
 * Executes the active actions (`retry`, `coerce_schema`, `rollback_schema`, `quarantine`,
 * `scale_resources`) and reports what the environment can do. Writes go to a new location and are
 * published atomically.
 *
 * @example
 * const caps = await remediator.capabilities(ctx);
 * const result = await remediator.execute('quarantine', ctx);
 */
export interface Remediator {
  capabilities(
    context: Omit<RemediationContext, 'decision'> & { diagnosis: Diagnosis },
  ): Promise<Capabilities>;
  execute(action: Action, context: RemediationContext): Promise<RemediationResult>;
}

/** The message sent when healer hands an incident to a human. */
export interface Escalation {
  incidentId: string;
  pipeline: string;
  job: string;
  runId: string;
  summary: string;
  /** Why it is escalated: the guard's reason, or the failed validation. */
  reason: string;
  decision?: Decision;
  evidence: Evidence;
  validation?: ValidationResult;
}

/**
 * Sends escalations (terminal, file, webhook, SNS). Each target reports its own step.
 *
 * @example
 * const steps = await notifier.escalate(escalation);
 */
export interface Notifier {
  escalate(escalation: Escalation): Promise<RemediationStep[]>;
}

/**
 * Append-only, hash-chained audit log, one chain per incident.
 *
 * @example
 * await audit.append({ incidentId, step: 'decision', at, policyHash, guardHash, authorityHash, data });
 */
export interface AuditLog {
  append(body: AuditBody): Promise<AuditRecord>;
  read(incidentId: string): Promise<AuditRecord[]>;
  /** Verifies one incident's chain, or every chain when no id is given. */
  verify(incidentId?: string): Promise<ChainVerification & { incidents: number }>;
}

/** The stored record of one incident. */
export interface IncidentRecord {
  id: string;
  event: FailureEvent;
  status: IncidentStatus;
  /** Final action the guard allowed, when a decision was made. */
  action?: Action;
  summary: string;
  startedAt: string;
  finishedAt?: string;
  /** Wall time from receipt to a terminal status. */
  durationMs?: number;
  decision?: Decision;
  result?: RemediationResult;
  validation?: ValidationResult;
}

export type IncidentStatus =
  | 'resolved'
  | 'escalated'
  | 'recorded'
  | 'awaiting_approval'
  | 'failed'
  | 'duplicate';

/**
 * Durable state: idempotency, budgets, circuit breaker, incidents, per-job locks.
 *
 * @example
 * if (!(await state.claimEvent(`${event.runId}:${event.state}`))) return; // seen before
 */
export interface StateStore {
  /** Records the key; false when it was already claimed (the event was handled before). */
  claimEvent(key: string): Promise<boolean>;
  usage(job: string, runId: string, now: Date): Promise<BudgetUsage>;
  recordRetry(job: string, runId: string, at: Date): Promise<void>;
  /** A validated resolution resets the circuit breaker; a failure counts towards it. */
  recordRemediation(job: string, succeeded: boolean): Promise<void>;
  /** Per-job lock with a time to live; false when another holder has it. */
  acquireLock(job: string, owner: string, ttlMs: number, now: Date): Promise<boolean>;
  releaseLock(job: string, owner: string): Promise<void>;
  saveIncident(incident: IncidentRecord): Promise<void>;
  getIncident(id: string): Promise<IncidentRecord | undefined>;
  listIncidents(limit?: number): Promise<IncidentRecord[]>;
}

/** Time, injected so tests and the simulator control it. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/**
 * One environment's ports, grouped (the composition root). `LocalEnvironment` and
 * `AwsEnvironment` build these.
 */
export interface Environment {
  name: string;
  pipelines: PipelineRegistry;
  logs: LogSource;
  catalog: Catalog;
  data: DataEngine;
  remediator: Remediator;
  notifier: Notifier;
  audit: AuditLog;
  state: StateStore;
  clock: Clock;
  policy: Policy;
}

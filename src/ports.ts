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
import type { EscalationKind } from './core/escalation-headline.js';
import type { FailureEvent } from './core/event.js';
import type { Evidence } from './core/evidence.js';
import type { FailingRow, RowCheck } from './core/failing-row.js';
import type { ApprovalFacts } from './core/governance/approval-facts.js';
import type { IncidentGroup } from './core/incident-group.js';
import type { RemediationResult, RemediationStep, ValidationResult } from './core/outcome.js';
import type { Policy } from './core/policy/policy.js';
import type { DatasetProfile } from './core/profile.js';
import type { ReadFacts } from './core/read-facts.js';
import type { ReadOptions } from './core/read-options.js';
import type { TableSchema } from './core/schema.js';
import type { MigrationProposal } from './core/schema-migration.js';

/** Where a dataset's current input lives and what it should look like. */
export interface DatasetBinding {
  dataset: string;
  /** Path, glob or URI of the current input (`data/orders/*.csv`, `s3://bucket/prefix/`). */
  location: string;
  /** Path of the last good input, for the baseline profile; absent when none is kept. */
  baselineLocation?: string;
  contract?: DatasetContract;
  /** How the input is read (CSV dialect, encoding, null strings, formats); absent: the defaults. */
  read?: ReadOptions;
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
  inferSchema(
    location: string,
    name: string,
    spec?: { read?: ReadOptions; expected?: TableSchema },
  ): Promise<TableSchema>;
  /**
   * A cheap identity of the data at `location` (file names, sizes and modification times; S3
   * ETags): equal fingerprints mean equal data, so a measurement can be reused. Undefined when the
   * adapter cannot tell cheaply; callers then measure afresh.
   */
  fingerprint?(location: string): Promise<string | undefined>;
  profile(
    location: string,
    options?: {
      keys?: string[];
      freshnessColumn?: string;
      sampleRows?: number;
      /** Contract schema: validity is measured against these types (by path) instead of the inferred ones. */
      expected?: TableSchema;
      /** How a text input is read. */
      read?: ReadOptions;
    },
  ): Promise<DatasetProfile>;
  /**
   * Optional: what reading the input establishes (rows, malformed lines with their numbers, empty).
   *
   * @example
   * const facts = await data.readFacts?.('in.csv', { read: { delimiter: ';' } });
   */
  readFacts?(location: string, spec?: { read?: ReadOptions; expected?: TableSchema }): Promise<ReadFacts>;
  /**
   * Optional: the first `limit` rows of the data failing the findings' row checks, with their key
   * values and reasons (examples for a human; engines that cannot list rows leave it out).
   */
  failingRows?(
    location: string,
    checks: readonly RowCheck[],
    options: { keys?: string[]; limit: number },
  ): Promise<FailingRow[]>;
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
  /** Where `execute` would write what becomes visible (recorded as the action's intent). */
  plannedWrites?(action: Action, context: RemediationContext): Promise<string[]>;
}

/**
 * What an active action declared before it touched anything: enough to finish its record, or to
 * undo what it staged, after the process running it died.
 */
export interface ActionIntent {
  incidentId: string;
  pipeline: string;
  job: string;
  action: Action;
  /** The incident as it stood when the action began (its decision included). */
  incident: IncidentRecord;
  /** The hashes in force, so records written on its behalf later carry them too. */
  policyHash: string;
  guardHash: string;
  authorityHash: string;
  /** Where the action will write what becomes visible (files and pointers). */
  writes: string[];
}

/** What one commit makes true together: the audit records still to append and the incident. */
export interface ActionCommit {
  /** What became visible at the commit (final paths). */
  writes: string[];
  records: AuditBody[];
  incident: IncidentRecord;
}

/** An intent left open by a process that is gone, with its commit when it got that far. */
export interface OpenIntent {
  intent: ActionIntent;
  commit?: ActionCommit;
}

/**
 * Intent and commit of active actions. `begin` is written before the action changes anything; the
 * action stages its writes where no reader looks; `commit` is the one atomic flip after which
 * `publish` moves them into place (idempotently, so a restart can finish it). A runtime without a
 * journal publishes as it executes.
 *
 * @example
 * await journal.begin(intent);
 * const result = await remediator.execute(action, ctx); // staged, nothing visible yet
 * await journal.commit(intent.incidentId, (writes) => ({ writes, records, incident }));
 * await journal.publish(intent.incidentId);
 */
export interface IntentJournal {
  begin(intent: ActionIntent): Promise<void>;
  /** The commit point: records what the action staged and what is left to record, atomically. */
  commit(incidentId: string, make: (writes: string[]) => ActionCommit): Promise<ActionCommit>;
  /** Moves a committed action's staged writes into place; idempotent. */
  publish(incidentId: string): Promise<void>;
  /** Removes what an uncommitted action staged. */
  discard(incidentId: string): Promise<void>;
  /** Forgets a finished intent (its staging removed first). */
  close(incidentId: string): Promise<void>;
  /** Intents whose owner process is gone, for reconciliation. */
  abandoned(): Promise<OpenIntent[]>;
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
  /** What asks for a human (default `decision`); the headline (`escalationHeadline`) depends on it. */
  kind?: EscalationKind;
  /** Set when the same drift was healed again and again: adopt it as a new catalog version. */
  migration?: MigrationProposal;
  decision?: Decision;
  evidence: Evidence;
  validation?: ValidationResult;
  /** Set when the escalation asks for an approval (`kind: 'approval'`): until when it can be given. */
  approval?: Pick<ApprovalRecord, 'expiresAt'>;
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
  /** Set when this incident stands for a group of failures with one cause (an incident storm). */
  group?: IncidentGroup;
  /** Set when the incident healed a drift healed again and again: the catalog version to adopt. */
  migration?: MigrationProposal;
  /** Set when a supervised decision awaits (or got) a human verdict. */
  approval?: ApprovalRecord;
  /** What an engineer did or would do instead (the shadow report's ground truth). */
  label?: IncidentLabel;
}

/** A supervised decision's approval: the facts it rested on, its expiry and the human verdict. */
export interface ApprovalRecord {
  requestedAt: string;
  expiresAt: string;
  facts: ApprovalFacts;
  /** How many times the decision was taken again because its facts changed. */
  redecisions?: number;
  verdict?: { verdict: 'approved' | 'rejected'; by: string; at: string; note?: string };
}

/** An engineer's label on an incident. */
export interface IncidentLabel {
  action: Action;
  by: string;
  at: string;
}

export type IncidentStatus =
  | 'resolved'
  | 'escalated'
  | 'recorded'
  | 'awaiting_approval'
  | 'rejected'
  | 'failed'
  | 'duplicate';

/** Who holds a lock, as the store recorded it: enough to tell whether the holder still lives. */
export interface LockHolder {
  /** The incident or run that took the lock. */
  owner: string;
  host: string;
  pid: number;
  /** The holder process's start time as the OS reports it (Linux: ticks since boot), so a reused pid is not mistaken for the holder. */
  processStart?: string;
  /** ISO 8601. */
  acquiredAt: string;
  /** ISO 8601; refreshed while the holder works. */
  heartbeatAt: string;
}

/** Why a held lock was taken over: its process is gone, or it stopped beating. */
export type LockTakeoverReason = 'owner_dead' | 'heartbeat_stale';

/** The answer to a lock request: granted (perhaps by taking over a dead holder's lock), or refused naming the holder. */
export type LockAttempt =
  | { acquired: true; holder: LockHolder; takenOver?: { previous: LockHolder; reason: LockTakeoverReason } }
  | { acquired: false; holder: LockHolder };

/**
 * Durable state: idempotency, budgets, circuit breaker, incidents, per-job locks.
 *
 * @example
 * if (!(await state.claimEvent(`${event.runId}:${event.state}`, { now }))) return; // seen before
 */
export interface StateStore {
  /**
   * Records the key; false when it is already claimed. A claim with a lease (`leaseMs`) that
   * passed while its status was still `claimed` (the holder died before acting) is taken over.
   */
  claimEvent(key: string, options?: ClaimOptions): Promise<boolean>;
  /** What is known of a claimed event; undefined when it was never claimed. */
  getEventClaim(key: string): Promise<EventClaim | undefined>;
  /**
   * Marks the claim `acting` before an active action starts: from then on a redelivery must not
   * act again, only reconcile. `endLease` (after a failure) lets a redelivery reconcile at once.
   */
  markEventActing(key: string, action: Action): Promise<void>;
  /** Ends the claim's lease now, so a redelivery may take it over (claimed) or reconcile it (acting). */
  endEventLease(key: string, now: Date): Promise<void>;
  /** Marks the claim `done`: the incident has its outcome; every redelivery is a duplicate. */
  finishEvent(key: string): Promise<void>;
  /** Forgets a claim under which nothing ran, so a redelivery is handled as new. */
  releaseEvent(key: string): Promise<void>;
  usage(job: string, runId: string, now: Date): Promise<BudgetUsage>;
  recordRetry(job: string, runId: string, at: Date): Promise<void>;
  /**
   * Counts one `scale_resources` step or `defer` against the run chain (`usage()` reports them as
   * `scaleStepsThisRun` / `deferralsThisRun`); a store without it reports none.
   */
  recordResourceAction?(job: string, runId: string, action: ResourceAction, at: Date): Promise<void>;
  /** Optional job memory: the action that last resolved (validated) this job in this state key. */
  lastFix?(job: string, stateKey: string): Promise<Action | undefined>;
  /** Optional job memory: remembers the action that resolved this job in this state key. */
  recordFix?(job: string, stateKey: string, action: Action, at: Date): Promise<void>;
  /** A validated resolution resets the circuit breaker; a failure counts towards it. */
  recordRemediation(job: string, succeeded: boolean): Promise<void>;
  /**
   * Takes the per-job lock for `owner`, or takes it over when its holder is gone: a dead process on
   * this host, or a heartbeat older than `ttlMs`. The store records who holds it (host, process,
   * heartbeat) so a refusal can name the holder and a takeover can be audited. Taking a lock the
   * owner already holds refreshes it.
   */
  tryLock(job: string, owner: string, ttlMs: number, now: Date): Promise<LockAttempt>;
  /** Refreshes the holder's heartbeat; false when `owner` no longer holds the lock (it was taken over). */
  heartbeatLock(job: string, owner: string, now: Date): Promise<boolean>;
  releaseLock(job: string, owner: string): Promise<void>;
  saveIncident(incident: IncidentRecord): Promise<void>;
  getIncident(id: string): Promise<IncidentRecord | undefined>;
  listIncidents(limit?: number): Promise<IncidentRecord[]>;
}

/** The actions counted per run chain against the resource caps and the defer bound. */
export type ResourceAction = 'scale_resources' | 'defer';

/** How an event is claimed: for how long the claimer may hold it before it counts as dead. */
export interface ClaimOptions {
  now: Date;
  /** Without a lease the claim never expires (the CLI: one process handles the event). */
  leaseMs?: number;
  incidentId?: string;
}

/** The stored state of one event claim. */
export interface EventClaim {
  key: string;
  /** `claimed`: nothing acted yet; `acting`: an active action started; `done`: the outcome is recorded. */
  status: 'claimed' | 'acting' | 'done';
  incidentId?: string;
  action?: Action;
  /** ISO time after which a redelivery may take over (claimed) or reconcile (acting). */
  leaseUntil?: string;
}

/**
 * Shows a person how long work is going (a terminal progress line): phase, rows, elapsed. Optional;
 * nothing depends on it, and it is absent when output is not a terminal or is JSON.
 *
 * @example
 * const phase = progress?.start('profile flights');
 * phase?.done({ rows: profile.rowCount });
 */
export interface ProgressReporter {
  start(phase: string): ProgressPhase;
}

/** One phase under way. */
export interface ProgressPhase {
  /** Rows processed so far. */
  rows(count: number): void;
  /** The phase ended (with the rows it covered, when known). */
  done(summary?: { rows?: number }): void;
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
  /** Intent and commit of active actions; absent where executing publishes directly. */
  journal?: IntentJournal;
  /** Progress of long phases for a person watching; absent when nobody is. */
  progress?: ProgressReporter;
}

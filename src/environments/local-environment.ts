// The local composition root: one pipeline file, its `.healer/` state folder, DuckDB as the data
// engine, and the policy (the trained artifact when present, else the rule policy).

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckdbDataEngine } from '../adapters/duckdb/duckdb-data-engine.js';
import {
  CompositeNotifier,
  DuckdbPipelineRunner,
  type FaultInjector,
  FileLogSource,
  FileNotifier,
  FilePipelineRegistry,
  type JsonlAuditLog,
  type KeptResourceStore,
  LocalCatalog,
  LocalIntentJournal,
  LocalRemediator,
  loadPipelineFile,
  openJsonlAuditLog,
  type PipelineSpec,
  SqliteStateStore,
  STATE_FILE,
  SystemClock,
  TerminalNotifier,
  type WebhookConfig,
  WebhookNotifier,
} from '../adapters/local/index.js';
import { migrateDuckdbState } from '../adapters/local/migrate-duckdb-state.js';
import { currentPolicyFile } from '../adapters/local/policy-store.js';
import { ProgressReportingRunner } from '../adapters/local/progress-runner.js';
import { ConfigError } from '../core/errors.js';
import { parsePolicyArtifact } from '../core/policy/artifact.js';
import type { Policy } from '../core/policy/policy.js';
import { QLearningPolicy } from '../core/policy/q-learning.js';
import { RulePolicy } from '../core/policy/rule-policy.js';
import { GUARD_HASH } from '../core/safety/guard.js';
import { exclusiveLease } from '../lock-lease.js';
import type { Clock, Environment, Notifier, ProgressReporter } from '../ports.js';

export interface LocalEnvironmentOptions {
  pipelineFile: string;
  /** More pipeline files the environment answers for (events name their pipeline); default none. */
  pipelineFiles?: string[];
  /** Defaults to `.healer/` beside the pipeline file. */
  stateDir?: string;
  /**
   * A policy artifact file; default the version promoted in the state folder, else
   * `policies/default.policy.json` of the package when present.
   */
  policy?: string;
  clock?: Clock;
  /** Terminal output for escalations (default stderr); `false` silences it. */
  terminal?: ((text: string) => void) | false;
  webhook?: WebhookConfig;
  faults?: FaultInjector;
  random?: () => number;
  /** Progress of long phases (evidence, profiles, remediation, runs) for a terminal. */
  progress?: ProgressReporter;
  /** Where the audit keys and anchors come from (default `process.env`; see docs/crash-safety.md). */
  auditEnv?: Record<string, string | undefined>;
  /**
   * For commands that only read (`diagnose`): the state store opens read-only and nothing is
   * created; a state folder that does not exist yet reads as empty.
   */
  readOnly?: boolean;
}

export interface LocalEnvironment extends Environment {
  stateDir: string;
  spec: PipelineSpec;
  runner: DuckdbPipelineRunner;
  catalog: LocalCatalog;
  stateStore: SqliteStateStore;
  auditLog: JsonlAuditLog;
  journal: LocalIntentJournal;
  escalationsDir: string;
  close(): Promise<void>;
}

/** The default policy artifact shipped with the package (produced by `healer train`). */
export function defaultPolicyPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'policies', 'default.policy.json');
}

/** Loads the policy: the given artifact, else the shipped default, else the rule policy. */
export async function loadPolicy(file?: string): Promise<Policy> {
  const path = file ?? defaultPolicyPath();
  if (file === undefined && !existsSync(path)) return new RulePolicy();
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read policy ${path}: ${error instanceof Error ? error.message : error}`, {
      context: { file: path },
    });
  }
  return QLearningPolicy.fromArtifact(parsePolicyArtifact(json, path));
}

/** Builds every local port for one pipeline file. */
export async function createLocalEnvironment(options: LocalEnvironmentOptions): Promise<LocalEnvironment> {
  const pipelineFile = resolve(options.pipelineFile);
  const stateDir = resolve(options.stateDir ?? join(dirname(pipelineFile), '.healer'));
  const clock = options.clock ?? new SystemClock();
  const catalog = new LocalCatalog(stateDir);
  const others = (options.pipelineFiles ?? []).map((f) => resolve(f)).filter((f) => f !== pipelineFile);
  const registry = new FilePipelineRegistry([pipelineFile, ...others], catalog);
  const spec = await loadPipelineFile(pipelineFile);
  // A version promoted in this state folder (`healer policy promote`) is in force unless a file is named.
  const policy = await loadPolicy(options.policy ?? currentPolicyFile(stateDir));
  const engine = new DuckdbDataEngine();
  const state = SqliteStateStore.open(join(stateDir, STATE_FILE), {
    readOnly: options.readOnly ?? false,
    whenMissing: 'empty',
  });
  if (!options.readOnly) await migrateDuckdbState(stateDir, state);
  // Opening repairs a torn last line and refuses a log that disagrees with its anchored head;
  // appends from several processes on one folder take turns through the state store's lock.
  const audit = await openJsonlAuditLog(stateDir, {
    env: options.auditEnv,
    now: () => clock.now(),
    create: !options.readOnly,
    exclusive: exclusiveLease(state, clock, 'audit-append', { ttlMs: 30_000, waitMs: 10_000, pollMs: 5 }),
  });
  if (!options.readOnly) await audit.open();
  // Per-job resource settings kept after a scale_resources; each change outside an incident is audited.
  const kept: KeptResourceStore = {
    keptResources: (job) => state.keptResources(job),
    saveKeptResources: (job, k, at) => state.saveKeptResources(job, k, at),
    keptResourcesChanged: async (job, change) => {
      await audit.append({
        incidentId: `resources:${job}`,
        step: 'resources',
        at: clock.now().toISOString(),
        policyHash: policy.hash,
        guardHash: GUARD_HASH,
        authorityHash: '',
        data: { job, ...change },
      });
    },
  };
  // A scaled re-run's setting is kept by the incident's commit, through the journal.
  const journal = new LocalIntentJournal(stateDir, catalog, kept);
  const runnerDeps = { stateDir, catalog, engine, clock, journal, faults: options.faults, kept };
  const runner = options.progress
    ? new ProgressReportingRunner(runnerDeps, options.progress)
    : new DuckdbPipelineRunner(runnerDeps);
  const escalationsDir = join(stateDir, 'escalations');
  const targets: Notifier[] = [];
  if (options.terminal !== false) targets.push(new TerminalNotifier(options.terminal));
  targets.push(new FileNotifier(escalationsDir));
  if (options.webhook) targets.push(new WebhookNotifier(options.webhook));
  const remediator = new LocalRemediator({
    specs: (name) => registry.spec(name),
    runner,
    catalog,
    engine,
    clock,
    state,
    stateDir,
    journal,
    random: options.random,
    kept,
  });
  return {
    name: 'local',
    pipelines: registry,
    logs: new FileLogSource(stateDir),
    catalog,
    data: engine,
    remediator,
    notifier: new CompositeNotifier(targets),
    audit,
    state,
    clock,
    policy,
    journal,
    ...(options.progress ? { progress: options.progress } : {}),
    stateDir,
    spec,
    runner,
    stateStore: state,
    auditLog: audit,
    escalationsDir,
    async close() {
      runner.close();
      await engine.close();
      await state.close();
    },
  };
}

// The Airflow composition root: Airflow's REST API for logs and actions, the listener's spool
// folder and the poller for events, and the embedded runtime for everything healer keeps itself
// (state store, audit log, catalog, DuckDB, notifiers) and for the data actions of tasks that
// declare a healer pipeline file.

import { join } from 'node:path';
import { AirflowClient } from '../adapters/airflow/airflow-client.js';
import type { LoadedAirflowConfig } from '../adapters/airflow/airflow-config.js';
import { pipelineFileFor } from '../adapters/airflow/airflow-config.js';
import { AirflowLogSource } from '../adapters/airflow/airflow-log-source.js';
import { AirflowPipelineRegistry } from '../adapters/airflow/airflow-pipeline-registry.js';
import { AirflowPoller } from '../adapters/airflow/airflow-poller.js';
import { AirflowRemediator } from '../adapters/airflow/airflow-remediator.js';
import { SpoolEventSource } from '../adapters/airflow/spool-event-source.js';
import { DuckdbDataEngine } from '../adapters/duckdb/duckdb-data-engine.js';
import {
  CompositeNotifier,
  DuckdbPipelineRunner,
  FileNotifier,
  FilePipelineRegistry,
  LocalCatalog,
  LocalIntentJournal,
  LocalRemediator,
  loadPipelineFile,
  openJsonlAuditLog,
  SqliteStateStore,
  STATE_FILE,
  SystemClock,
  TerminalNotifier,
  type WebhookConfig,
  WebhookNotifier,
} from '../adapters/local/index.js';
import { ConfigError } from '../core/errors.js';
import { rootRunOf } from '../core/event.js';
import { exclusiveLease } from '../lock-lease.js';
import type { Clock, Environment, Notifier, Remediator } from '../ports.js';
import { loadPolicy } from './local-environment.js';

export interface AirflowEnvironmentOptions {
  config: LoadedAirflowConfig;
  /** The Airflow password (read from the variable the config names). */
  password: string;
  clock?: Clock;
  /** A policy artifact file; default: the shipped one, else the rule policy. */
  policy?: string;
  /** Terminal output for escalations (default stderr); `false` silences it. */
  terminal?: ((text: string) => void) | false;
  webhook?: WebhookConfig;
  /** Where the audit keys and anchors come from (default `process.env`). */
  auditEnv?: Record<string, string | undefined>;
}

export interface AirflowEnvironment extends Environment {
  name: 'airflow';
  client: AirflowClient;
  spool?: SpoolEventSource;
  poller?: AirflowPoller;
  stateDir: string;
  escalationsDir: string;
  close(): Promise<void>;
}

/**
 * Builds the Airflow environment from the watcher's config.
 *
 * @example
 * const env = await createAirflowEnvironment({ config, password: process.env.HEALER_AIRFLOW_PASSWORD! });
 * const outcomes = await watchOnce({ env, client: env.client, spool: env.spool });
 */
export async function createAirflowEnvironment(
  options: AirflowEnvironmentOptions,
): Promise<AirflowEnvironment> {
  const { config } = options;
  const stateDir = config.stateDir;
  const clock = options.clock ?? new SystemClock();
  const client = new AirflowClient({
    baseUrl: config.airflow.url,
    username: config.airflow.username,
    password: options.password,
    timeoutMs: config.airflow.timeoutMs,
  });
  const catalog = new LocalCatalog(stateDir);
  const engine = new DuckdbDataEngine();
  const state = SqliteStateStore.open(join(stateDir, STATE_FILE), { whenMissing: 'empty' });
  const audit = await openJsonlAuditLog(stateDir, {
    env: options.auditEnv,
    now: () => clock.now(),
    create: true,
    exclusive: exclusiveLease(state, clock, 'audit-append', { ttlMs: 30_000, waitMs: 10_000, pollMs: 5 }),
  });
  await audit.open();
  const journal = new LocalIntentJournal(stateDir, catalog);

  // Tasks that declare a healer pipeline file: its datasets are evidence, its data actions run here.
  const files = new Map<string, FilePipelineRegistry>();
  const fileRegistry = (file: string) => {
    let registry = files.get(file);
    if (!registry) {
      registry = new FilePipelineRegistry([file], catalog);
      files.set(file, registry);
    }
    return registry;
  };
  const specOf = async (pipeline: string) => {
    const file = fileOf(config, pipeline);
    if (!file)
      throw new ConfigError(`${pipeline}: the task declares no healer pipeline file`, {
        context: { pipeline },
      });
    const registry = fileRegistry(file);
    return registry.spec((await loadPipelineFile(file)).name);
  };
  const runner = new DuckdbPipelineRunner({ stateDir, catalog, engine, clock, journal });
  const local = new LocalRemediator({
    specs: specOf,
    runner,
    catalog,
    engine,
    clock,
    state,
    stateDir,
    journal,
  });
  const data = async (pipeline: string): Promise<Remediator | undefined> =>
    fileOf(config, pipeline) ? local : undefined;

  const pipelines = new AirflowPipelineRegistry({
    config,
    describeFile: async (file) => {
      const spec = await loadPipelineFile(file);
      return fileRegistry(file).describe(spec.name);
    },
  });

  const escalationsDir = join(stateDir, 'escalations');
  const targets: Notifier[] = [];
  if (options.terminal !== false) targets.push(new TerminalNotifier(options.terminal));
  targets.push(new FileNotifier(escalationsDir));
  if (options.webhook) targets.push(new WebhookNotifier(options.webhook));

  return {
    name: 'airflow',
    client,
    ...(config.spoolDir ? { spool: new SpoolEventSource(config.spoolDir) } : {}),
    ...(config.poll.enabled
      ? { poller: new AirflowPoller({ client, clock, lookbackMinutes: config.poll.lookbackMinutes }) }
      : {}),
    pipelines,
    logs: new AirflowLogSource({ client }),
    catalog,
    data: engine,
    remediator: new AirflowRemediator({
      client,
      clock,
      data,
      rerunTimeoutMs: config.rerunTimeoutSeconds * 1000,
      pollIntervalMs: config.rerunPollSeconds * 1000,
      defer: config.defer,
      // The agent counted this deferral before executing it: the count includes it.
      deferralsSoFar: async (ctx) =>
        Math.max(
          1,
          (await state.usage(ctx.event.job, rootRunOf(ctx.event), clock.now())).deferralsThisRun ?? 0,
        ),
    }),
    notifier: new CompositeNotifier(targets),
    audit,
    state,
    clock,
    policy: await loadPolicy(options.policy),
    journal,
    stateDir,
    escalationsDir,
    async close() {
      runner.close();
      await engine.close();
      await state.close();
    },
  };
}

/** The pipeline file of `dag_id/task_id`, if the config declares one. */
function fileOf(config: LoadedAirflowConfig, pipeline: string): string | undefined {
  const slash = pipeline.indexOf('/');
  return slash > 0 ? pipelineFileFor(config, pipeline.slice(0, slash), pipeline.slice(slash + 1)) : undefined;
}

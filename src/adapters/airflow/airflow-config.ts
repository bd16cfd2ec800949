// The Airflow watcher's config file (YAML or JSON, validated with zod): where Airflow is, where the
// listener spools, and per DAG and task what healer may do (authority) and which healer pipeline
// file describes the task's data. A task with no declaration gets an escalate-only authority.

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type Authority, authoritySchema } from '../../core/authority.js';
import { ConfigError } from '../../core/errors.js';

const taskSchema = z
  .object({
    authority: authoritySchema.optional(),
    /** A healer pipeline file describing the task's data: evidence and the data actions use it. */
    pipelineFile: z.string().min(1).optional(),
  })
  .strict();

const dagSchema = z
  .object({
    /** Authority for every task of the DAG that declares none of its own. */
    authority: authoritySchema.optional(),
    tasks: z.record(z.string().min(1), taskSchema).default({}),
  })
  .strict();

export const airflowConfigSchema = z
  .object({
    airflow: z
      .object({
        /** API server base URL, e.g. `http://127.0.0.1:8080`. */
        url: z.string().url(),
        username: z.string().min(1),
        /** Name of the environment variable holding the password (never the password itself). */
        passwordEnv: z.string().min(1).default('HEALER_AIRFLOW_PASSWORD'),
        timeoutMs: z.number().int().positive().max(300_000).default(15_000),
      })
      .strict(),
    /** Folder the listener plugin writes to (its `HEALER_SPOOL_DIR`); relative to this file. */
    spoolDir: z.string().min(1).optional(),
    /** healer's state folder (incidents, audit, catalog); relative to this file. Default `.healer`. */
    stateDir: z.string().min(1).default('.healer'),
    /** Poll Airflow for failed task instances too (for deployments without the plugin). */
    poll: z
      .object({
        enabled: z.boolean().default(false),
        /** Only task instances that ended this recently. */
        lookbackMinutes: z
          .number()
          .int()
          .positive()
          .max(7 * 24 * 60)
          .default(60),
      })
      .strict()
      .default({ enabled: false, lookbackMinutes: 60 }),
    /** How long a retry (a cleared task instance) is followed before it counts as failed. */
    rerunTimeoutSeconds: z
      .number()
      .int()
      .positive()
      .max(24 * 3600)
      .default(600),
    rerunPollSeconds: z.number().positive().max(600).default(2),
    /**
     * `defer`: the first deferral's delay (doubling with each further one, within the authority's
     * `defer` bounds), and the longest delay the watcher waits before clearing the instance; a
     * longer one triggers a new DAG run that Airflow starts at the deferred time.
     */
    defer: z
      .object({
        baseSeconds: z.number().int().positive().max(3600).default(60),
        clearWithinSeconds: z.number().int().min(0).max(3600).default(300),
      })
      .strict()
      .default({ baseSeconds: 60, clearWithinSeconds: 300 }),
    dags: z.record(z.string().min(1), dagSchema).default({}),
  })
  .strict();
export type AirflowConfig = z.infer<typeof airflowConfigSchema>;

/** The config with its relative paths resolved against the file's folder. */
export interface LoadedAirflowConfig extends AirflowConfig {
  file: string;
  stateDir: string;
  spoolDir?: string;
}

/** What a task gets when nothing declares it: no active action, so every decision escalates. */
export const UNDECLARED_AUTHORITY: Authority = authoritySchema.parse({ allowedActions: [] });

/** The authority for one task: its own, else its DAG's, else escalate-only. Never merged upwards. */
export function authorityFor(config: AirflowConfig, dagId: string, taskId: string): Authority {
  const dag = config.dags[dagId];
  return dag?.tasks[taskId]?.authority ?? dag?.authority ?? UNDECLARED_AUTHORITY;
}

/** The healer pipeline file a task declares, resolved; undefined when none. */
export function pipelineFileFor(
  config: LoadedAirflowConfig,
  dagId: string,
  taskId: string,
): string | undefined {
  const file = config.dags[dagId]?.tasks[taskId]?.pipelineFile;
  return file === undefined ? undefined : resolve(dirname(config.file), file);
}

/** Parses config text (YAML or JSON), naming the key that is wrong. */
export function parseAirflowConfig(text: string, file: string): LoadedAirflowConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid YAML/JSON: ${(error as Error).message.split('\n')[0]}`, {
      context: { file },
    });
  }
  const parsed = airflowConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? issue.path.join('.') : '(root)';
    throw new ConfigError(`${file}: ${path}: ${issue?.message ?? 'invalid'}`, { context: { file, path } });
  }
  const base = dirname(resolve(file));
  return {
    ...parsed.data,
    file: resolve(file),
    stateDir: resolve(base, parsed.data.stateDir),
    ...(parsed.data.spoolDir ? { spoolDir: resolve(base, parsed.data.spoolDir) } : {}),
  };
}

/** Reads and parses the config file. */
export async function loadAirflowConfig(file: string): Promise<LoadedAirflowConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read Airflow config ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      {
        cause: error,
        context: { file },
      },
    );
  }
  return parseAirflowConfig(text, file);
}

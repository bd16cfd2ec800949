// The dashboard's reads on the embedded runtime: incidents from the state folder (opened per
// request, so a running pipeline is never blocked by the dashboard), the audit log, quarantined rows
// read with DuckDB, and the policy artifacts of a folder.

import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from '../adapters/duckdb/sql.js';
import {
  loadPipelineFile,
  openJsonlAuditLog,
  SqliteStateStore,
  STATE_FILE,
} from '../adapters/local/index.js';
import { approveIncident, rejectIncident } from '../approval.js';
import { ConfigError, NotFoundError } from '../core/errors.js';
import { parsePolicyArtifact } from '../core/policy/artifact.js';
import type { IncidentRecord } from '../ports.js';
import type { DashboardDeps, PolicyVersion, QuarantinePreview } from '../server/dashboard-app.js';
import { createLocalEnvironment, type LocalEnvironment } from './local-environment.js';

export interface LocalDashboardOptions {
  stateDir: string;
  /** Folders holding `*.policy.json` artifacts; the first artifact of `current` is marked current. */
  policyDirs: string[];
  /** The policy file in force (marked current). */
  currentPolicy?: string;
  token?: string;
  /**
   * Enables approve and reject: pipeline files by path. An incident's own pipeline file (recorded by
   * the run) is used when it is not listed here.
   */
  pipelineFiles?: string[];
}

/** Builds the read side of the dashboard over a local state folder. */
export function localDashboardDeps(options: LocalDashboardOptions): DashboardDeps {
  const stateFile = join(options.stateDir, STATE_FILE);
  const withState = async <T>(read: (state: SqliteStateStore) => Promise<T>): Promise<T> => {
    if (!existsSync(stateFile))
      throw new NotFoundError(`no healer state in ${options.stateDir} (run a pipeline first)`, {
        context: { file: stateFile },
      });
    // Read-only: a running pipeline is never blocked (SQLite in WAL mode).
    const state = SqliteStateStore.open(stateFile, { readOnly: true });
    try {
      return await read(state);
    } finally {
      await state.close();
    }
  };
  return {
    listIncidents: () => withState((s) => s.listIncidents(5000)),
    getIncident: (id) => withState((s) => s.getIncident(id)),
    readAudit: async (id) => (await openJsonlAuditLog(options.stateDir, { create: false })).read(id),
    quarantinePreview: (incident, limit) => quarantinePreview(incident, limit),
    policies: () => policies(options.policyDirs, options.currentPolicy),
    ...(options.token ? { token: options.token } : {}),
    ...(options.token ? { approvals: localApprovals(options, withState) } : {}),
  };
}

/** Approve and reject through the same functions as `healer approve` and `healer reject`. */
function localApprovals(
  options: LocalDashboardOptions,
  withState: <T>(read: (state: SqliteStateStore) => Promise<T>) => Promise<T>,
): NonNullable<DashboardDeps['approvals']> {
  const withEnv = async <T>(id: string, work: (env: LocalEnvironment) => Promise<T>): Promise<T> => {
    const incident = await withState((s) => s.getIncident(id));
    if (!incident) throw new NotFoundError(`no incident ${id}`, { context: { id } });
    const file = await pipelineFileFor(incident, options.pipelineFiles ?? []);
    const env = await createLocalEnvironment({
      pipelineFile: file,
      pipelineFiles: options.pipelineFiles ?? [],
      stateDir: options.stateDir,
      terminal: false,
    });
    try {
      return await work(env);
    } finally {
      await env.close();
    }
  };
  return {
    approve: (id, input) =>
      withEnv(id, async (env) => {
        const r = await approveIncident(id, env, {
          ...(input.by ? { by: input.by } : {}),
          ...(input.note ? { note: input.note } : {}),
        });
        return { status: r.status, summary: r.incident.summary };
      }),
    reject: (id, input) =>
      withEnv(id, async (env) => {
        const r = await rejectIncident(id, env, {
          reason: input.reason,
          ...(input.by ? { by: input.by } : {}),
        });
        return { status: r.status, summary: r.incident.summary };
      }),
  };
}

/** The pipeline file an incident's run came from: listed by name, else the one its run recorded. */
async function pipelineFileFor(incident: IncidentRecord, files: string[]): Promise<string> {
  for (const file of files) {
    const spec = await loadPipelineFile(file).catch(() => undefined);
    if (spec?.name === incident.event.pipeline) return file;
  }
  const recorded = incident.event.details?.pipelineFile;
  if (recorded && existsSync(recorded)) return recorded;
  throw new ConfigError(
    `no pipeline file for ${incident.event.pipeline}: start healer serve with --pipeline FILE`,
    { context: { pipeline: incident.event.pipeline } },
  );
}

async function quarantinePreview(incident: IncidentRecord, limit: number): Promise<QuarantinePreview[]> {
  const files = Object.entries(incident.result?.artifacts ?? {})
    .filter(([k, v]) => k.endsWith('.quarantine') && existsSync(v))
    .map(([, v]) => v);
  if (files.length === 0) return [];
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const out: QuarantinePreview[] = [];
    for (const file of files) {
      const relation = `read_parquet(${quoteLiteral(file)})`;
      const reader = await conn.runAndReadAll(
        `SELECT * FROM ${relation} LIMIT ${Math.max(1, Math.floor(limit))}`,
      );
      const count = await conn.runAndReadAll(`SELECT count(*) AS n FROM ${relation}`);
      out.push({
        file,
        columns: reader.columnNames(),
        rows: reader.getRowObjectsJson() as Record<string, unknown>[],
        total: Number((count.getRowObjectsJson()[0] as { n: unknown }).n),
      });
    }
    return out;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

async function policies(dirs: string[], current?: string): Promise<PolicyVersion[]> {
  const out: PolicyVersion[] = [];
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.policy.json')).sort()) {
      const file = join(dir, name);
      try {
        const artifact = parsePolicyArtifact(JSON.parse(await readFile(file, 'utf8')), file);
        out.push({ name, artifact, current: current !== undefined && file === current });
      } catch {
        // A broken artifact is not a version the dashboard can show; `healer policy show` names the problem.
      }
    }
  }
  if (!out.some((v) => v.current) && out[0]) out[0].current = true;
  return out;
}

// Vitest globalSetup of the airflow tier: installs Airflow 3 into .venv-airflow (once), then starts
// a real Airflow on SQLite in a temporary AIRFLOW_HOME: `airflow api-server`, `scheduler` and
// `dag-processor` (LocalExecutor, which Airflow 3 allows on SQLite), with the DAGs of
// test/airflow/dags and healer's listener plugin from airflow/. Stops them all at the end.
// The plugin reports to a real `POST /api/events` (the dashboard app served here, with a token),
// which writes the spool folder the tests' watcher reads; every accepted post is logged beside it.

import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import type { TestProject } from 'vitest/node';
import { airflowEventIntake } from '../../src/environments/airflow-event-intake.js';
import { createDashboardApp } from '../../src/server/dashboard-app.js';

const ROOT = resolve(import.meta.dirname, '../..');
const AIRFLOW = join(ROOT, '.venv-airflow/bin/airflow');
export const AIRFLOW_USER = 'healer';

declare module 'vitest' {
  export interface ProvidedContext {
    airflow: {
      url: string;
      password: string;
      home: string;
      spoolDir: string;
      dataDir: string;
      /** One line per event the plugin posted to healer's endpoint (the spool path is its fallback). */
      postedLog: string;
    };
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', fail);
    child.once('exit', (code) =>
      code === 0 ? done() : fail(new Error(`${command} ${args.join(' ')} exited ${code}`)),
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? done(address.port) : fail(new Error('no port')),
      );
    });
  });
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`Airflow: ${what} not ready after ${timeoutMs / 1000} s`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await run('bash', [join(ROOT, 'scripts/setup-airflow.sh')], process.env);
  const home = mkdtempSync(join(tmpdir(), 'healer-airflow-'));
  const spoolDir = join(home, 'spool');
  const dataDir = join(home, 'data');
  mkdirSync(dataDir, { recursive: true });
  const password = `pw-${process.pid}-${Date.now()}`;
  writeFileSync(join(home, 'passwords.json'), JSON.stringify({ [AIRFLOW_USER]: password }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // healer's event endpoint, as `healer serve --airflow-config` runs it.
  const healerToken = `healer-${password}`;
  const postedLog = join(home, 'posted.log');
  const intake = airflowEventIntake(spoolDir);
  const logged: typeof intake = {
    schema: intake.schema,
    async accept(event) {
      const queued = await intake.accept(event);
      appendFileSync(postedLog, `${queued.id}\n`);
      return queued;
    },
  };
  const healer = createDashboardApp({
    listIncidents: async () => [],
    getIncident: async () => undefined,
    policies: async () => [],
    token: healerToken,
    events: logged,
  });
  const healerServer = await new Promise<ReturnType<typeof serve>>((done) => {
    const server = serve({ fetch: healer.fetch, port: 0, hostname: '127.0.0.1' }, () => done(server));
  });
  const healerAddress = healerServer.address();
  const healerUrl = `http://127.0.0.1:${typeof healerAddress === 'object' && healerAddress ? healerAddress.port : 0}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AIRFLOW_HOME: home,
    AIRFLOW__CORE__DAGS_FOLDER: join(ROOT, 'test/airflow/dags'),
    AIRFLOW__CORE__PLUGINS_FOLDER: join(ROOT, 'airflow'),
    AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
    AIRFLOW__CORE__EXECUTOR: 'LocalExecutor',
    AIRFLOW__CORE__PARALLELISM: '2',
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS: `${AIRFLOW_USER}:admin`,
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE: join(home, 'passwords.json'),
    AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION: 'False',
    AIRFLOW__API__PORT: String(port),
    AIRFLOW__API__HOST: '127.0.0.1',
    AIRFLOW__CORE__EXECUTION_API_SERVER_URL: `${url}/execution/`,
    AIRFLOW__API_AUTH__JWT_SECRET: `healer-test-${password}`,
    AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL: '5',
    AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_SEC: '2',
    HEALER_URL: healerUrl,
    HEALER_TOKEN: healerToken,
    HEALER_SPOOL_DIR: spoolDir,
    HEALER_AF_DATA: dataDir,
  };
  await run(AIRFLOW, ['db', 'migrate'], env);
  const children: ChildProcess[] = [];
  for (const component of ['api-server', 'scheduler', 'dag-processor']) {
    const log = openSync(join(home, `${component}.log`), 'a');
    // Own process group, so teardown ends the component and the workers it started.
    const child = spawn(AIRFLOW, [component], { env, detached: true, stdio: ['ignore', log, log] });
    children.push(child);
  }
  const stop = async () => {
    healerServer.close();
    for (const child of children) {
      if (child.pid !== undefined && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {}
      }
    }
    await new Promise((r) => setTimeout(r, 3000));
    for (const child of children) {
      if (child.pid !== undefined && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }
    }
    if (!process.env.HEALER_KEEP_AIRFLOW_HOME) rmSync(home, { recursive: true, force: true });
  };
  try {
    const token = async () => {
      const res = await fetch(`${url}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: AIRFLOW_USER, password }),
      });
      return ((await res.json()) as { access_token: string }).access_token;
    };
    await waitFor('API server', 120_000, async () => (await fetch(`${url}/api/v2/monitor/health`)).ok);
    const bearer = await token();
    await waitFor('DAG parsing', 120_000, async () => {
      const res = await fetch(`${url}/api/v2/dags?tags=healer-test`, {
        headers: { authorization: `Bearer ${bearer}` },
      });
      return ((await res.json()) as { total_entries: number }).total_entries >= 6;
    });
    await waitFor('scheduler', 120_000, async () => {
      const res = await fetch(`${url}/api/v2/monitor/health`);
      return ((await res.json()) as { scheduler?: { status?: string } }).scheduler?.status === 'healthy';
    });
  } catch (error) {
    await stop();
    throw error;
  }
  project.provide('airflow', { url, password, home, spoolDir, dataDir, postedLog });
  return stop;
}

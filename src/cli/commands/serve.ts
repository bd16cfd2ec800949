// `healer serve [--port N] [--host ADDR] [--state-dir DIR] [--policies DIR]`: the web dashboard and
// its JSON API over a local state folder. Bound to 127.0.0.1 by default; read-only unless
// HEALER_TOKEN is set (approve and reject then need it as a bearer token or in the form).
// `--airflow-config FILE` opens `POST /api/events` for the Airflow listener plugin: posted failures
// go to the config's spool folder, which `healer airflow watch --config FILE` reads.

import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { loadAirflowConfig } from '../../adapters/airflow/airflow-config.js';
import { ConfigError, InvalidInputError } from '../../core/errors.js';
import { airflowEventIntake } from '../../environments/airflow-event-intake.js';
import { localDashboardDeps } from '../../environments/local-dashboard.js';
import { defaultPolicyPath } from '../../environments/local-environment.js';
import { createDashboardApp } from '../../server/dashboard-app.js';
import type { RegisterCommand } from '../commands.js';

export const register: RegisterCommand = (program, io) => {
  program
    .command('serve')
    .description('Serve the dashboard (incidents, approvals, policy, charts) and its JSON API')
    .option('--port <n>', 'port (0 picks a free one)', '8787')
    .option('--host <addr>', 'address to bind (default loopback only)', '127.0.0.1')
    .option('--state-dir <dir>', 'state folder', '.healer')
    .option('--policies <dir>', 'folder of policy artifacts to show (default: the shipped policies)')
    .option(
      '--pipeline <files...>',
      "pipeline files for approvals (default: the file each incident's run recorded)",
    )
    .option(
      '--airflow-config <file>',
      "accept Airflow failure events on POST /api/events into this watcher config's spool folder",
    )
    .action(
      async (options: {
        port: string;
        host: string;
        stateDir: string;
        policies?: string;
        pipeline?: string[];
        airflowConfig?: string;
      }) => {
        const port = Number(options.port);
        if (!Number.isInteger(port) || port < 0 || port > 65_535)
          throw new InvalidInputError(`--port: expected 0 to 65535, got ${options.port}`);
        const shipped = defaultPolicyPath();
        const deps = localDashboardDeps({
          stateDir: resolve(io.cwd, options.stateDir),
          policyDirs: [options.policies ? resolve(io.cwd, options.policies) : resolve(shipped, '..')],
          currentPolicy: shipped,
          ...(process.env.HEALER_TOKEN ? { token: process.env.HEALER_TOKEN } : {}),
          ...(options.pipeline ? { pipelineFiles: options.pipeline.map((p) => resolve(io.cwd, p)) } : {}),
        });
        if (options.airflowConfig) {
          const config = await loadAirflowConfig(resolve(io.cwd, options.airflowConfig));
          if (!config.spoolDir)
            throw new ConfigError(`${config.file}: spoolDir: required to accept events`, {
              context: { file: config.file },
            });
          deps.events = airflowEventIntake(config.spoolDir);
        }
        const app = createDashboardApp(deps);
        await new Promise<void>((done, fail) => {
          const server = serve({ fetch: app.fetch, port, hostname: options.host }, (info) => {
            io.out(
              `healer dashboard on http://${options.host}:${info.port}/ (${deps.token ? 'approvals enabled' : 'read-only: set HEALER_TOKEN to approve'}); Ctrl-C stops it\n`,
            );
          });
          server.on('error', (error: NodeJS.ErrnoException) =>
            fail(
              new InvalidInputError(
                `cannot listen on ${options.host}:${port}: ${error.code ?? error.message}`,
              ),
            ),
          );
          const stop = () => server.close(() => done());
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      },
    );
};

// `healer airflow watch --config FILE [--once] [--interval SECONDS] [--passes N] [--json]`: handles
// the failed Airflow task-instance tries that the listener plugin spooled (and the poller found,
// when the config enables it), each once. Prints one line (or one JSON object) per try.

import { resolve } from 'node:path';
import { loadAirflowConfig } from '../../adapters/airflow/airflow-config.js';
import { type WatchOutcome, watchOnce } from '../../adapters/airflow/airflow-watcher.js';
import { ConfigError, InvalidInputError } from '../../core/errors.js';
import { createAirflowEnvironment } from '../../environments/airflow-environment.js';
import type { RegisterCommand } from '../commands.js';

export const register: RegisterCommand = (program, io) => {
  const airflow = program.command('airflow').description('healer on Apache Airflow (REST API v2)');
  airflow
    .command('watch')
    .description('Handle failed Airflow task tries from the listener spool (and the poller), each once')
    .requiredOption('--config <file>', 'Airflow watcher config (YAML or JSON)')
    .option('--once', 'one pass, then exit')
    .option('--interval <seconds>', 'pause between passes', '5')
    .option('--passes <n>', 'stop after this many passes (default: until interrupted)')
    .option('--json', 'print one JSON object per handled try')
    .action(
      async (options: {
        config: string;
        once?: boolean;
        interval: string;
        passes?: string;
        json?: boolean;
      }) => {
        const interval = Number(options.interval);
        if (!Number.isFinite(interval) || interval < 0.1 || interval > 3600)
          throw new InvalidInputError(`--interval: expected 0.1 to 3600 seconds, got ${options.interval}`);
        const passes = options.once
          ? 1
          : options.passes === undefined
            ? Number.POSITIVE_INFINITY
            : Number(options.passes);
        if (!(passes >= 1))
          throw new InvalidInputError(`--passes: expected a positive count, got ${options.passes}`);
        const config = await loadAirflowConfig(resolve(io.cwd, options.config));
        const password = process.env[config.airflow.passwordEnv];
        if (!password)
          throw new ConfigError(`the Airflow password variable ${config.airflow.passwordEnv} is not set`, {
            context: { variable: config.airflow.passwordEnv },
          });
        const env = await createAirflowEnvironment({ config, password, terminal: (t) => io.err(t) });
        let stop = false;
        const onSignal = () => {
          stop = true;
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          for (let pass = 0; pass < passes && !stop; pass++) {
            if (pass > 0) await env.clock.sleep(interval * 1000);
            const outcomes = await watchOnce({
              env,
              client: env.client,
              ...(env.spool ? { spool: env.spool } : {}),
              ...(env.poller ? { poller: env.poller } : {}),
            });
            for (const o of outcomes) io.out(options.json ? `${JSON.stringify(o)}\n` : `${describe(o)}\n`);
          }
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await env.close();
        }
      },
    );
};

function describe(o: WatchOutcome): string {
  const what = o.outcome === 'incident' ? `${o.status} (${o.action ?? '-'})` : o.outcome;
  return `${o.dagId}.${o.taskId} try ${o.tryNumber} [${o.family ?? '-'}]: ${what}${o.incidentId ? ` ${o.incidentId}` : ''}: ${o.summary}`;
}

// The Airflow adapter's pure parts, without an Airflow: the config (authority per DAG and task),
// the mapping of a failed try to one event and one claim key, the spool folder, and the CLI's
// one-line errors. The tier under test/airflow runs the rest against a real Airflow.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  authorityFor,
  parseAirflowConfig,
  pipelineFileFor,
} from '../../../src/adapters/airflow/airflow-config.js';
import {
  type AirflowFailure,
  SPOOL_SCHEMA,
  toFailureEvent,
} from '../../../src/adapters/airflow/airflow-event.js';
import { SpoolEventSource } from '../../../src/adapters/airflow/spool-event-source.js';
import { eventClaimKey } from '../../../src/agent.js';
import { memoryIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import { ConfigError } from '../../../src/core/errors.js';

const failure = (over: Partial<AirflowFailure> = {}): AirflowFailure => ({
  schema: SPOOL_SCHEMA,
  dag_id: 'orders_daily',
  run_id: 'scheduled__2026-11-30T00:00:00+00:00',
  task_id: 'load.to_warehouse',
  map_index: -1,
  try_number: 1,
  max_tries: 2,
  retries: 2,
  state: 'up_for_retry',
  error: 'ConnectionError: 503 Service Unavailable',
  inlets: [],
  outlets: [],
  occurred_at: '2026-11-30T00:05:00+00:00',
  ...over,
});

describe('the Airflow config', () => {
  const yaml = `
airflow: { url: "http://127.0.0.1:8080", username: healer }
spoolDir: spool
dags:
  orders_daily:
    authority: { allowedActions: [retry] }
    tasks:
      transform: { authority: { allowedActions: [coerce_schema], mode: supervised }, pipelineFile: pipelines/orders.yaml }
`;

  it('gives a task its own authority, else its DAG, else escalate-only', () => {
    const config = parseAirflowConfig(yaml, '/etc/healer/airflow.yaml');
    expect(authorityFor(config, 'orders_daily', 'transform')).toMatchObject({
      allowedActions: ['coerce_schema'],
      mode: 'supervised',
    });
    expect(authorityFor(config, 'orders_daily', 'extract').allowedActions).toEqual(['retry']);
    expect(authorityFor(config, 'unknown_dag', 'extract').allowedActions).toEqual([]);
    expect(pipelineFileFor(config, 'orders_daily', 'transform')).toBe('/etc/healer/pipelines/orders.yaml');
    expect(config.spoolDir).toBe('/etc/healer/spool');
    expect(config.stateDir).toBe('/etc/healer/.healer');
    // The password is named by a variable, never written in the file.
    expect(config.airflow.passwordEnv).toBe('HEALER_AIRFLOW_PASSWORD');
  });

  it('refuses an unknown key or a bad URL, naming it', () => {
    expect(() => parseAirflowConfig(`${yaml}\nretries: 3\n`, 'a.yaml')).toThrow(ConfigError);
    expect(() => parseAirflowConfig('airflow: { url: nope, username: x }', 'a.yaml')).toThrow(
      /a\.yaml: airflow\.url/,
    );
    expect(() =>
      parseAirflowConfig('airflow: { url: "http://x", username: x, password: hunter2 }', 'a.yaml'),
    ).toThrow(/airflow/);
  });
});

describe('a failed try as an event', () => {
  it('maps the same try to the same event and claim key, and each try to its own', () => {
    const a = toFailureEvent(failure());
    const again = toFailureEvent(failure({ error: '', occurred_at: '2026-11-30T00:06:00+00:00' }));
    const second = toFailureEvent(failure({ try_number: 2 }));
    expect(again.id).toBe(a.id);
    expect(eventClaimKey(again)).toBe(eventClaimKey(a));
    expect(eventClaimKey(second)).not.toBe(eventClaimKey(a));
    // Every try of one instance spends one retry budget.
    expect(second.rootRunId).toBe(a.rootRunId);
    expect(a).toMatchObject({ source: 'airflow', pipeline: 'orders_daily/load.to_warehouse', attempt: 1 });
    expect(a.details).toMatchObject({
      task_id: 'load.to_warehouse',
      airflow_state: 'up_for_retry',
      retries: '2',
    });
  });
});

describe('the spool folder', () => {
  it('reads complete events oldest first, sets bad files aside with the reason, settles handled ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-spool-'));
    await writeFile(
      join(dir, 'b.json'),
      JSON.stringify(failure({ try_number: 2, occurred_at: '2026-11-30T00:09:00Z' })),
    );
    await writeFile(join(dir, 'c.json'), JSON.stringify(failure({ occurred_at: '2026-11-30T00:05:00Z' })));
    await writeFile(join(dir, '.tmp-half.json'), '{"schema":');
    await writeFile(join(dir, 'a.json'), JSON.stringify({ ...failure(), state: 'running' }));
    const source = new SpoolEventSource(dir);
    const { failures, rejected } = await source.read();
    expect(failures.map((f) => f.failure.try_number)).toEqual([1, 2]);
    expect(rejected).toEqual([{ file: join(dir, 'a.json'), reason: expect.stringMatching(/^state: /) }]);
    expect(await readFile(join(dir, 'rejected', 'a.json.reason.txt'), 'utf8')).toMatch(/state/);
    await source.settle(failures[0]!.file, 'done');
    expect(await readdir(join(dir, 'done'))).toEqual(['c.json']);
    expect(existsSync(join(dir, '.tmp-half.json'))).toBe(true);
  });

  it('reads a missing folder as empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-spool-'));
    expect(await new SpoolEventSource(join(dir, 'none')).read()).toEqual({ failures: [], rejected: [] });
  });
});

describe('healer airflow watch', () => {
  it('says in one line which variable holds the missing password, and exits 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-airflow-cli-'));
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'airflow.yaml'),
      'airflow: { url: "http://127.0.0.1:9", username: healer, passwordEnv: HEALER_TEST_NO_SUCH_VAR }\n',
    );
    const io = memoryIo('', dir);
    expect(await main(['airflow', 'watch', '--config', 'airflow.yaml', '--once'], io)).toBe(2);
    expect(io.stderr.trim().split('\n')).toHaveLength(1);
    expect(io.stderr).toMatch(/HEALER_TEST_NO_SUCH_VAR is not set/);
  });

  it('refuses `healer serve --airflow-config` for a config without a spool folder, in one line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-af-serve-'));
    await writeFile(join(dir, 'airflow.yaml'), 'airflow: { url: "http://127.0.0.1:9", username: healer }\n');
    const io = memoryIo('', dir);
    expect(await main(['serve', '--port', '0', '--airflow-config', 'airflow.yaml'], io)).toBe(2);
    expect(io.stderr.trim().split('\n')).toHaveLength(1);
    expect(io.stderr).toMatch(/spoolDir: required to accept events/);
  });
});

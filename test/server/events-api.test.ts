// `POST /api/events` over a real spool folder: the bearer token is required (401 without or with a
// wrong one, 403 when the server has none), the body is validated (400 for not JSON, a wrong shape,
// 413 over the size bound), and an accepted event is written where `healer airflow watch` reads it,
// under the plugin's file name, so the same try posted twice is one spooled event.

import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { SPOOL_SCHEMA } from '../../src/adapters/airflow/airflow-event.js';
import { SpoolEventSource, spoolFileName } from '../../src/adapters/airflow/spool-event-source.js';
import { airflowEventIntake } from '../../src/environments/airflow-event-intake.js';
import { createDashboardApp } from '../../src/server/dashboard-app.js';
import { MAX_EVENT_BYTES } from '../../src/server/events-api.js';

const TOKEN = 'events-token-for-tests';

/** A failed try as the listener plugin reports it: the partner's file had not landed yet. */
const FAILURE = {
  schema: SPOOL_SCHEMA,
  dag_id: 'partner_feed',
  run_id: 'manual__2026-12-02T11:38:09.120000+00:00',
  task_id: 'wait_and_load',
  map_index: -1,
  try_number: 1,
  max_tries: 0,
  retries: 0,
  state: 'failed',
  error: 'FileNotFoundError: upstream file not found: /data/partner/feed.csv',
  operator: '_PythonDecoratedOperator',
  inlets: [],
  outlets: [],
  occurred_at: '2026-12-02T11:38:12.000000+00:00',
};

let spoolDir: string;
beforeEach(async () => {
  spoolDir = join(await mkdtemp(join(tmpdir(), 'healer-events-')), 'spool');
});

function app(token: string | undefined = TOKEN) {
  return createDashboardApp({
    listIncidents: async () => [],
    getIncident: async () => undefined,
    policies: async () => [],
    ...(token ? { token } : {}),
    events: airflowEventIntake(spoolDir),
  });
}

const post = (
  body: string,
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
  a = app(),
) =>
  a.request('/api/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

describe('POST /api/events', () => {
  it('spools an accepted event where the watcher reads it, once per try (202)', async () => {
    const res = await post(JSON.stringify(FAILURE));
    expect(res.status).toBe(202);
    const got = (await res.json()) as { accepted: boolean; id: string; queued: string };
    expect(got).toMatchObject({
      accepted: true,
      id: `airflow:partner_feed/${FAILURE.run_id}/wait_and_load/-1/try1`,
      queued: join(spoolDir, spoolFileName(FAILURE)),
    });
    // Delivered again (the plugin's retry, a proxy): still one event in the spool.
    expect((await post(JSON.stringify(FAILURE))).status).toBe(202);
    expect((await readdir(spoolDir)).filter((n) => n.endsWith('.json'))).toEqual([spoolFileName(FAILURE)]);
    const { failures, rejected } = await new SpoolEventSource(spoolDir).read();
    expect(rejected).toEqual([]);
    expect(failures.map((f) => f.failure)).toEqual([FAILURE]);
  });

  it('refuses without the bearer token (401), with a wrong one (401), and with none configured (403)', async () => {
    expect((await post(JSON.stringify(FAILURE), {})).status).toBe(401);
    const wrong = await post(JSON.stringify(FAILURE), { authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'E_AUTH' });
    const open = await post(JSON.stringify(FAILURE), { authorization: `Bearer ${TOKEN}` }, app(''));
    expect(open.status).toBe(403);
    await expect(readdir(spoolDir)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a body that is not JSON, not an event, or too large (400, 413), and spools nothing', async () => {
    const notJson = await post('{"schema":');
    expect(notJson.status).toBe(400);
    const wrongState = await post(JSON.stringify({ ...FAILURE, state: 'success' }));
    expect(wrongState.status).toBe(400);
    expect(((await wrongState.json()) as { error: string }).error).toMatch(/^state: /);
    const noTry = await post(JSON.stringify({ ...FAILURE, try_number: undefined }));
    expect(((await noTry.json()) as { error: string }).error).toMatch(/^try_number: /);
    const extra = await post(JSON.stringify({ ...FAILURE, command: 'rm -rf /' }));
    expect(extra.status).toBe(400);
    const huge = await post(JSON.stringify({ ...FAILURE, error: 'x'.repeat(MAX_EVENT_BYTES) }));
    expect(huge.status).toBe(413);
    await expect(readdir(spoolDir)).rejects.toThrow(/ENOENT/);
  });

  it('answers 404 when the server takes no events', async () => {
    const plain = createDashboardApp({
      listIncidents: async () => [],
      getIncident: async () => undefined,
      policies: async () => [],
      token: TOKEN,
    });
    expect((await post(JSON.stringify(FAILURE), undefined, plain)).status).toBe(404);
  });
});

// The dashboard's JSON API over a real state folder (incidents made by real pipeline runs on
// DuckDB): listing and filters, one incident with its audit, the pending queue, and the write
// endpoints' refusals: 403 read-only, 401 without or with a wrong token, 404 unknown or malformed
// ids, 400 malformed bodies.

import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { localDashboardDeps } from '../../src/environments/local-dashboard.js';
import { createDashboardApp } from '../../src/server/dashboard-app.js';
import { checkBearer, checkForm, sameSecret } from '../../src/server/write-auth.js';
import { type DashboardFixture, dashboardFixture } from './dashboard-fixture.js';

let fx: DashboardFixture;
const TOKEN = 's3cret-token-for-tests';

beforeAll(async () => {
  fx = await dashboardFixture();
}, 120_000);

function app(token?: string) {
  return createDashboardApp(
    localDashboardDeps({
      stateDir: fx.stateDir,
      policyDirs: [resolve('policies')],
      ...(token ? { token } : {}),
    }),
  );
}

describe('dashboard JSON API', () => {
  it('lists incidents with filters and rejects a bad filter with 400', async () => {
    const all = (await (await app().request('/api/incidents')).json()) as {
      incidents: { id: string; status: string; pipeline: string; family: string }[];
    };
    expect(all.incidents.map((i) => i.status).sort()).toEqual(['awaiting_approval', 'resolved']);
    const resolved = (await (await app().request('/api/incidents?status=resolved')).json()) as typeof all;
    expect(resolved.incidents).toHaveLength(1);
    expect(resolved.incidents[0]).toMatchObject({ pipeline: 'orders_daily', family: 'data_quality' });
    const byPipeline = (await (
      await app().request('/api/incidents?pipeline=orders_review')
    ).json()) as typeof all;
    expect(byPipeline.incidents.map((i) => i.status)).toEqual(['awaiting_approval']);
    const future = (await (await app().request('/api/incidents?since=2999-01-01')).json()) as typeof all;
    expect(future.incidents).toHaveLength(0);
    const bad = await app().request('/api/incidents?since=yesterday');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^since: /);
    expect((await app().request('/api/incidents?color=red')).status).toBe(400);
  });

  it('returns one incident with its audit chain, and 404 for unknown or malformed ids', async () => {
    const list = (await (await app().request('/api/incidents?status=resolved')).json()) as {
      incidents: { id: string }[];
    };
    const id = list.incidents[0]!.id;
    const res = await app().request(`/api/incidents/${id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      incident: { id: string; result: { rows: unknown } };
      audit: { step: string }[];
    };
    expect(body.incident.result.rows).toEqual({ rowsIn: 200, rowsDelivered: 194, rowsQuarantined: 6 });
    expect(body.audit.map((r) => r.step)).toContain('validation');
    expect((await app().request('/api/incidents/inc-000000000000')).status).toBe(404);
    expect((await app().request(`/api/incidents/${encodeURIComponent('../../etc/passwd')}`)).status).toBe(
      404,
    );
    expect((await app().request('/api/nothing-here')).status).toBe(404);
  });

  it('lists what awaits approval', async () => {
    const pending = (await (await app().request('/api/pending')).json()) as {
      incidents: { pipeline: string; action: string }[];
    };
    expect(pending.incidents).toEqual([
      expect.objectContaining({ pipeline: 'orders_review', action: 'quarantine' }),
    ]);
  });

  it('refuses writes: 403 read-only, 401 without or with a wrong token, 404 unknown id, 400 malformed body', async () => {
    const pending = (await (await app().request('/api/pending')).json()) as { incidents: { id: string }[] };
    const id = pending.incidents[0]!.id;
    const post = (a: ReturnType<typeof app>, path: string, body: string, auth?: string) =>
      a.request(path, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      });
    expect((await post(app(), `/api/incidents/${id}/approve`, '{}', `Bearer ${TOKEN}`)).status).toBe(403);
    const locked = app(TOKEN);
    expect((await post(locked, `/api/incidents/${id}/approve`, '{}')).status).toBe(401);
    expect((await post(locked, `/api/incidents/${id}/approve`, '{}', 'Bearer wrong')).status).toBe(401);
    expect((await post(locked, `/api/incidents/${id}/approve`, '{}', `Basic ${TOKEN}`)).status).toBe(401);
    expect((await post(locked, '/api/incidents/inc-404/approve', '{}', `Bearer ${TOKEN}`)).status).toBe(404);
    const notJson = await post(locked, `/api/incidents/${id}/reject`, 'reason=x', `Bearer ${TOKEN}`);
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/not JSON/);
    const noReason = await post(locked, `/api/incidents/${id}/reject`, '{"by":"ana"}', `Bearer ${TOKEN}`);
    expect(noReason.status).toBe(400);
    const extra = await post(locked, `/api/incidents/${id}/approve`, '{"force":true}', `Bearer ${TOKEN}`);
    expect(extra.status).toBe(400);
  });

  it('serves the pages, escaping what the records hold', async () => {
    for (const path of ['/', '/approvals', '/policy', '/charts']) {
      const res = await app().request(path);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain('<header>');
    }
    const missing = await app().request('/incidents/inc-404');
    expect(missing.status).toBe(404);
    const escaped = await app().request(`/?pipeline=${encodeURIComponent('<script>x</script>')}`);
    expect(await escaped.text()).not.toContain('<script>x</script>');
  });

  it('reports a missing state folder as one clear error', async () => {
    const none = createDashboardApp(
      localDashboardDeps({ stateDir: join(fx.dir, 'nowhere'), policyDirs: [] }),
    );
    const res = await none.request('/api/incidents');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/no healer state in .*nowhere/);
  });
});

describe('write authorization', () => {
  it('compares secrets in constant time and checks the CSRF cookie on forms', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(checkBearer('Bearer tok', 'tok')).toEqual({ ok: true });
    expect(checkBearer('bearer tok', undefined)).toMatchObject({ ok: false, status: 403 });
    expect(checkForm({ token: 'tok', csrf: 'c1' }, 'c1', 'tok')).toEqual({ ok: true });
    expect(checkForm({ token: 'tok', csrf: 'c1' }, 'c2', 'tok')).toMatchObject({ ok: false, status: 403 });
    expect(checkForm({ token: 'tok', csrf: 'c1' }, undefined, 'tok')).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(checkForm({ token: 'nope', csrf: 'c1' }, 'c1', 'tok')).toMatchObject({ ok: false, status: 401 });
  });
});

// The dashboard in a real browser: Debian's Chromium driven by playwright-core against
// `healer serve`'s app on a real HTTP port, over incidents made by real pipeline runs. Screenshots
// go to test-output/dashboard/ (the docs use them).

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDashboardDeps } from '../../src/environments/local-dashboard.js';
import { createDashboardApp } from '../../src/server/dashboard-app.js';
import { type DashboardFixture, dashboardFixture } from '../server/dashboard-fixture.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const SHOTS = resolve('test-output/dashboard');

let fx: DashboardFixture;
let browser: Browser;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  if (!CHROMIUM) throw new Error("Chromium is not installed: .ci/run installs Debian's chromium package");
  fx = await dashboardFixture();
  const app = createDashboardApp(
    localDashboardDeps({ stateDir: fx.stateDir, policyDirs: [resolve('policies')] }),
  );
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((done) => server.once('listening', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((done) => server.close(() => done()));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  await mkdir(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await close?.();
});

async function open(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const res = await page.goto(`${base}${path}`);
  expect(res?.status(), path).toBe(200);
  return page;
}

describe('dashboard in Chromium', () => {
  it('lists incidents and filters them by status', async () => {
    const page = await open('/');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
    await page.screenshot({ path: join(SHOTS, 'incidents.png'), fullPage: true });
    await page.selectOption('select[name=status]', 'resolved');
    await page.click('button[type=submit]');
    await page.waitForURL(/status=resolved/);
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody tr td.status').innerText()).toBe('resolved');
    await page.close();
  });

  it('shows an incident: findings, decision trace with guard rules, row accounting and the quarantined rows', async () => {
    const page = await open('/?status=resolved');
    await page.locator('tbody tr a').first().click();
    await page.waitForURL(/\/incidents\//);
    const text = await page.locator('main').innerText();
    expect(text).toContain('null_rate_spike');
    expect(text).toContain('Decision trace');
    expect(text).toMatch(/200 rows in = 194 delivered \+ 6 quarantined \(balanced\)/);
    const quarantined = page.locator('table.quarantine tbody tr');
    expect(await quarantined.count()).toBe(6);
    expect(await page.locator('table.quarantine').innerText()).toContain('amount: null in a required column');
    await page.screenshot({ path: join(SHOTS, 'incident.png'), fullPage: true });
    await page.close();
  });

  it('shows the approvals queue read-only without a token', async () => {
    const page = await open('/approvals');
    const text = await page.locator('main').innerText();
    expect(text).toContain('Approvals (1 pending)');
    expect(text).toContain('read-only');
    expect(await page.locator('form#approve-form').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'approvals-read-only.png'), fullPage: true });
    await page.close();
  });

  it('draws the policy heatmap and diffs two versions', async () => {
    const page = await open('/policy');
    expect(await page.locator('table.heatmap tbody tr').count()).toBeGreaterThan(10);
    expect(await page.locator('table.heatmap td.best').count()).toBeGreaterThan(10);
    await page.screenshot({ path: join(SHOTS, 'policy.png'), fullPage: true });
    await page.close();
  });

  it('approves through the form with the token (the facts re-checked, the action run), then refuses a second approval', async () => {
    const TOKEN = 'browser-test-token-0123456789';
    const app = createDashboardApp(
      localDashboardDeps({ stateDir: fx.stateDir, policyDirs: [resolve('policies')], token: TOKEN }),
    );
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((done) => server.once('listening', done));
    const writable = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`${writable}/approvals`);
      expect(await page.locator('form#approve-form').count()).toBe(1);
      await page.screenshot({ path: join(SHOTS, 'approvals.png'), fullPage: true });
      // A wrong token is refused and changes nothing.
      await page.fill('form#approve-form input[name=token]', 'wrong');
      await page.click('form#approve-form button[type=submit]');
      expect(await page.locator('main').innerText()).toContain('wrong token');
      await page.goto(`${writable}/approvals`);
      await page.fill('form#approve-form input[name=token]', TOKEN);
      await page.fill('form#approve-form input[name=by]', 'ana');
      await page.click('form#approve-form button[type=submit]');
      await page.waitForURL(/\/incidents\//);
      const text = await page.locator('main').innerText();
      expect(text).toMatch(/resolved/);
      expect(text).toMatch(/200 rows in = 194 delivered \+ 6 quarantined \(balanced\)/);
      await page.screenshot({ path: join(SHOTS, 'approved.png'), fullPage: true });
      const id = page.url().split('/').at(-1)!;
      const again = await fetch(`${writable}/api/incidents/${id}/approve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(again.status).toBe(400);
      expect(((await again.json()) as { code: string }).code).toBe('E_APPROVAL');
    } finally {
      await page.close();
      await new Promise((done) => server.close(() => done(undefined)));
    }
  });

  it('draws the charts as SVG', async () => {
    const page = await open('/charts');
    expect(await page.locator('svg.chart').count()).toBe(3);
    expect(await page.locator('svg.chart rect.resolved title').count()).toBe(1); // one bar (the legend has no title)
    await page.screenshot({ path: join(SHOTS, 'charts.png'), fullPage: true });
    await page.close();
  });
});

// Approvals, labels, the shadow report and progressive autonomy on real DuckDB state: a supervised
// pipeline with a real failing input gives an incident awaiting approval; the commands run
// in-process through `main`, so exit codes and one-line errors are what a user sees.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { approveIncident } from '../../src/approval.js';
import { createLocalEnvironment } from '../../src/environments/local-environment.js';
import type { IncidentRecord } from '../../src/ports.js';
import { ordersPipeline } from '../fixtures/orders-pipeline.js';
import { cli, failingOrdersProject, ordersCsv } from '../support/orders-project.js';

const pipeline = (authority: string) =>
  ordersPipeline({ comment: 'orders: kept through every edit', authority });

/** A project whose second run fails for real and awaits approval; returns its folder and incident id. */
async function awaiting(authority = '  mode: supervised'): Promise<{ dir: string; id: string }> {
  const { dir, incident } = await failingOrdersProject('healer-gov-', pipeline(authority));
  expect(incident.status).toBe('awaiting_approval');
  return { dir, id: incident.id };
}

async function incidents(dir: string): Promise<IncidentRecord[]> {
  return JSON.parse((await cli(dir, 'incidents', '--json')).out) as IncidentRecord[];
}

async function auditSteps(dir: string, id: string): Promise<string[]> {
  const lines = (await readFile(join(dir, '.healer', 'audit.jsonl'), 'utf8')).trim().split('\n');
  return lines
    .map((l) => JSON.parse(l) as { incidentId: string; step: string })
    .filter((r) => r.incidentId === id)
    .map((r) => r.step);
}

const oneLineError = (err: string, code: string) => {
  expect(err.trim().split('\n')).toHaveLength(1);
  expect(err).toMatch(new RegExp(`^healer: ${code}: `));
};

describe('approvals', () => {
  it('lists, approves (executes, validates, resolves) and records who approved; a second approval is refused', async () => {
    const { dir, id } = await awaiting();
    const pending = JSON.parse((await cli(dir, 'pending', '--json')).out) as Array<Record<string, unknown>>;
    expect(pending).toEqual([
      expect.objectContaining({
        id,
        pipeline: 'orders_daily',
        family: 'data_quality',
        action: 'quarantine',
        expired: false,
      }),
    ]);
    const requested = Date.parse(String(pending[0]?.requestedAt));
    expect(Date.parse(String(pending[0]?.expiresAt)) - requested).toBe(24 * 3_600_000);

    const approved = await cli(dir, 'approve', id, '--by', 'alice', '--note', 'two null amounts', '--json');
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.out)).toMatchObject({ status: 'resolved', incident: { status: 'resolved' } });
    const [stored] = await incidents(dir);
    expect(stored?.approval?.verdict).toMatchObject({
      verdict: 'approved',
      by: 'alice',
      note: 'two null amounts',
    });
    expect(stored?.result?.rows).toEqual({ rowsIn: 100, rowsDelivered: 98, rowsQuarantined: 2 });
    expect(await auditSteps(dir, id)).toEqual(
      expect.arrayContaining(['decision', 'approval', 'action', 'validation', 'outcome']),
    );
    expect((await cli(dir, 'audit', 'verify')).code).toBe(0);
    expect((await cli(dir, 'pending', '--json')).out.trim()).toBe('[]');

    const again = await cli(dir, 'approve', id);
    expect(again.code).toBe(2);
    oneLineError(again.err, 'E_APPROVAL');
    expect(again.err).toContain('is resolved, not awaiting approval');
  }, 60_000);

  it('decides again and does not execute when the input changed between decision and approval', async () => {
    const { dir, id } = await awaiting();
    await writeFile(join(dir, 'orders.csv'), ordersCsv([7, 9, 11, 13]));
    const first = await cli(dir, 'approve', id, '--by', 'bob', '--json');
    expect(first.code).toBe(1);
    const result = JSON.parse(first.out) as {
      status: string;
      diff: Array<{ fact: string; before: string; after: string }>;
    };
    expect(result.status).toBe('redecided');
    expect(result.diff.map((d) => d.fact)).toEqual(
      expect.arrayContaining(['input orders fingerprint', 'bad-row share']),
    );
    expect(result.diff.find((d) => d.fact === 'bad-row share')).toMatchObject({
      before: '0.02',
      after: '0.04',
    });
    const [stored] = await incidents(dir);
    expect(stored).toMatchObject({ status: 'awaiting_approval', approval: { redecisions: 1 } });
    expect(stored?.approval?.facts.badRowFraction).toBe(0.04);
    expect(stored?.result?.rows).toBeUndefined();
    // The new decision's facts hold now: approving it executes.
    const second = await cli(dir, 'approve', id, '--by', 'bob', '--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.out)).toMatchObject({ status: 'resolved' });
    expect((await incidents(dir))[0]?.result?.rows).toEqual({
      rowsIn: 100,
      rowsDelivered: 96,
      rowsQuarantined: 4,
    });
  }, 60_000);

  it('refuses an expired approval (injected clock, and a short expiry on the CLI) but lets it be rejected', async () => {
    const { dir, id } = await awaiting('  mode: supervised\n  approvalExpiryHours: 0.0003');
    const env = await createLocalEnvironment({ pipelineFile: join(dir, 'pipeline.yaml'), terminal: false });
    try {
      const stored = await env.state.getIncident(id);
      const later = new Date(Date.parse(stored?.approval?.expiresAt ?? '') + 1);
      await expect(approveIncident(id, env, { by: 'alice', now: later })).rejects.toMatchObject({
        code: 'E_APPROVAL',
      });
    } finally {
      await env.close();
    }
    await new Promise((r) => setTimeout(r, 1_200)); // 0.0003 h = 1.08 s
    expect(JSON.parse((await cli(dir, 'pending', '--json')).out)[0]).toMatchObject({ id, expired: true });
    const late = await cli(dir, 'approve', id, '--by', 'alice');
    expect(late.code).toBe(2);
    oneLineError(late.err, 'E_APPROVAL');
    expect(late.err).toContain('expired at');

    const rejected = await cli(dir, 'reject', id, '--reason', 'too late, will rerun', '--by', 'carol');
    expect(rejected.code).toBe(0);
    const [stored] = await incidents(dir);
    expect(stored).toMatchObject({
      status: 'rejected',
      approval: { verdict: { verdict: 'rejected', by: 'carol', note: 'too late, will rerun' } },
    });
    expect(await auditSteps(dir, id)).toEqual(expect.arrayContaining(['rejection', 'outcome']));
  }, 60_000);

  it('refuses an approval while another approval of the same incident holds its lock', async () => {
    const { dir, id } = await awaiting();
    const env = await createLocalEnvironment({ pipelineFile: join(dir, 'pipeline.yaml'), terminal: false });
    try {
      // Another approver (another process or the dashboard) is mid-approval.
      expect((await env.state.tryLock(`approval:${id}`, 'dashboard', 60_000, new Date())).acquired).toBe(
        true,
      );
      await expect(approveIncident(id, env, { by: 'alice' })).rejects.toMatchObject({ code: 'E_APPROVAL' });
      expect((await env.state.getIncident(id))?.status).toBe('awaiting_approval');
      await env.state.releaseLock(`approval:${id}`, 'dashboard');
      const result = await approveIncident(id, env, { by: 'alice' });
      expect(result.status).toBe('resolved');
    } finally {
      await env.close();
    }
    const shown = await cli(dir, 'incident', 'show', id);
    expect(shown.out).toMatch(/^approved by alice at \S+$/m);
  }, 60_000);

  it('answers bad ids, bad actions and missing reasons with one line and exit 2', async () => {
    const { dir, id } = await awaiting();
    for (const args of [
      ['approve', 'inc-nope'],
      ['reject', 'inc-nope', '--reason', 'x'],
      ['label', 'inc-nope', '--action', 'retry'],
    ]) {
      const r = await cli(dir, ...args);
      expect(r.code).toBe(2);
      oneLineError(r.err, 'E_NOT_FOUND');
    }
    const badAction = await cli(dir, 'label', id, '--action', 'reboot');
    expect(badAction.code).toBe(2);
    oneLineError(badAction.err, 'E_INPUT');
    const emptyReason = await cli(dir, 'reject', id, '--reason', ' ');
    expect(emptyReason.code).toBe(2);
    oneLineError(emptyReason.err, 'E_INPUT');
    expect((await cli(dir, 'reject', id)).code).toBe(2); // --reason is required
    const badFamily = await cli(dir, 'autonomy', 'promote', 'weather');
    expect(badFamily.code).toBe(2);
    oneLineError(badFamily.err, 'E_INPUT');
    // Nothing above touched the incident.
    expect((await incidents(dir))[0]?.status).toBe('awaiting_approval');
  }, 60_000);
});

describe('labels, shadow report and autonomy', () => {
  it('counts an approval as agreement unless a label says otherwise, and promotes only an eligible family', async () => {
    const thresholds =
      '  mode: supervised\n  autonomy: { minLabelled: 2, minPrecision: 0.5, minLowerBound: 0.05 }';
    const { dir, id } = await awaiting(thresholds);
    expect((await cli(dir, 'approve', id, '--by', 'alice')).code).toBe(0);
    let report = JSON.parse((await cli(dir, 'shadow', 'report', '--json')).out);
    expect(report.families.data_quality).toMatchObject({
      decisions: 1,
      labelled: 1,
      agreed: 1,
      precision: 1,
    });
    expect(report.families.data_quality.lower95).toBeCloseTo(0.2065, 4); // Wilson 1/1
    expect(report.overall).toMatchObject({ decisions: 1, labelled: 1, agreed: 1 });

    // One labelled: under minLabelled 2, so promotion is refused.
    const refused = await cli(dir, 'autonomy', 'promote', 'data_quality');
    expect(refused.code).toBe(2);
    oneLineError(refused.err, 'E_INPUT');
    expect(refused.err).toContain('1 labelled < 2');

    // The engineer says the approved quarantine was wrong after all: the label wins.
    expect((await cli(dir, 'label', id, '--action', 'escalate', '--by', 'dana')).code).toBe(0);
    report = JSON.parse((await cli(dir, 'shadow', 'report', '--json')).out);
    expect(report.families.data_quality).toMatchObject({ labelled: 1, agreed: 0, precision: 0 });
    expect(report.overall.confusion).toEqual({ quarantine: { escalate: 1 } });
    expect((await incidents(dir))[0]?.label).toMatchObject({ action: 'escalate', by: 'dana' });
    expect(await auditSteps(dir, id)).toContain('label');

    // Relabel as agreeing and add a second agreeing incident: eligible under these thresholds.
    expect((await cli(dir, 'label', id, '--action', 'quarantine', '--by', 'dana')).code).toBe(0);
    await writeFile(join(dir, 'orders.csv'), ordersCsv([3]));
    const second = JSON.parse((await cli(dir, 'run', 'pipeline.yaml', '--json')).out) as {
      incident: IncidentRecord;
    };
    expect((await cli(dir, 'label', second.incident.id, '--action', 'quarantine')).code).toBe(0);
    const status = JSON.parse((await cli(dir, 'autonomy', '--json')).out) as {
      families: Array<{ family: string; mode: string; labelled: number; eligible: boolean }>;
    };
    expect(status.families.find((f) => f.family === 'data_quality')).toMatchObject({
      mode: 'supervised',
      labelled: 2,
      eligible: true,
    });
    expect(status.families.find((f) => f.family === 'schema')).toMatchObject({ eligible: false });

    const promoted = await cli(
      dir,
      'autonomy',
      'promote',
      'data_quality',
      '--pipeline',
      'pipeline.yaml',
      '--by',
      'alice',
    );
    expect(promoted.code).toBe(0);
    const yaml = await readFile(join(dir, 'pipeline.yaml'), 'utf8');
    expect(yaml).toContain('# orders: kept through every edit');
    expect(yaml).toMatch(/modeByFamily:\n\s+data_quality: autonomous/);
    expect(yaml).toContain('minLabelled: 2');
    // Now autonomous: the next failure of this family executes without approval.
    await writeFile(join(dir, 'orders.csv'), ordersCsv([5]));
    const third = JSON.parse((await cli(dir, 'run', 'pipeline.yaml', '--json')).out) as {
      incident: IncidentRecord;
    };
    expect(third.incident).toMatchObject({ status: 'resolved', action: 'quarantine' });
  }, 90_000);

  it('refuses --force without --by, forces with it, demotes by hand and audits every change', async () => {
    const { dir } = await awaiting();
    const noBy = await cli(dir, 'autonomy', 'promote', 'schema', '--force');
    expect(noBy.code).toBe(2);
    oneLineError(noBy.err, 'E_INPUT');
    expect((await cli(dir, 'autonomy', 'promote', 'schema', '--force', '--by', 'lead')).code).toBe(0);
    expect(await readFile(join(dir, 'pipeline.yaml'), 'utf8')).toMatch(/schema: autonomous/);
    expect((await cli(dir, 'autonomy', 'demote', 'schema', '--to', 'shadow', '--by', 'lead')).code).toBe(0);
    expect(await readFile(join(dir, 'pipeline.yaml'), 'utf8')).toMatch(/schema: shadow/);
    const lines = (await readFile(join(dir, '.healer', 'audit.jsonl'), 'utf8')).trim().split('\n');
    const changes = lines
      .map((l) => JSON.parse(l) as { incidentId: string; step: string; data: Record<string, unknown> })
      .filter((r) => r.incidentId === 'autonomy:orders_daily');
    expect(changes.map((c) => [c.step, c.data.from, c.data.to, c.data.forced])).toEqual([
      ['autonomy', 'supervised', 'autonomous', true],
      ['autonomy', 'autonomous', 'shadow', undefined],
    ]);
    expect((await cli(dir, 'audit', 'verify')).code).toBe(0);
  }, 60_000);
});

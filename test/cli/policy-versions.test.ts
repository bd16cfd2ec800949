// `healer policy log|learn|evaluate|promote|rollback|history` on a real SQLite state folder. The
// incidents are a logged-decision fixture: decisions made by decide() with the real guard, whose
// proposals replay what an exploring policy logged (action and propensity), after an upstream
// changed so that retry stopped fixing `dependency|low|ok` and engineers labelled escalations right.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SqliteStateStore, STATE_FILE } from '../../src/adapters/local/index.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { Action } from '../../src/core/action.js';
import { authoritySchema } from '../../src/core/authority.js';
import { decide } from '../../src/core/decide.js';
import type { Diagnosis } from '../../src/core/decision.js';
import type { Policy } from '../../src/core/policy/policy.js';
import type { IncidentRecord } from '../../src/ports.js';

const DEPENDENCY: Diagnosis = {
  classification: {
    family: 'dependency',
    rule: 'spark.path_not_found',
    confidence: 0.9,
    line: 'Path does not exist',
  },
  findings: [],
  risk: { level: 'low', reasons: ['no data touched'] },
  quality: 'ok',
  protectedDataset: false,
};

/** A logging policy that replays one logged proposal (the exploring policy's choice and propensity). */
function logged(action: Action, propensity: number): Policy {
  return {
    kind: 'q_learning',
    version: 'q_learning@exploring',
    hash: '',
    propose: () => ({ action, qValues: {}, propensity, policyVersion: 'q_learning@exploring' }),
  };
}

function incident(i: number, action: Action, propensity: number): IncidentRecord {
  const decision = decide({
    diagnosis: DEPENDENCY,
    policy: logged(action, propensity),
    capabilities: {
      supported: ['retry'],
      hasPreviousSchemaVersion: false,
      coercionSafe: false,
      hasQuarantineStore: false,
    },
    authority: authoritySchema.parse({}),
    usage: { retriesThisRun: 0, retriesThisJobLastHour: 0, consecutiveFailedRemediations: 0 },
  });
  const startedAt = new Date(Date.UTC(2026, 10, 20, 8) + i * 3_600_000).toISOString();
  const retried = decision.verdict.final === 'retry';
  return {
    id: `inc-${String(i).padStart(3, '0')}`,
    event: {
      id: `ev-${i}`,
      source: 'local',
      pipeline: 'orders_daily',
      job: 'orders_daily',
      runId: `run-${i}`,
      state: 'FAILED',
      occurredAt: startedAt,
      errorMessage: 'org.apache.spark.sql.AnalysisException: [PATH_NOT_FOUND] Path does not exist',
    },
    status: 'escalated',
    action: decision.verdict.final,
    summary: retried ? 'retry ran; the input was still missing' : 'escalated',
    startedAt,
    finishedAt: startedAt,
    durationMs: 240_000,
    decision,
    // Retry no longer fixes it: the re-run fails and validation escalates.
    ...(retried
      ? {
          validation: {
            status: 'escalate' as const,
            checks: [{ name: 'rerun_succeeded' as const, passed: false, detail: 'failed again' }],
          },
        }
      : { label: { action: 'escalate' as const, by: 'ana', at: startedAt } }),
  };
}

let dir: string;
async function healer(...args: string[]) {
  const io = memoryIo('', dir);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'healer-policy-versions-'));
  const state = SqliteStateStore.open(join(dir, '.healer', STATE_FILE));
  // 3 of 4 decisions proposed retry (propensity 0.75), 1 in 4 explored escalate (0.25).
  for (let i = 0; i < 40; i++)
    await state.saveIncident(i % 4 === 3 ? incident(i, 'escalate', 0.25) : incident(i, 'retry', 0.75));
  // Awaiting approval: its reward is not known yet.
  await state.saveIncident({
    ...incident(40, 'retry', 0.75),
    status: 'awaiting_approval',
    validation: undefined,
  });
  await state.close();
  await writeFile(join(dir, 'broken.json'), '{"format": "healer.policy"');
}, 30_000);

describe('healer policy log', () => {
  it('lists state, proposal, propensity, version and the reward once known', async () => {
    const { code, out } = await healer('policy', 'log', '--json');
    expect(code).toBe(0);
    const log = JSON.parse(out);
    expect(log).toHaveLength(41);
    expect(log[0]).toMatchObject({
      incidentId: 'inc-000',
      state: 'dependency|low|ok',
      proposed: 'retry',
      propensity: 0.75,
      policyVersion: 'q_learning@exploring',
      final: 'retry',
      reward: -0.5,
    });
    expect(log[3]).toMatchObject({ proposed: 'escalate', propensity: 0.25, reward: 0.5 });
    expect(log[40].reward).toBeUndefined();
    expect((await healer('policy', 'log')).out).toMatch(
      /inc-040\s+dependency\|low\|ok\s+retry\s+0\.750.*pending/,
    );
  });
});

describe('healer policy learn|evaluate|promote|rollback|history', () => {
  it('learns a candidate from the logged outcomes, starting from the policy in force', async () => {
    const { code, out } = await healer('policy', 'learn', '--out', 'cand.json');
    expect(code).toBe(0);
    expect(out).toMatch(
      /^wrote cand\.json: q_learning@[0-9a-f]{12} learned from 40 outcome\(s\), starting from q_learning@[0-9a-f]{12}; 1 decision\(s\) still without a reward/,
    );
    const candidate = JSON.parse(await readFile(join(dir, 'cand.json'), 'utf8'));
    const row = candidate.qTable['dependency|low|ok'];
    expect(row.escalate).toBeGreaterThan(row.retry);
    expect(candidate.training).toMatchObject({ source: 'logged_outcomes', outcomes: 40 });
  });

  it('evaluates it off-policy beside the current policy', async () => {
    const { code, out } = await healer('policy', 'evaluate', 'cand.json', '--json');
    expect(code).toBe(0);
    const e = JSON.parse(out);
    expect(e.steps).toBe(40);
    // Candidate escalates: IPS = 10 · (1/0.25) · 0.5 / 40 = 0.5. Current retries: 30 · (1/0.75) · (−0.5) / 40 = −0.5.
    expect(e.candidate.ips.estimate).toBeCloseTo(0.5, 12);
    expect(e.current.ips.estimate).toBeCloseTo(-0.5, 12);
    expect(e.candidate.dr.estimate).toBeCloseTo(0.5, 12);
    expect(e.candidate.ess).toBeCloseTo(10, 12);
    expect(e.current.ess).toBeCloseTo(30, 12);
    expect(e.promotable).toBe(true);
    const text = (await healer('policy', 'evaluate', 'cand.json')).out;
    expect(text).toMatch(/^DR\s+0\.500 \[0\.500, 0\.500\]\s+-0\.500/m);
    expect(text).toContain('promotable: yes');
  });

  it('refuses a bad candidate file and a missing one with one line, exit 2', async () => {
    const broken = await healer('policy', 'evaluate', 'broken.json');
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/^healer: E_INPUT: candidate policy broken\.json is not JSON: [^\n]*\n$/);
    const missing = await healer('policy', 'promote', 'nope.json', '--by', 'ana');
    expect(missing).toMatchObject({
      code: 2,
      err: 'healer: E_INPUT: cannot read candidate policy nope.json: no such file\n',
    });
  });

  it('refuses a candidate whose lower bound does not beat the current estimate', async () => {
    // The policy in force, relearned from nothing: it proposes the same, so it cannot beat itself.
    const empty = await mkdtemp(join(tmpdir(), 'healer-policy-empty-'));
    expect(
      (await healer('policy', 'learn', '--state-dir', join(empty, '.healer'), '--out', 'same.json')).code,
    ).toBe(0);
    const refused = await healer('policy', 'promote', 'same.json', '--by', 'ana');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(
      /^healer: E_PROMOTION: q_learning@[0-9a-f]{12} not promoted: its DR lower bound -0\.500 does not beat the current q_learning@[0-9a-f]{12} estimate -0\.500 \(40 logged decisions\)\n$/,
    );
    expect(existsSync(join(dir, '.healer', 'policies', 'current.policy.json'))).toBe(false);
  });

  it('promotes, records who and the estimates, puts it in force and audits it; then rolls back', async () => {
    const before = JSON.parse((await healer('policy', 'history', '--json')).out);
    expect(before.entries).toEqual([]);
    const shipped = before.current as string;
    const promoted = await healer('policy', 'promote', 'cand.json', '--by', 'ana');
    expect(promoted.code).toBe(0);
    expect(promoted.out).toMatch(
      new RegExp(`promoted q_learning@[0-9a-f]{12} \\(was ${shipped}\\) by ana at `),
    );
    const h = JSON.parse((await healer('policy', 'history', '--json')).out);
    expect(h.current).not.toBe(shipped);
    expect(h.entries).toHaveLength(1);
    expect(h.entries[0]).toMatchObject({ event: 'promote', by: 'ana', from: shipped, version: h.current });
    expect(h.entries[0].estimates.candidate.dr.lower95).toBeGreaterThan(
      h.entries[0].estimates.current.dr.estimate,
    );
    // The local environment loads the promoted version.
    expect(
      JSON.parse(await readFile(join(dir, '.healer', 'policies', 'current.policy.json'), 'utf8')).hash.slice(
        0,
        12,
      ),
    ).toBe(h.current.slice(11));
    const audit = (await readFile(join(dir, '.healer', 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(
      audit.filter((r) => r.incidentId === 'policy').map((r) => [r.step, r.data.event, r.data.by]),
    ).toEqual([['policy', 'promote', 'ana']]);
    expect((await healer('audit', 'verify')).code).toBe(0);
    expect((await healer('policy', 'promote', 'cand.json', '--by', 'ana')).err).toMatch(
      /E_PROMOTION: .* is already the policy in force/,
    );

    const bad = await healer('policy', 'rollback', 'q_learning@000000000000', '--by', 'bo');
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.err).toMatch(
      /^healer: E_NOT_FOUND: no policy version q_learning@000000000000 in .* \(see healer policy history\)\n$/,
    );
    const back = await healer('policy', 'rollback', '--by', 'bo');
    expect(back.code).toBe(0);
    expect(back.out).toMatch(new RegExp(`^rolled back to ${shipped} \\(was ${h.current}\\) by bo`));
    const after = JSON.parse((await healer('policy', 'history', '--json')).out);
    expect(after.current).toBe(shipped);
    expect(after.entries.map((e: { event: string }) => e.event)).toEqual(['promote', 'rollback']);
    const text = (await healer('policy', 'history')).out;
    expect(text).toContain(`in force: ${shipped}`);
    expect(text).toMatch(
      /promote\s+q_learning@\w{12}\s+q_learning@\w{12}\s+ana\s+0\.500 \[0\.500, 0\.500\]\s+-0\.500/,
    );
  });
});

// The decision log on real runs: a supervised incident's reward is unknown while it awaits approval
// and appears once the approved action validated; a shadow decision gets its reward from a later
// label. Real pipelines on DuckDB, commands in-process through `main`.

import { describe, expect, it } from 'vitest';
import type { LoggedDecision } from '../../src/policy-log.js';
import type { IncidentRecord } from '../../src/ports.js';
import { ordersPipeline } from '../fixtures/orders-pipeline.js';
import { cli, failingOrdersProject } from '../support/orders-project.js';

/** A project whose second run fails for real (two null amounts); returns the folder and the incident. */
async function failing(mode: string): Promise<{ dir: string; incident: IncidentRecord }> {
  return failingOrdersProject('healer-policy-log-', ordersPipeline({ authority: `  mode: ${mode}` }));
}

async function logOf(dir: string, id: string): Promise<LoggedDecision> {
  const log = JSON.parse((await cli(dir, 'policy', 'log', '--json')).out) as LoggedDecision[];
  return log.find((d) => d.incidentId === id)!;
}

describe('the decision log on real runs', () => {
  it('fills the reward in when an approved action validates', async () => {
    const { dir, incident } = await failing('supervised');
    expect(incident.status).toBe('awaiting_approval');
    const pending = await logOf(dir, incident.id);
    expect(pending).toMatchObject({
      state: 'data_quality|low|degraded',
      proposed: 'quarantine',
      propensity: 1,
    });
    expect(pending.policyVersion).toMatch(/^q_learning@[0-9a-f]{12}$/);
    expect(pending.reward).toBeUndefined();
    expect((await cli(dir, 'approve', incident.id, '--by', 'alice')).code).toBe(0);
    const known = await logOf(dir, incident.id);
    expect(known.status).toBe('resolved');
    // 1 less the time penalty: a few seconds of a 60-minute scale.
    expect(known.reward).toBeGreaterThan(0.99);
    expect(known.reward).toBeLessThanOrEqual(1);
  }, 60_000);

  it('fills the reward of a shadow decision in from a later label', async () => {
    const { dir, incident } = await failing('shadow');
    expect(incident.status).toBe('recorded');
    expect((await logOf(dir, incident.id)).reward).toBeUndefined();
    expect((await cli(dir, 'label', incident.id, '--action', 'escalate', '--by', 'bob')).code).toBe(0);
    expect((await logOf(dir, incident.id)).reward).toBe(-0.5);
  }, 60_000);
});

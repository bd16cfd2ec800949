import { describe, expect, it } from 'vitest';
import { handleIncident } from '../agent.js';
import { isActiveAction } from '../core/action.js';
import { RandomPolicy } from '../core/policy/random-policy.js';
import { EVAL_OFFSET, POLICY_NAMES, runBench } from './bench.js';
import { generateIncidents } from './scenarios.js';
import { createSimEnvironment } from './sim-environment.js';

const SMALL = { seeds: [42, 43], trainIncidents: 60, evalIncidents: 40, episodes: 2000 };

describe('runBench (small run)', () => {
  it('keeps the invariants: with the guard, no policy (not even random) executes anything unsafe or loses a row; Q-learning escalates every unfixable incident without acting first', async () => {
    const r = await runBench(SMALL);
    for (const name of ['q_learning', 'rules', 'random'] as const) {
      expect(r.json.policies[name].unsafe_executions.mean).toBe(0);
      expect(r.json.policies[name].rows_lost.mean).toBe(0);
    }
    expect(r.json.policies.q_learning.correct_escalation.mean).toBe(1);
    // Rules is not pinned at 1 since correct escalation means "escalated with no action run": the
    // rule policy retries an out-of-memory failure (a resource error) that no retry fixes, then
    // escalates, which no longer counts as correct.
    // Success never exceeds the oracle ceiling (what some allowed action can fix).
    for (const s of r.perSeed)
      for (const name of POLICY_NAMES) expect(s.policies[name].success).toBeLessThanOrEqual(s.oracle);
    // The ablation shows what the guard prevents.
    expect(
      r.perSeed.reduce((n, s) => n + s.policies.q_learning_no_guard.unsafe_executions, 0),
    ).toBeGreaterThan(0);
  }, 60_000);

  it('has exactly the documented JSON shape, rates as fractions of 1', async () => {
    const r = await runBench({ ...SMALL, seeds: [44] });
    const j = JSON.parse(JSON.stringify(r.json));
    expect(Object.keys(j).sort()).toEqual([
      'classifier',
      'detector',
      'elapsed_seconds',
      'oracle',
      'policies',
      'seeds',
    ]);
    expect(Object.keys(j.classifier).sort()).toEqual([
      'accuracy',
      'diagnosis_accuracy',
      'families',
      'source',
    ]);
    expect(j.seeds).toEqual([44]);
    expect(Object.keys(j.detector).sort()).toEqual(['f1', 'precision', 'recall']);
    expect(Object.keys(j.policies).sort()).toEqual([...POLICY_NAMES].sort());
    for (const name of POLICY_NAMES) {
      expect(Object.keys(j.policies[name]).sort()).toEqual(
        [
          'correct_escalation',
          'mttr_minutes',
          'non_escalation',
          'rows_lost',
          'success',
          'unsafe_executions',
        ].sort(),
      );
      for (const v of Object.values(j.policies[name]) as { mean: number; ci95: number }[])
        expect(Object.keys(v).sort()).toEqual(['ci95', 'mean']);
      expect(j.policies[name].success.mean).toBeGreaterThanOrEqual(0);
      expect(j.policies[name].success.mean).toBeLessThanOrEqual(1);
    }
    expect(j.oracle.mean).toBeGreaterThan(0);
    expect(j.oracle.mean).toBeLessThanOrEqual(1);
  }, 60_000);

  it('the direct loop gives the same outcomes as the real agent loop (handleIncident over the simulated ports)', async () => {
    const opts = { seeds: [45], trainIncidents: 40, evalIncidents: 30, episodes: 1000 };
    const direct = await runBench({ ...opts, loop: 'direct' });
    const agent = await runBench({ ...opts, loop: 'agent' });
    expect(agent.perSeed[0]!.policies).toEqual(direct.perSeed[0]!.policies);
  }, 60_000);

  it('counts an escalation as correct only when no action ran before it (read from the incident records, not the tally)', async () => {
    const seed = 46;
    const evalIncidents = 80;
    const r = await runBench({ seeds: [seed], trainIncidents: 40, evalIncidents, episodes: 500 });
    // Random + guard runs allowed actions that do not fix unfixable incidents, which then end
    // escalated: the old metric counted those; the records tell them apart by the action the guard let run.
    const env = createSimEnvironment(new RandomPolicy(seed));
    let unfixable = 0;
    let escalatedNoAction = 0;
    let escalatedAfterAction = 0;
    for (const incident of generateIncidents({ seed, count: evalIncidents, offset: EVAL_OFFSET })) {
      env.focus(incident);
      const record = await handleIncident(incident.event, env, { guard: 'on' });
      if (incident.truth.fixing.length > 0 || record.status !== 'escalated') {
        if (incident.truth.fixing.length === 0) unfixable++;
        continue;
      }
      unfixable++;
      if (record.action === undefined || !isActiveAction(record.action)) escalatedNoAction++;
      else escalatedAfterAction++;
    }
    expect(escalatedAfterAction).toBeGreaterThan(0);
    expect(r.perSeed[0]!.policies.random.correct_escalation).toBeCloseTo(escalatedNoAction / unfixable, 12);
  }, 60_000);

  it('runs the held-out seeds with the same protocol and reports them under held_out, same shape', async () => {
    const opts = { trainIncidents: 40, evalIncidents: 30, episodes: 600 };
    const both = await runBench({ ...opts, seeds: [47], heldOutSeeds: [1000] });
    const alone = await runBench({ ...opts, seeds: [1000] });
    const { elapsed_seconds: _e, ...aloneJson } = alone.json;
    expect(both.json.held_out).toEqual(aloneJson);
    expect(both.json.seeds).toEqual([47]);
    expect(both.heldOut?.perSeed.map((s) => s.seed)).toEqual([1000]);
    expect(both.perSeed.map((s) => s.seed)).toEqual([47]);
  }, 60_000);

  it('scores the classifier per family against the injected family, over every evaluation incident', async () => {
    const r = await runBench({ seeds: [48], trainIncidents: 40, evalIncidents: 60, episodes: 300 });
    const t = r.perSeed[0]!.classifier;
    const incidents = Object.values(t).reduce((n, f) => n + f.incidents, 0);
    expect(incidents).toBe(60);
    const right = Object.values(t).reduce((n, f) => n + f.log, 0);
    expect(r.json.classifier.accuracy.mean).toBeCloseTo(right / 60, 12);
    for (const f of Object.values(r.json.classifier.families))
      if (f.incidents === 0) expect(f.accuracy).toBeNull();
      else expect(f.accuracy).toBeGreaterThanOrEqual(0);
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import type { Action } from '../action.js';
import type { State } from '../state.js';
import { parsePolicyArtifact } from './artifact.js';
import { QLearningPolicy } from './q-learning.js';
import { createRng } from './rng.js';

// A tiny known problem: in a transient state only retry pays; in a schema state only coerce does.
// Every other action costs a little (needless escalation) or a lot (a failed action).
const TRANSIENT: State = { family: 'transient', risk: 'low', quality: 'ok' };
const SCHEMA: State = { family: 'schema', risk: 'low', quality: 'ok' };
const BEST: Record<string, Action> = { transient: 'retry', schema: 'coerce_schema' };
function reward(state: State, action: Action): number {
  if (action === BEST[state.family]) return 1;
  if (action === 'escalate') return -0.1;
  return -1;
}

describe('QLearningPolicy', () => {
  it('proposes escalate (the safest action) in a state it never saw', () => {
    const p = new QLearningPolicy().propose(TRANSIENT);
    expect(p.action).toBe('escalate');
    expect(p.propensity).toBe(1);
    expect(Object.keys(p.qValues).sort()).toEqual(
      ['coerce_schema', 'escalate', 'log_only', 'quarantine', 'retry', 'rollback_schema'].sort(),
    );
  });

  it('applies Q ← Q + α(r − Q) and counts visits', () => {
    const q = new QLearningPolicy({ learningRate: 0.5 });
    q.update(SCHEMA, 'coerce_schema', 1);
    q.update(SCHEMA, 'coerce_schema', 1);
    expect(q.values(SCHEMA).coerce_schema).toBeCloseTo(0.75, 12);
    expect(q.visits(SCHEMA).coerce_schema).toBe(2);
    expect(q.values(TRANSIENT).retry).toBe(0);
  });

  it('converges on the tiny problem within 400 episodes with seed 7', () => {
    const q = new QLearningPolicy({ seed: 7, epsilon: 0.2, learningRate: 0.2 });
    const rng = createRng(99);
    for (let episode = 0; episode < 400; episode++) {
      const state = rng.next() < 0.5 ? TRANSIENT : SCHEMA;
      const p = q.explore(state);
      q.update(state, p.action, reward(state, p.action));
    }
    expect(q.propose(TRANSIENT).action).toBe('retry');
    expect(q.propose(SCHEMA).action).toBe('coerce_schema');
    expect(q.values(TRANSIENT).retry).toBeGreaterThan(0.9);
    // Exploration visited the other actions too, and learned they are worse.
    expect(q.visits(SCHEMA).quarantine).toBeGreaterThan(0);
    expect(q.values(SCHEMA).quarantine).toBeLessThan(0);
  });

  it('explores with the ε-greedy propensities and is reproducible from its seed', () => {
    const run = () => {
      const q = new QLearningPolicy({ seed: 3, epsilon: 0.3 });
      q.update(SCHEMA, 'coerce_schema', 1);
      return Array.from({ length: 2000 }, () => q.explore(SCHEMA));
    };
    const a = run();
    expect(a.map((p) => p.action)).toEqual(run().map((p) => p.action));
    for (const p of a)
      expect(p.propensity).toBeCloseTo(p.action === 'coerce_schema' ? 0.7 + 0.3 / 6 : 0.3 / 6, 12);
    const greedyShare = a.filter((p) => p.action === 'coerce_schema').length / a.length;
    expect(greedyShare).toBeGreaterThan(0.7);
    expect(greedyShare).toBeLessThan(0.8);
  });

  it('round-trips through its artifact: same hash, same version, same proposals', () => {
    const q = new QLearningPolicy({ seed: 11 });
    q.update(SCHEMA, 'rollback_schema', 0.4);
    q.update(TRANSIENT, 'retry', 0.9);
    const artifact = q.toArtifact({ episodes: 2 }, '2026-11-22T21:00:00.000Z');
    expect(q.hash).toBe(artifact.hash);
    expect(q.version).toBe(`q_learning@${artifact.hash.slice(0, 12)}`);
    const loaded = QLearningPolicy.fromArtifact(parsePolicyArtifact(JSON.parse(JSON.stringify(artifact))));
    expect(loaded.hash).toBe(artifact.hash);
    expect(loaded.propose(SCHEMA)).toEqual(q.propose(SCHEMA));
    expect(loaded.toArtifact()).toEqual(artifact);
  });

  it('changes its hash when it learns', () => {
    const q = new QLearningPolicy();
    const before = q.hash;
    q.update(SCHEMA, 'coerce_schema', 1);
    expect(q.hash).not.toBe(before);
  });

  it('rejects bad hyperparameters and rewards', () => {
    expect(() => new QLearningPolicy({ learningRate: 0 })).toThrow(/learningRate/);
    expect(() => new QLearningPolicy({ epsilon: 1.5 })).toThrow(/epsilon/);
    expect(() => new QLearningPolicy().update(SCHEMA, 'retry', Number.NaN)).toThrow(/finite/);
    expect(() => new QLearningPolicy().update(SCHEMA, 'scale_resources', 1)).toThrow(/not in the action set/);
  });
});

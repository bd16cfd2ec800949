import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256 } from '../audit-chain.js';
import { PolicyArtifactError } from '../errors.js';
import { artifactHash, diffArtifacts, type PolicyArtifact, parsePolicyArtifact } from './artifact.js';
import { QLearningPolicy } from './q-learning.js';

function trained(reward = 1): PolicyArtifact {
  const q = new QLearningPolicy({ seed: 5 });
  q.update({ family: 'schema', risk: 'low', quality: 'ok' }, 'coerce_schema', reward);
  q.update({ family: 'transient', risk: 'low', quality: 'ok' }, 'retry', 0.5);
  return JSON.parse(JSON.stringify(q.toArtifact({ episodes: 2, seed: 5 }, '2026-11-22T21:00:00.000Z')));
}

/** Edits an artifact and re-signs it, so only the content rule under test can reject it. */
function resigned(edit: (a: Record<string, unknown>) => void): unknown {
  const a = trained() as unknown as Record<string, unknown>;
  edit(a);
  a.hash = artifactHash(a as unknown as PolicyArtifact);
  return a;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof PolicyArtifactError) return `${error.code} ${error.message}`;
    throw error;
  }
  return 'accepted';
}

describe('policy artifact', () => {
  it('accepts what toArtifact writes', () => {
    const a = trained();
    expect(parsePolicyArtifact(a)).toEqual(a);
    expect(a).toMatchObject({ format: 'healer.policy', formatVersion: 1, kind: 'q_learning' });
  });

  it('detects tampering: a changed Q-value without a new hash', () => {
    const a = trained() as unknown as { qTable: Record<string, Record<string, number>> };
    a.qTable['schema|low|ok']!.escalate = 5;
    expect(codeOf(() => parsePolicyArtifact(a, 'policy.json'))).toMatch(
      /^E_POLICY_ARTIFACT policy.json: hash: .*edited/,
    );
  });

  it('rejects unknown keys (no guard settings can ride along), unknown actions, state keys and NaN', () => {
    expect(codeOf(() => parsePolicyArtifact(resigned((a) => (a.guard = { off: true }))))).toMatch(
      /\(root\)|guard/,
    );
    expect(
      codeOf(() =>
        parsePolicyArtifact(
          resigned(
            (a) => (a.hyperparameters = { learningRate: 0.1, epsilon: 0.1, seed: 5, maxRetriesPerRun: 99 }),
          ),
        ),
      ),
    ).toMatch(/hyperparameters/);
    expect(
      codeOf(() => parsePolicyArtifact(resigned((a) => ((a.actions as string[])[0] = 'delete_table')))),
    ).toMatch(/actions\.0/);
    expect(
      codeOf(() =>
        parsePolicyArtifact(
          resigned((a) => {
            const t = a.qTable as Record<string, unknown>;
            t['schema|low|fine'] = t['schema|low|ok'];
          }),
        ),
      ),
    ).toMatch(/unknown state key/);
    expect(
      codeOf(() =>
        parsePolicyArtifact(
          resigned(
            (a) =>
              ((a.qTable as Record<string, Record<string, number>>)['schema|low|ok']!.retry = Number.NaN),
          ),
        ),
      ),
    ).toMatch(/qTable/);
    expect(
      codeOf(() =>
        parsePolicyArtifact(
          resigned(
            (a) =>
              ((a.qTable as Record<string, Record<string, number>>)['schema|low|ok']!.scale_resources = 1),
          ),
        ),
      ),
    ).toMatch(/scale_resources: action not in the artifact's actions/);
    expect(
      codeOf(() =>
        parsePolicyArtifact(
          resigned(
            (a) => delete (a.qTable as Record<string, Record<string, number>>)['schema|low|ok']!.retry,
          ),
        ),
      ),
    ).toMatch(/missing value/);
    expect(codeOf(() => parsePolicyArtifact(resigned((a) => (a.formatVersion = 2))))).toMatch(
      /formatVersion/,
    );
  });

  it('diffs two artifacts: changed values, changed greedy action, identical', () => {
    const a = trained(1);
    const b = trained(-1); // coerce_schema now worse than escalate in schema|low|ok
    const diff = diffArtifacts(a, b);
    expect(diff.identical).toBe(false);
    expect(diff.states).toEqual([
      {
        state: 'schema|low|ok',
        greedyA: 'coerce_schema',
        greedyB: 'escalate',
        greedyChanged: true,
        changes: [{ action: 'coerce_schema', a: 0.1, b: -0.1 }],
        visitsA: 1,
        visitsB: 1,
      },
    ]);
    expect(diffArtifacts(a, a)).toMatchObject({ identical: true, states: [], hyperparameters: [] });
  });
});

describe('policy artifact hash', () => {
  function trainedAt(createdAt: string): PolicyArtifact {
    const q = new QLearningPolicy({ seed: 5 });
    q.update({ family: 'schema', risk: 'low', quality: 'ok' }, 'coerce_schema', 1);
    return JSON.parse(JSON.stringify(q.toArtifact({ episodes: 1, seed: 5 }, createdAt)));
  }

  it('is the same for the same training at another time (createdAt is metadata)', () => {
    const a = trainedAt('2026-11-22T21:00:00.000Z');
    const b = trainedAt('2026-12-02T08:00:00.000Z');
    expect(a.createdAt).not.toBe(b.createdAt);
    expect(a.hash).toBe(b.hash);
    const diff = diffArtifacts(a, b);
    expect(diff.identical).toBe(true);
    expect(diff.metadata).toEqual([
      { name: 'createdAt', a: '2026-11-22T21:00:00.000Z', b: '2026-12-02T08:00:00.000Z' },
    ]);
  });

  it('still covers everything else: other training metadata changes it, and diff names it', () => {
    const q = new QLearningPolicy({ seed: 5 });
    q.update({ family: 'schema', risk: 'low', quality: 'ok' }, 'coerce_schema', 1);
    const a = q.toArtifact({ episodes: 1, seed: 5 }, '2026-11-22T21:00:00.000Z');
    const b = JSON.parse(JSON.stringify(q.toArtifact({ episodes: 2, seed: 5 }, '2026-11-22T21:00:00.000Z')));
    expect(a.hash).not.toBe(b.hash);
    expect(diffArtifacts(a, b).metadata).toEqual([{ name: 'training.episodes', a: '1', b: '2' }]);
  });

  it('accepts an artifact hashed the earlier way (createdAt included), and still rejects an edit', () => {
    const a = trainedAt('2026-11-22T21:00:00.000Z') as unknown as Record<string, unknown>;
    const { hash: _h, ...content } = a;
    a.hash = sha256(canonicalJson(content));
    expect(codeOf(() => parsePolicyArtifact(a))).toBe('accepted');
    // Loaded, it keeps the hash it was recorded with: the same version in the audit as before.
    expect(QLearningPolicy.fromArtifact(parsePolicyArtifact(a)).hash).toBe(a.hash);
    a.createdAt = '2026-11-23T21:00:00.000Z';
    expect(codeOf(() => parsePolicyArtifact(a, 'policy.json'))).toMatch(/hash: .*edited/);
  });
});

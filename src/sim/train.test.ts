import { describe, expect, it } from 'vitest';
import { DEFAULT_EPOCHS, trainPolicy } from './train.js';

describe('trainPolicy', () => {
  it('is reproducible: the same seed gives the same artifact hash, another seed another', () => {
    const a = trainPolicy({ seed: 1, episodes: 500, incidents: 30 });
    const b = trainPolicy({ seed: 1, episodes: 500, incidents: 30 });
    const c = trainPolicy({ seed: 2, episodes: 500, incidents: 30 });
    expect(a.hash).toBe(b.hash);
    expect(a.hash).not.toBe(c.hash);
  });

  it('by default makes DEFAULT_EPOCHS shuffled passes over the training set', () => {
    const q = trainPolicy({ seed: 3, incidents: 25 });
    const visits = Object.values(q.toArtifact().visits).flatMap((row) => Object.values(row));
    expect(visits.reduce((a, b) => a + b, 0)).toBe(DEFAULT_EPOCHS * 25);
    expect(q.toArtifact().training).toMatchObject({ epochs: DEFAULT_EPOCHS, incidents: 25 });
  });

  it('converges on a tiny known problem: wait out throttling (defer also outlasts the storms a retry cannot), escalate permission denials', async () => {
    const { generateIncidents } = await import('./scenarios.js');
    const pool = [
      ...generateIncidents({ seed: 11, count: 20, faults: ['throttling'], protectedShare: 0 }),
      ...generateIncidents({ seed: 12, count: 20, faults: ['permission_denied'], protectedShare: 0 }),
    ];
    const q = trainPolicy({ seed: 5, episodes: 2000, pool });
    expect(q.propose({ family: 'transient', risk: 'low', quality: 'ok' }).action).toBe('defer');
    expect(q.values({ family: 'transient', risk: 'low', quality: 'ok' }).defer).toBeGreaterThan(0.9);
    // A retry fixes the throttles that pass within its backoff (most of them), not the storms.
    expect(q.values({ family: 'transient', risk: 'low', quality: 'ok' }).retry).toBeGreaterThan(0.4);
    expect(q.propose({ family: 'permission', risk: 'high', quality: 'ok' }).action).toBe('escalate');
    expect(q.values({ family: 'permission', risk: 'high', quality: 'ok' }).escalate).toBeGreaterThan(0.45);
  });
});

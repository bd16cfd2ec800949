import { describe, expect, it } from 'vitest';
import {
  diagnosisOf,
  fullCapabilities,
  NO_USAGE,
  permissiveAuthority,
} from '../../../test/core/decision-fixtures.js';
import { ACTIONS, type Action } from '../action.js';
import { decide } from '../decide.js';
import type { Diagnosis } from '../decision.js';
import { FAILURE_FAMILIES } from '../failure-family.js';
import { RISKS } from '../risk.js';
import { explore, uniformsFor } from './exploration.js';
import { RulePolicy } from './rule-policy.js';

const greedy = { action: 'retry' as Action, qValues: {}, propensity: 1, policyVersion: 'q@1' };

describe('explore', () => {
  it('keeps the greedy proposal with 1 − ε + ε/k, and gives each other allowed action ε/k', () => {
    const allowed: Action[] = ['escalate', 'retry', 'defer', 'quarantine'];
    const kept = explore(greedy, allowed, 0.2, [0.5, 0.1]);
    expect(kept).toMatchObject({ action: 'retry', explored: false });
    expect(kept.propensity).toBeCloseTo(0.8 + 0.05, 12);
    const tried = explore(greedy, allowed, 0.2, [0.1, 0.6]); // u < ε, v picks index 2
    expect(tried).toMatchObject({ action: 'defer', explored: true });
    expect(tried.propensity).toBeCloseTo(0.05, 12);
  });

  it('when the greedy action is not allowed it keeps 1 − ε, and nothing changes with ε = 0', () => {
    expect(explore(greedy, ['escalate'], 0.2, [0.9, 0]).propensity).toBeCloseTo(0.8, 12);
    expect(explore(greedy, ['escalate', 'defer'], 0, [0, 0])).toEqual({ ...greedy, explored: false });
  });

  it('draws reproducibly from the incident id', () => {
    expect(uniformsFor('inc-1')).toEqual(uniformsFor('inc-1'));
    expect(uniformsFor('inc-1')).not.toEqual(uniformsFor('inc-2'));
  });
});

describe('decide with exploration', () => {
  const rules = new RulePolicy({ actions: ACTIONS });
  const run = (diagnosis: Diagnosis, authority: Record<string, unknown>, key?: string) =>
    decide({
      diagnosis,
      policy: rules,
      capabilities: fullCapabilities(),
      authority: permissiveAuthority(authority),
      usage: NO_USAGE,
      ...(key === undefined ? {} : { explorationKey: key }),
    });

  it('is off by default, off without a key, and off in families that are not autonomous', () => {
    const keys = Array.from({ length: 50 }, (_, i) => `inc-${i}`);
    for (const key of keys) {
      expect(run(diagnosisOf('transient'), {}, key).proposal).toMatchObject({
        action: 'retry',
        propensity: 1,
      });
      expect(
        run(
          diagnosisOf('transient'),
          { exploration: { epsilon: 0.5 }, modeByFamily: { transient: 'supervised' } },
          key,
        ).proposal,
      ).toMatchObject({ action: 'retry', propensity: 1 });
    }
    expect(run(diagnosisOf('transient'), { exploration: { epsilon: 0.5 } }).proposal.propensity).toBe(1);
  });

  it('explores only among actions the guard lets through unchanged, in every family and risk', () => {
    let explored = 0;
    let n = 0;
    for (const family of FAILURE_FAMILIES)
      for (const risk of RISKS)
        for (let i = 0; i < 40; i++) {
          const d = run(
            diagnosisOf(family, risk),
            { exploration: { epsilon: 0.3 } },
            `${family}-${risk}-${i}`,
          );
          const greedyAction = rules.propose(d.state).action;
          n++;
          if (d.proposal.action === greedyAction) continue;
          explored++;
          // An explored proposal never needed the guard: it passed untouched.
          expect(d.verdict.fired).toEqual([]);
          expect(d.verdict.final).toBe(d.proposal.action);
          expect(d.proposal.propensity).toBeGreaterThan(0);
          expect(d.proposal.propensity).toBeLessThanOrEqual(0.3);
          if (risk === 'critical') expect(d.proposal.action).toBe('escalate');
        }
    expect(explored / n).toBeGreaterThan(0.1);
    expect(explored / n).toBeLessThan(0.3);
  });

  it('refuses an epsilon above 0.5 in the authority', () => {
    expect(() => permissiveAuthority({ exploration: { epsilon: 0.9 } })).toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { CORE_ACTIONS } from '../action.js';
import { allStates } from '../state.js';
import { RandomPolicy } from './random-policy.js';
import { RulePolicy } from './rule-policy.js';

describe('RulePolicy', () => {
  const rules = new RulePolicy();
  const at = (family: string, risk: string, quality = 'ok') =>
    rules.propose({ family, risk, quality } as never).action;

  it('follows its table', () => {
    expect(at('transient', 'low')).toBe('retry');
    expect(at('dependency', 'medium')).toBe('retry');
    expect(at('resource', 'low')).toBe('retry');
    expect(
      new RulePolicy({ actions: [...CORE_ACTIONS, 'scale_resources'] }).propose({
        family: 'resource',
        risk: 'low',
        quality: 'ok',
      }).action,
    ).toBe('scale_resources');
    expect(at('schema', 'low')).toBe('coerce_schema');
    expect(at('schema', 'medium')).toBe('rollback_schema');
    expect(at('schema', 'high')).toBe('escalate');
    expect(at('data_quality', 'low', 'degraded')).toBe('quarantine');
    expect(at('data_quality', 'low', 'severe')).toBe('escalate');
    for (const family of ['permission', 'config', 'unknown']) expect(at(family, 'low')).toBe('escalate');
  });

  it('escalates every critical state and names its version', () => {
    for (const s of allStates().filter((x) => x.risk === 'critical'))
      expect(rules.propose(s).action).toBe('escalate');
    expect(rules.propose(allStates()[0]!)).toMatchObject({ propensity: 1, policyVersion: 'rules@1' });
    expect(rules.ruleFor({ family: 'schema', risk: 'medium', quality: 'ok' })).toBe('R7');
  });
});

describe('RandomPolicy', () => {
  it('is uniform over its actions, seeded and reproducible', () => {
    const draw = (seed: number) => {
      const p = new RandomPolicy(seed);
      return Array.from({ length: 6000 }, () => p.propose(allStates()[0]!).action);
    };
    const a = draw(42);
    expect(a).toEqual(draw(42));
    expect(a).not.toEqual(draw(43));
    for (const action of CORE_ACTIONS) {
      const share = a.filter((x) => x === action).length / a.length;
      expect(share).toBeGreaterThan(0.14);
      expect(share).toBeLessThan(0.195);
    }
    expect(new RandomPolicy(42).propose(allStates()[0]!)).toMatchObject({
      propensity: 1 / 6,
      policyVersion: 'random@42',
    });
  });
});

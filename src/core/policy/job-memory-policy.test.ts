import { describe, expect, it } from 'vitest';
import { ACTIONS, type Action } from '../action.js';
import { authoritySchema } from '../authority.js';
import { decide } from '../decide.js';
import { withJobMemory } from './job-memory-policy.js';
import type { Policy } from './policy.js';
import { resourceActionFor, withResourceRules } from './resource-rules-policy.js';
import { RulePolicy } from './rule-policy.js';

const rules = new RulePolicy();

describe('job memory and resource rules in front of a policy', () => {
  it('proposes the remembered fix first, marked job_memory; without a memory it is the inner policy', () => {
    const state = { family: 'dependency', risk: 'low', quality: 'ok' } as const;
    expect(withJobMemory(rules, undefined)).toBe(rules);
    expect(withJobMemory(rules, 'defer').propose(state)).toMatchObject({
      action: 'defer',
      source: 'job_memory',
    });
    expect(withJobMemory(rules, 'retry').propose(state)).toMatchObject({
      action: 'retry',
      source: 'job_memory',
    });
  });

  it('resource rules name scale_resources for resource and defer for dependency, only where available', () => {
    expect(
      resourceActionFor({ family: 'resource', risk: 'medium', quality: 'ok' }, ['scale_resources', 'defer']),
    ).toBe('scale_resources');
    expect(resourceActionFor({ family: 'resource', risk: 'medium', quality: 'ok' }, ['defer'])).toBe('defer');
    expect(resourceActionFor({ family: 'dependency', risk: 'low', quality: 'ok' }, ['defer'])).toBe('defer');
    expect(
      resourceActionFor({ family: 'dependency', risk: 'critical', quality: 'ok' }, ['defer']),
    ).toBeUndefined();
    expect(resourceActionFor({ family: 'schema', risk: 'low', quality: 'ok' }, ['defer'])).toBeUndefined();
    expect(withResourceRules(rules, [])).toBe(rules);
  });

  it('a learned policy keeps its own choice where it has values, and gets the resource rules where it has none', () => {
    const learned = (values: Record<string, number>): Policy => ({
      kind: 'q_learning',
      version: 'q_learning@test',
      hash: 'test',
      actions: [...ACTIONS],
      propose: () => {
        const qValues = Object.fromEntries(ACTIONS.map((a) => [a, values[a] ?? 0]));
        const action = (Object.entries(qValues).sort((a, b) => b[1] - a[1])[0]![0] as Action) ?? 'escalate';
        return {
          action: values.retry === undefined ? 'escalate' : action,
          qValues,
          propensity: 1,
          policyVersion: 'q_learning@test',
        };
      },
    });
    const state = { family: 'dependency', risk: 'low', quality: 'degraded' } as const;
    // Never saw the state: every value 0, the proposal is a tie-break; the rules name the wait.
    expect(withResourceRules(learned({}), ['defer']).propose(state)).toMatchObject({
      action: 'defer',
      source: 'resource_rules',
    });
    // Learned that retry is best here: its choice stands.
    expect(withResourceRules(learned({ retry: 0.8, defer: 0.3 }), ['defer']).propose(state).action).toBe(
      'retry',
    );
  });

  it('the guard still judges a remembered fix: scaling for a schema failure is vetoed', () => {
    const decision = decide({
      diagnosis: {
        classification: { family: 'schema', rule: 'x', confidence: 1, line: '' },
        findings: [],
        risk: { level: 'low', reasons: [] },
        quality: 'ok',
        protectedDataset: false,
        datasets: ['orders'],
      },
      policy: withJobMemory(rules, 'scale_resources'),
      capabilities: {
        supported: ['scale_resources'],
        hasPreviousSchemaVersion: false,
        coercionSafe: false,
        hasQuarantineStore: false,
        scaleStep: { before: { memoryMb: 64 }, after: { memoryMb: 128 } },
      },
      authority: authoritySchema.parse({
        allowedActions: ['scale_resources'],
        resources: { maxMemoryMb: 256 },
      }),
      usage: { retriesThisRun: 0, retriesThisJobLastHour: 0, consecutiveFailedRemediations: 0 },
    });
    expect(decision.proposal.source).toBe('job_memory');
    expect(decision.verdict.final).toBe('escalate');
    expect(decision.verdict.fired.map((r) => r.id)).toContain('G16_SCALE_ONLY_FOR_RESOURCE');
    expect(decision.explanation.join('\n')).toMatch(/proposal: scale_resources by rules@1 from job memory/);
  });
});

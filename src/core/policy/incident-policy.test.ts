import { describe, expect, it } from 'vitest';
import type { Action } from '../action.js';
import { authoritySchema } from '../authority.js';
import { decide } from '../decide.js';
import type { BudgetUsage, Capabilities, Diagnosis } from '../decision.js';
import type { FailureFamily } from '../failure-family.js';
import { withConditionMet } from './condition-met-policy.js';
import { incidentPolicy } from './incident-policy.js';
import { withJobMemory } from './job-memory-policy.js';
import type { Policy } from './policy.js';
import { RulePolicy } from './rule-policy.js';
import { RETRIES_BEFORE_BACKOFF, withThrottleBackoff } from './throttle-backoff-policy.js';

const rules = new RulePolicy();
const fresh: BudgetUsage = { retriesThisRun: 0, retriesThisJobLastHour: 0, consecutiveFailedRemediations: 0 };
const authority = authoritySchema.parse({
  allowedActions: ['retry', 'scale_resources', 'defer'],
  resources: { maxMemoryMb: 256 },
  defer: { maxWaitSeconds: 900 },
});

/** A policy that has learned to wait: `defer` for every state (the shape a trained table takes). */
const learnedWait: Policy = {
  kind: 'q_learning',
  version: 'q_learning@learned',
  hash: 'learned',
  actions: ['retry', 'escalate', 'defer'],
  propose: () => ({
    action: 'defer',
    qValues: { defer: 1, retry: 0.5 },
    propensity: 0.9,
    policyVersion: 'q_learning@learned',
  }),
};

function diagnosis(family: FailureFamily, rule = 'x'): Diagnosis {
  return {
    classification: { family, rule, confidence: 1, line: '' },
    findings: [],
    risk: { level: 'medium', reasons: [] },
    quality: 'ok',
    protectedDataset: false,
    datasets: ['orders'],
  };
}

function capabilities(extra: Partial<Capabilities> = {}): Capabilities {
  return {
    supported: ['retry', 'scale_resources', 'defer', 'escalate', 'log_only'],
    hasPreviousSchemaVersion: false,
    coercionSafe: false,
    hasQuarantineStore: false,
    ...extra,
  };
}

function decideWith(
  family: FailureFamily,
  caps: Capabilities,
  options: { usage?: BudgetUsage; remembered?: Action; inner?: Policy } = {},
) {
  const usage = options.usage ?? fresh;
  return decide({
    diagnosis: diagnosis(family),
    policy: incidentPolicy(options.inner ?? rules, {
      capabilities: caps,
      authority,
      usage,
      remembered: options.remembered,
    }),
    capabilities: caps,
    authority,
    usage,
  });
}

describe('a wait for what already arrived becomes a run (condition_met)', () => {
  it('without the fact, a learned defer for an input that is there is vetoed by G20 (the guard is unchanged)', () => {
    const caps = capabilities();
    const decision = decide({
      diagnosis: diagnosis('dependency'),
      policy: learnedWait,
      capabilities: caps,
      authority,
      usage: fresh,
    });
    expect(decision.verdict.final).toBe('escalate');
    expect(decision.verdict.fired.map((r) => r.id)).toContain('G20_DEFER_NEEDS_WAITABLE_CONDITION');
  });

  it('with the fact, the learned defer is proposed as a retry; the guard allows it and G20 does not fire', () => {
    const decision = decideWith(
      'dependency',
      capabilities({ deferConditionMet: 'input orders.csv arrived' }),
      {
        inner: learnedWait,
      },
    );
    expect(decision.proposal).toMatchObject({ action: 'retry', source: 'condition_met', propensity: 1 });
    expect(decision.verdict.final).toBe('retry');
    expect(decision.verdict.fired).toEqual([]);
    expect(decision.explanation.join('\n')).toMatch(
      /proposal: retry by q_learning@learned from condition met/,
    );
  });

  it('a remembered defer whose input is there runs the job now (retry, condition_met), whatever the inner policy says', () => {
    const escalating: Policy = { ...rules, propose: (s) => ({ ...rules.propose(s), action: 'escalate' }) };
    const decision = decideWith(
      'dependency',
      capabilities({ deferConditionMet: 'input orders.csv arrived' }),
      {
        remembered: 'defer',
        inner: escalating,
      },
    );
    expect(decision.proposal).toMatchObject({ action: 'retry', source: 'condition_met' });
    expect(decision.verdict.final).toBe('retry');
  });

  it('the retry it becomes is still judged: over the retry budget it escalates (G12)', () => {
    const decision = decideWith(
      'dependency',
      capabilities({ deferConditionMet: 'input orders.csv arrived' }),
      {
        inner: learnedWait,
        usage: { ...fresh, retriesThisRun: 5 },
      },
    );
    expect(decision.proposal.action).toBe('retry');
    expect(decision.verdict.final).toBe('escalate');
    expect(decision.verdict.fired.map((r) => r.id)).toContain('G12_RETRY_BUDGET_PER_RUN');
  });

  it('changes nothing but defer, and nothing without the fact', () => {
    expect(withConditionMet(rules, undefined)).toBe(rules);
    const state = { family: 'transient', risk: 'low', quality: 'ok' } as const;
    expect(withConditionMet(rules, 'input orders.csv arrived').propose(state).action).toBe('retry');
  });
});

describe('a throttle that outlasts a retry is deferred (throttle_backoff)', () => {
  const throttle = capabilities({ deferCondition: 'the throttle to pass (backoff)' });

  it('the first throttle of a run chain is retried at once', () => {
    const decision = decideWith('transient', throttle);
    expect(decision.verdict.final).toBe('retry');
    expect(decision.proposal.source).toBeUndefined();
  });

  it(`after ${RETRIES_BEFORE_BACKOFF} retry of the chain the same throttle is deferred (bounded), not retried again`, () => {
    const decision = decideWith('transient', throttle, { usage: { ...fresh, retriesThisRun: 1 } });
    expect(decision.proposal).toMatchObject({ action: 'defer', source: 'throttle_backoff' });
    expect(decision.verdict.final).toBe('defer');
    expect(decision.verdict.fired).toEqual([]);
  });

  it('a remembered retry gives way too: the chain already showed a retry does not get past this throttle', () => {
    const decision = decideWith('transient', throttle, {
      usage: { ...fresh, retriesThisRun: 1 },
      remembered: 'retry',
    });
    expect(decision.verdict.final).toBe('defer');
  });

  it('the deferral is bounded: past the chain bound G21 escalates', () => {
    const decision = decideWith('transient', throttle, {
      usage: { ...fresh, retriesThisRun: 1, deferralsThisRun: 3 },
    });
    expect(decision.proposal.action).toBe('defer');
    expect(decision.verdict.final).toBe('escalate');
    expect(decision.verdict.fired.map((r) => r.id)).toContain('G21_DEFER_BOUND');
  });

  it('without defer open (no condition, or not allowed) the retry stands; other families are left alone', () => {
    expect(
      decideWith('transient', capabilities(), { usage: { ...fresh, retriesThisRun: 1 } }).proposal.action,
    ).toBe('retry');
    const notAllowed = decide({
      diagnosis: diagnosis('transient'),
      policy: incidentPolicy(rules, {
        capabilities: throttle,
        authority: authoritySchema.parse({ allowedActions: ['retry'] }),
        usage: { ...fresh, retriesThisRun: 1 },
      }),
      capabilities: throttle,
      authority: authoritySchema.parse({ allowedActions: ['retry'] }),
      usage: { ...fresh, retriesThisRun: 1 },
    });
    expect(notAllowed.proposal.action).toBe('retry');
    const wrapped = withThrottleBackoff(rules, { retriesThisRun: 1, deferOpen: true });
    expect(wrapped.propose({ family: 'dependency', risk: 'low', quality: 'ok' }).action).toBe('retry');
    expect(withThrottleBackoff(rules, { retriesThisRun: 0, deferOpen: true })).toBe(rules);
  });
});

describe('job memory only proposes a resource action the incident has something for', () => {
  it('a remembered defer with nothing to wait for and nothing arrived is not proposed (G20 would veto it)', () => {
    const decision = decideWith('dependency', capabilities(), { remembered: 'defer' });
    expect(decision.proposal.source).toBeUndefined();
    expect(decision.verdict.fired.map((r) => r.id)).not.toContain('G20_DEFER_NEEDS_WAITABLE_CONDITION');
  });

  it('a remembered scale_resources is not proposed for a concurrency limit (no step): defer is', () => {
    const decision = decideWith('resource', capabilities({ deferCondition: 'a slot to free up (backoff)' }), {
      remembered: 'scale_resources',
    });
    expect(decision.proposal).toMatchObject({ action: 'defer', source: 'resource_rules' });
    expect(decision.verdict.final).toBe('defer');
  });

  it('with a step open the remembered scale_resources is proposed first', () => {
    const caps = capabilities({ scaleStep: { before: { memoryMb: 64 }, after: { memoryMb: 128 } } });
    const decision = decideWith('resource', caps, { remembered: 'scale_resources' });
    expect(decision.proposal).toMatchObject({ action: 'scale_resources', source: 'job_memory' });
    expect(
      withJobMemory(rules, 'retry', []).propose({ family: 'resource', risk: 'low', quality: 'ok' }).source,
    ).toBe('job_memory');
  });
});

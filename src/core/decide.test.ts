import { describe, expect, it } from 'vitest';
import {
  diagnosisOf,
  fullCapabilities,
  NO_USAGE,
  permissiveAuthority,
  proposalOf,
} from '../../test/core/decision-fixtures.js';
import type { Action } from './action.js';
import { canonicalJson, sha256 } from './audit-chain.js';
import { decide, dispositionFor, encodeState } from './decide.js';
import type { Diagnosis } from './decision.js';
import type { Policy } from './policy/policy.js';
import { QLearningPolicy } from './policy/q-learning.js';
import { RulePolicy } from './policy/rule-policy.js';
import { GUARD_HASH } from './safety/guard.js';

/** A policy that always proposes `action` (to drive the guard from decide). */
function always(action: Action): Policy {
  return {
    kind: 'rules',
    version: `always-${action}@1`,
    hash: 'h',
    propose: () => ({ ...proposalOf(action), policyVersion: `always-${action}@1` }),
  };
}

function run(
  diagnosis: Diagnosis,
  policy: Policy,
  extra: { authority?: Record<string, unknown>; guard?: 'on' | 'off' } = {},
) {
  return decide({
    diagnosis,
    policy,
    capabilities: fullCapabilities(),
    authority: permissiveAuthority(extra.authority),
    usage: NO_USAGE,
    guard: extra.guard,
  });
}

describe('encodeState', () => {
  it('is family × risk × quality straight from the diagnosis', () => {
    expect(encodeState(diagnosisOf('data_quality', 'medium', 'degraded'))).toEqual({
      family: 'data_quality',
      risk: 'medium',
      quality: 'degraded',
    });
  });
});

describe('decide', () => {
  it('explains facts, state, proposal with Q-values, guard and final action', () => {
    const q = new QLearningPolicy();
    q.update({ family: 'schema', risk: 'low', quality: 'ok' }, 'coerce_schema', 1);
    const d = run(diagnosisOf('schema'), q);
    expect(d.state).toEqual({ family: 'schema', risk: 'low', quality: 'ok' });
    expect(d.verdict.final).toBe('coerce_schema');
    expect(d.explanation).toEqual([
      'failure family: schema (rule test.schema, confidence 0.90): "a schema failure"',
      'findings: none',
      'risk: low (low: test)',
      'quality: ok',
      'state: schema|low|ok',
      `proposal: coerce_schema by ${q.version} (propensity 1.000; Q: retry=0.000, coerce_schema=0.100, rollback_schema=0.000, quarantine=0.000, escalate=0.000, log_only=0.000)`,
      `guard: passed, no rule fired (guard ${GUARD_HASH.slice(0, 12)})`,
      'final action: coerce_schema; mode autonomous → execute',
    ]);
    expect(d.authorityHash).toBe(sha256(canonicalJson(permissiveAuthority())));
  });

  it('names every guard rule that fired in the explanation', () => {
    const d = run(diagnosisOf('permission', 'high'), always('retry'));
    expect(d.verdict.final).toBe('escalate');
    expect(d.explanation).toContain(
      'guard: G10_NO_RETRY_FOR_FAMILY (veto): a permission failure does not go away by retrying',
    );
    expect(d.explanation.some((l) => l.startsWith('guard: G11_NO_BLIND_ACTION_FOR_FAMILY (veto)'))).toBe(
      true,
    );
    expect(d.explanation.at(-1)).toBe('final action: escalate (was retry); mode autonomous → execute');
    expect(d.explanation).toContain('proposal: retry by always-retry@1 (propensity 1.000)');
  });

  it('maps modes to dispositions: shadow records, supervised awaits approval for active actions only', () => {
    const dq = diagnosisOf('data_quality', 'low', 'degraded');
    expect(run(dq, new RulePolicy(), { authority: { mode: 'shadow' } }).disposition).toBe('record_only');
    expect(run(dq, new RulePolicy(), { authority: { mode: 'supervised' } })).toMatchObject({
      disposition: 'await_approval',
      mode: 'supervised',
    });
    expect(
      run(diagnosisOf('permission'), new RulePolicy(), { authority: { mode: 'supervised' } }).disposition,
    ).toBe('execute');
    expect(
      run(dq, new RulePolicy(), { authority: { modeByFamily: { data_quality: 'shadow' } } }).disposition,
    ).toBe('record_only');
    expect(dispositionFor('autonomous', 'quarantine')).toBe('execute');
  });

  it('a dataset protected by the authority makes the diagnosis critical before the policy sees it', () => {
    const d = run(diagnosisOf('transient'), new RulePolicy(), {
      authority: { protectedDatasets: ['orders'] },
    });
    expect(d.state.risk).toBe('critical');
    expect(d.diagnosis.protectedDataset).toBe(true);
    expect(d.proposal.action).toBe('escalate');
    expect(d.diagnosis.risk.reasons.at(-1)).toBe('critical: orders protected by the pipeline authority');
  });

  it('ablation: with the guard off the proposal runs unchecked (and says so)', () => {
    const critical = diagnosisOf('schema', 'critical');
    const on = run(critical, always('coerce_schema'));
    const off = run(critical, always('coerce_schema'), { guard: 'off' });
    expect(on.verdict.final).toBe('escalate');
    expect(off.verdict).toMatchObject({ final: 'coerce_schema', fired: [], overridden: false });
    expect(off.explanation).toContain('guard: OFF (benchmark ablation): nothing was checked');
  });
});

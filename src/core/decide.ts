// decide(): diagnosis → state → proposal (policy) → verdict (guard) → disposition (mode), with an
// explanation a person can read line by line. Pure: the same inputs give the same decision.

import { type Action, isActiveAction } from './action.js';
import { canonicalJson, sha256 } from './audit-chain.js';
import { type Authority, type Mode, modeFor } from './authority.js';
import type { BudgetUsage, Capabilities, Decision, Diagnosis, Proposal, Verdict } from './decision.js';
import type { Finding } from './finding.js';
import { SAFETY_ORDER } from './policy/action-order.js';
import { explore, uniformsFor } from './policy/exploration.js';
import type { Policy } from './policy/policy.js';
import { GUARD_HASH, guard, guardOff } from './safety/guard.js';
import type { State } from './state.js';
import { stateKey } from './state.js';

export interface DecideInput {
  diagnosis: Diagnosis;
  policy: Policy;
  capabilities: Capabilities;
  authority: Authority;
  usage: BudgetUsage;
  /** `off` only for the benchmark's ablation; never exposed to users. Default `on`. */
  guard?: 'on' | 'off';
  /**
   * Where the authority turns exploration on, the key its choice is drawn from (the incident id);
   * without a key nothing is explored.
   */
  explorationKey?: string;
}

/** The policy's state: family × risk × quality, straight from the diagnosis. */
export function encodeState(diagnosis: Diagnosis): State {
  return {
    family: diagnosis.classification.family,
    risk: diagnosis.risk.level,
    quality: diagnosis.quality,
  };
}

/**
 * Decides one incident. A dataset the pipeline's authority lists as protected makes the diagnosis
 * protected and critical before the state is encoded (the detectors only see contracts), so the
 * policy and the guard both see it.
 */
export function decide(input: DecideInput): Decision {
  const diagnosis = applyAuthority(input.diagnosis, input.authority);
  const state = encodeState(diagnosis);
  const mode = modeFor(input.authority, state.family);
  const proposal = exploring(input, diagnosis, mode, input.policy.propose(state));
  const verdict =
    input.guard === 'off'
      ? guardOff(proposal.action)
      : guard({
          proposal,
          diagnosis,
          capabilities: input.capabilities,
          authority: input.authority,
          usage: input.usage,
        });
  const disposition = dispositionFor(mode, verdict.final);
  return {
    diagnosis,
    state,
    proposal,
    verdict,
    mode,
    disposition,
    explanation: explain(diagnosis, state, proposal, verdict, mode, disposition, input.guard === 'off'),
    authorityHash: sha256(canonicalJson(input.authority)),
  };
}

/**
 * The proposal, explored when the authority turns exploration on and the family is autonomous (with
 * the guard on): among the actions the guard would let through unchanged, so exploring never asks
 * the guard for more than the greedy proposal could.
 */
function exploring(input: DecideInput, diagnosis: Diagnosis, mode: Mode, proposal: Proposal): Proposal {
  const epsilon = input.authority.exploration?.epsilon ?? 0;
  if (epsilon <= 0 || input.explorationKey === undefined || mode !== 'autonomous' || input.guard === 'off')
    return proposal;
  // The policy's own actions are the keys of its values; the guard decides which of them may run.
  const allowed = SAFETY_ORDER.filter((action) => {
    if (!(action in proposal.qValues)) return false;
    const v = guard({
      proposal: { ...proposal, action },
      diagnosis,
      capabilities: input.capabilities,
      authority: input.authority,
      usage: input.usage,
    });
    return !v.overridden && v.final === action;
  });
  const { explored: _explored, ...next } = explore(
    proposal,
    allowed,
    epsilon,
    uniformsFor(input.explorationKey),
  );
  return next;
}

/** shadow → record only; supervised → approval for active actions (passive ones just happen); autonomous → execute. */
export function dispositionFor(mode: Mode, action: Action): Decision['disposition'] {
  switch (mode) {
    case 'shadow':
      return 'record_only';
    case 'supervised':
      return isActiveAction(action) ? 'await_approval' : 'execute';
    case 'autonomous':
      return 'execute';
    default:
      return mode satisfies never;
  }
}

function applyAuthority(diagnosis: Diagnosis, authority: Authority): Diagnosis {
  const hit = (diagnosis.datasets ?? []).filter((d) => authority.protectedDatasets.includes(d));
  if (hit.length === 0) return diagnosis;
  const reason = `critical: ${hit.join(', ')} protected by the pipeline authority`;
  return {
    ...diagnosis,
    protectedDataset: true,
    risk: { level: 'critical', reasons: [...diagnosis.risk.reasons, reason] },
  };
}

function explain(
  diagnosis: Diagnosis,
  state: State,
  proposal: Proposal,
  verdict: Verdict,
  mode: Mode,
  disposition: Decision['disposition'],
  guardOffFlag: boolean,
): string[] {
  const c = diagnosis.classification;
  const lines: string[] = [];
  lines.push(
    `failure family: ${c.family} (rule ${c.rule}, confidence ${c.confidence.toFixed(2)})` +
      (c.line ? `: "${truncate(c.line, 160)}"` : ''),
  );
  if (diagnosis.familyRefinedFrom)
    lines.push(
      `family refined from the findings: the log alone said ${diagnosis.familyRefinedFrom.family} (rule ${diagnosis.familyRefinedFrom.rule})`,
    );
  if (diagnosis.findings.length === 0) lines.push('findings: none');
  for (const f of diagnosis.findings) lines.push(`finding: ${describeFinding(f)}`);
  if (diagnosis.protectedDataset) lines.push('protected dataset: yes');
  lines.push(`risk: ${diagnosis.risk.level} (${diagnosis.risk.reasons.join('; ')})`);
  lines.push(`quality: ${diagnosis.quality}`);
  lines.push(`state: ${stateKey(state)}`);
  // Rule and random policies have no values (all zero): printing them would suggest there were.
  const hasValues = proposal.policyVersion.startsWith('q_learning@');
  const values = Object.entries(hasValues ? proposal.qValues : {})
    .map(([a, v]) => `${a}=${(v ?? 0).toFixed(3)}`)
    .join(', ');
  lines.push(
    `proposal: ${proposal.action} by ${proposal.policyVersion}${proposal.source ? ` from ${proposal.source.replace('_', ' ')}` : ''} (propensity ${proposal.propensity.toFixed(3)}` +
      (values ? `; Q: ${values}` : '') +
      ')',
  );
  if (guardOffFlag) lines.push('guard: OFF (benchmark ablation): nothing was checked');
  else if (verdict.fired.length === 0)
    lines.push(`guard: passed, no rule fired (guard ${GUARD_HASH.slice(0, 12)})`);
  for (const r of verdict.fired) lines.push(`guard: ${r.id} (${r.effect}): ${r.reason}`);
  lines.push(
    `final action: ${verdict.final}` +
      (verdict.overridden ? ` (was ${verdict.proposed})` : '') +
      `; mode ${mode} → ${disposition}`,
  );
  return lines;
}

function describeFinding(f: Finding): string {
  const scope = f.scope === 'catalog' ? ' [catalog]' : '';
  const compat = f.compatible ? 'compatible' : 'incompatible';
  return `${f.kind} ${f.column} (${f.severity}, ${compat})${scope}: ${f.message}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

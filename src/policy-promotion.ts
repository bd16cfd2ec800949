// Policy versions in production: learn a candidate from the decision log, estimate it off-policy
// beside the policy in force, promote it only when its lower bound beats the current estimate, roll
// back to any kept version. Every promotion and rollback is audited on the `policy` chain. The guard
// is not part of any of this: a policy version changes proposals, never what the guard allows.

import { PromotionError } from './core/errors.js';
import type { PolicyArtifact } from './core/policy/artifact.js';
import { learnFromOutcomes } from './core/policy/learn.js';
import {
  deterministic,
  evaluateOffPolicy,
  type LoggedStep,
  type OffPolicyEstimate,
} from './core/policy/off-policy.js';
import type { Policy } from './core/policy/policy.js';
import { QLearningPolicy } from './core/policy/q-learning.js';
import { GUARD_HASH } from './core/safety/guard.js';
import { parseStateKey } from './core/state.js';
import type { LoggedDecision } from './policy-log.js';
import { loggedSteps } from './policy-log.js';
import type { AuditLog } from './ports.js';

/** An off-policy estimate as recorded with a promotion. */
export type StoredEstimate = OffPolicyEstimate & { version: string };

/** One promotion or rollback, as the version store keeps it. */
export interface PolicyHistoryEntry {
  event: 'promote' | 'rollback';
  /** `q_learning@<hash12>`. */
  version: string;
  hash: string;
  /** The version in force before. */
  from: string;
  by: string;
  at: string;
  /** The off-policy estimates a promotion rested on. */
  estimates?: { candidate: StoredEstimate; current: StoredEstimate };
}

/**
 * Where policy versions live (locally `.healer/policies/`): every version ever in force, the one in
 * force now, and the history of promotions and rollbacks.
 */
export interface PolicyVersionStore {
  history(): Promise<PolicyHistoryEntry[]>;
  /** Keeps an artifact so it can be rolled back to (idempotent). */
  keep(artifact: PolicyArtifact): Promise<void>;
  /** A kept version by `q_learning@<hash12>`; NotFoundError when it was never kept. */
  load(version: string): Promise<PolicyArtifact>;
  /** Puts the artifact in force and appends the entry to the history. */
  makeCurrent(
    artifact: PolicyArtifact,
    entry: Omit<PolicyHistoryEntry, 'version' | 'hash'>,
  ): Promise<PolicyHistoryEntry>;
}

/** The version name of a Q-learning artifact. */
export const versionOf = (artifact: PolicyArtifact) => `q_learning@${artifact.hash.slice(0, 12)}`;

/** The audit chain of policy versions. */
export const POLICY_CHAIN = 'policy';

/** The policy in force: its artifact when it is a Q-table (the rule policy has none). */
export interface CurrentPolicy {
  policy: Policy;
  artifact?: PolicyArtifact;
}

export interface PolicyEvaluation {
  /** Logged decisions with a known reward. */
  steps: number;
  candidate: StoredEstimate;
  current: StoredEstimate;
  /** Promotion rule: the candidate's DR lower bound beats the current policy's DR estimate. */
  promotable: boolean;
}

function targetOf(policy: Policy) {
  return deterministic((step: LoggedStep) => {
    const state = parseStateKey(step.state);
    return state ? policy.propose(state).action : 'escalate';
  });
}

/** Off-policy estimates of the candidate and the policy in force on the same logged decisions. */
export function evaluateCandidate(
  candidate: PolicyArtifact,
  current: Policy,
  log: readonly LoggedDecision[],
  options: { resamples?: number; seed?: number } = {},
): PolicyEvaluation {
  const steps = loggedSteps(log);
  const c = evaluateOffPolicy(steps, targetOf(QLearningPolicy.fromArtifact(candidate)), options);
  const k = evaluateOffPolicy(steps, targetOf(current), options);
  return {
    steps: steps.length,
    candidate: { version: versionOf(candidate), ...c },
    current: { version: current.version, ...k },
    promotable: steps.length > 0 && c.dr.lower95 > k.dr.estimate,
  };
}

/** A candidate learned from the log, starting from the policy in force (an empty table under the rule policy). */
export function learnCandidate(current: CurrentPolicy, log: readonly LoggedDecision[], createdAt: string) {
  const base = current.artifact ?? new QLearningPolicy().toArtifact({ source: 'empty' }, createdAt);
  const steps = log
    .filter((d): d is LoggedDecision & { reward: number } => d.reward !== undefined)
    .map((d) => ({ state: d.state, action: d.proposed, reward: d.reward, at: d.at }));
  return learnFromOutcomes(base, steps, { createdAt });
}

interface VersionDeps {
  store: PolicyVersionStore;
  audit: AuditLog;
  current: CurrentPolicy;
  now: Date;
}

async function auditEvent(deps: VersionDeps, entry: PolicyHistoryEntry): Promise<void> {
  await deps.audit.append({
    incidentId: POLICY_CHAIN,
    step: 'policy',
    at: entry.at,
    policyHash: entry.hash,
    guardHash: GUARD_HASH,
    authorityHash: '',
    data: entry,
  });
}

/**
 * Promotes `candidate` when its DR lower bound beats the current policy's DR estimate on the logged
 * decisions; otherwise throws PromotionError (nothing changes). The policy it replaces is kept so it
 * can be rolled back to.
 */
export async function promotePolicy(
  candidate: PolicyArtifact,
  by: string,
  log: readonly LoggedDecision[],
  deps: VersionDeps,
): Promise<{ entry: PolicyHistoryEntry; evaluation: PolicyEvaluation }> {
  const evaluation = evaluateCandidate(candidate, deps.current.policy, log);
  const version = versionOf(candidate);
  if (candidate.hash === deps.current.artifact?.hash)
    throw new PromotionError(`${version} is already the policy in force`, { context: { version } });
  if (!evaluation.promotable) {
    const c = evaluation.candidate.dr;
    throw new PromotionError(
      evaluation.steps === 0
        ? `${version} not promoted: no logged decision has a known reward yet`
        : `${version} not promoted: its DR lower bound ${c.lower95.toFixed(3)} does not beat the current ${deps.current.policy.version} estimate ${evaluation.current.dr.estimate.toFixed(3)} (${evaluation.steps} logged decisions)`,
      { context: { version } },
    );
  }
  if (deps.current.artifact) await deps.store.keep(deps.current.artifact);
  const entry = await deps.store.makeCurrent(candidate, {
    event: 'promote',
    from: deps.current.policy.version,
    by,
    at: deps.now.toISOString(),
    estimates: { candidate: evaluation.candidate, current: evaluation.current },
  });
  await auditEvent(deps, entry);
  return { entry, evaluation };
}

/**
 * Puts a kept version back in force: `version`, else the one in force before the current one.
 * Throws NotFoundError for a version the store never kept.
 */
export async function rollbackPolicy(
  version: string | undefined,
  by: string,
  deps: VersionDeps,
): Promise<PolicyHistoryEntry> {
  const history = await deps.store.history();
  const target = version ?? history.at(-1)?.from;
  if (target === undefined)
    throw new PromotionError('nothing to roll back: no version was promoted in this state folder');
  if (!target.startsWith('q_learning@'))
    throw new PromotionError(`cannot roll back to ${target}: only Q-learning versions are kept`, {
      context: { version: target },
    });
  const artifact = await deps.store.load(target);
  if (artifact.hash === deps.current.artifact?.hash)
    throw new PromotionError(`${target} is already the policy in force`, { context: { version: target } });
  const entry = await deps.store.makeCurrent(artifact, {
    event: 'rollback',
    from: deps.current.policy.version,
    by,
    at: deps.now.toISOString(),
  });
  await auditEvent(deps, entry);
  return entry;
}

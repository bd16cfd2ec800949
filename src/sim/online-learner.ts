// The online learner of the shift benchmark: the shipped static Q-table widened to the actions the
// deployment allows, then decided with exploration on (within the guard, as in production) and
// updated after every outcome. What it logs (state, proposal, propensity, success) is what
// off-policy evaluation reads.

import type { Action } from '../core/action.js';
import { type Authority, authoritySchema } from '../core/authority.js';
import { decide } from '../core/decide.js';
import type { Capabilities, Decision, Diagnosis } from '../core/decision.js';
import { artifactHash, type PolicyArtifact } from '../core/policy/artifact.js';
import type { LoggedStep } from '../core/policy/off-policy.js';
import { QLearningPolicy } from '../core/policy/q-learning.js';
import { stateKey } from '../core/state.js';

/** The learner's settings: how much it explores and how fast it forgets. */
export interface OnlineLearnerOptions {
  /** ε of exploration within the guard; default 0.05. */
  epsilon?: number;
  /** α of the updates; default 0.3 (faster than training's 0.1: the world it follows moves). */
  learningRate?: number;
}

/**
 * Defaults chosen on seeds 100..104 (ε in 0.03..0.08 × α in 0.2..0.4), never on the reported seeds:
 * more exploration costs success before the shift, a faster α adapts sooner but makes the final
 * table noisier.
 */
export const ONLINE_DEFAULTS = { epsilon: 0.05, learningRate: 0.3 } as const;

/** The artifact with more actions (their values 0, never visited) and a new learning rate. */
export function widenArtifact(
  artifact: PolicyArtifact,
  actions: readonly Action[],
  learningRate: number,
): PolicyArtifact {
  const all = [...artifact.actions, ...actions.filter((a) => !artifact.actions.includes(a))];
  const widen = (rows: PolicyArtifact['qTable']) =>
    Object.fromEntries(
      Object.entries(rows).map(([k, row]) => [k, Object.fromEntries(all.map((a) => [a, row?.[a] ?? 0]))]),
    );
  const content = {
    ...artifact,
    actions: all,
    hyperparameters: { ...artifact.hyperparameters, learningRate },
    qTable: widen(artifact.qTable),
    visits: widen(artifact.visits),
  };
  return { ...content, hash: artifactHash(content) };
}

/** One decision of the learner and what it logs. */
export interface OnlineStep {
  decision: Decision;
  log: LoggedStep;
}

/**
 * Decides through decide() with the guard on and exploration turned on in the authority (the
 * production path), and learns from each outcome with the same update training uses.
 */
export class OnlineLearner {
  readonly policy: QLearningPolicy;
  readonly authority: Authority;

  constructor(base: PolicyArtifact, authority: Authority, options: OnlineLearnerOptions = {}) {
    this.policy = QLearningPolicy.fromArtifact(
      widenArtifact(base, authority.allowedActions, options.learningRate ?? ONLINE_DEFAULTS.learningRate),
    );
    this.authority = authoritySchema.parse({
      ...authority,
      exploration: { epsilon: options.epsilon ?? ONLINE_DEFAULTS.epsilon },
    });
  }

  /** The exploring decision for one incident; `key` draws its exploration (reproducible). */
  decide(diagnosis: Diagnosis, capabilities: Capabilities, key: string): Decision {
    return decide({
      diagnosis,
      policy: this.policy,
      capabilities,
      authority: this.authority,
      usage: { retriesThisRun: 0, retriesThisJobLastHour: 0, consecutiveFailedRemediations: 0 },
      explorationKey: key,
    });
  }

  /** Learns the reward of the decision's proposal; returns the logged step with `value` as its reward. */
  learn(decision: Decision, reward: number, value: number): LoggedStep {
    this.policy.update(decision.state, decision.proposal.action, reward);
    return {
      state: stateKey(decision.state),
      action: decision.proposal.action,
      propensity: decision.proposal.propensity,
      reward: value,
    };
  }
}

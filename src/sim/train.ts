// Training: the Q-learning policy learns from simulated incidents as deployed: per episode draw an
// incident, diagnose it with the real detectors, explore, apply the guard, simulate, reward, update.

import { authoritySchema } from '../core/authority.js';
import { encodeState } from '../core/decide.js';
import type { Capabilities, Diagnosis } from '../core/decision.js';
import { diagnose } from '../core/diagnose.js';
import { QLearningPolicy } from '../core/policy/q-learning.js';
import { createRng } from '../core/policy/rng.js';
import { guard } from '../core/safety/guard.js';
import { incidentCapabilities, incidentEvidence } from './evidence.js';
import { simulateAction } from './outcome-model.js';
import { REWARD, rewardFor } from './reward.js';
import { generateIncidents, type SimIncident } from './scenarios.js';

export interface TrainOptions {
  seed: number;
  /** Updates to make. Default 4000. */
  episodes?: number;
  /** Size of the training set the episodes draw from. Default 400. */
  incidents?: number;
  /** Index offset of the training set (the benchmark evaluates on a disjoint range). Default 0. */
  offset?: number;
  learningRate?: number;
  epsilon?: number;
  /** Pre-built training incidents (the benchmark passes its own set). */
  pool?: readonly SimIncident[];
}

/** A training incident with its diagnosis and capabilities, computed once (both are deterministic). */
export interface PreparedIncident {
  incident: SimIncident;
  diagnosis: Diagnosis;
  capabilities: Capabilities;
}

const AUTHORITY = authoritySchema.parse({});
const NO_USAGE = { retriesThisRun: 0, retriesThisJobLastHour: 0, consecutiveFailedRemediations: 0 };

/** Diagnoses an incident with the real detectors and measures its capabilities. */
export function prepareIncident(incident: SimIncident): PreparedIncident {
  const diagnosis = diagnose(incidentEvidence(incident));
  return { incident, diagnosis, capabilities: incidentCapabilities(incident, diagnosis) };
}

/**
 * Trains a Q-learning policy. The guard judges every explored proposal and the reward is that of
 * the action that ran; the update goes to the proposed action, so the policy learns what its
 * proposals lead to as deployed (a vetoed proposal earns the escalation's reward plus a small veto cost).
 */
export function trainPolicy(options: TrainOptions): QLearningPolicy {
  const episodes = options.episodes ?? 4000;
  const learningRate = options.learningRate ?? 0.1;
  const epsilon = options.epsilon ?? 0.2;
  const pool = (
    options.pool ??
    generateIncidents({ seed: options.seed, count: options.incidents ?? 400, offset: options.offset ?? 0 })
  ).map(prepareIncident);
  const policy = new QLearningPolicy({ seed: options.seed, learningRate, epsilon });
  const rng = createRng(options.seed ^ 0x5eed);
  for (let e = 0; e < episodes; e++) {
    const p = pool[rng.int(pool.length)]!;
    const state = encodeState(p.diagnosis);
    const proposal = policy.explore(state);
    const verdict = guard({
      proposal,
      diagnosis: p.diagnosis,
      capabilities: p.capabilities,
      authority: AUTHORITY,
      usage: NO_USAGE,
    });
    const outcome = simulateAction(p.incident, verdict.final);
    const veto = verdict.overridden ? REWARD.vetoed : 0;
    policy.update(state, proposal.action, rewardFor(p.incident, outcome) + veto);
  }
  policy.toArtifact({
    seed: options.seed,
    episodes,
    incidents: pool.length,
    offset: options.offset ?? 0,
    environment: 'sim',
    guard: 'on',
    reward: REWARD,
  });
  return policy;
}

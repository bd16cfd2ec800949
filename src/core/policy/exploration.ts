// Exploration in production: off unless the pipeline's authority turns it on, and then only among
// the actions the guard lets through unchanged, only in families the pipeline runs autonomously.
// The logged propensity is the probability of the proposal under this exploring policy, so
// off-policy evaluation can weigh what it learns. The guard still judges the proposal afterwards.

import type { Action } from '../action.js';
import { sha256 } from '../audit-chain.js';
import type { Proposal } from '../decision.js';
import { createRng } from './rng.js';

/** The authority's exploration setting; absent = off. */
export interface ExplorationSetting {
  /** Share of decisions that try a guard-allowed action other than the greedy one, in [0, 0.5]. */
  epsilon: number;
}

/** Two uniforms in [0, 1) from a key (the incident id): reproducible, so re-deciding gives the same choice. */
export function uniformsFor(key: string): [number, number] {
  const rng = createRng(Number.parseInt(sha256(`explore:${key}`).slice(0, 8), 16));
  return [rng.next(), rng.next()];
}

/**
 * ε-greedy over `allowed` (the actions the guard would let through unchanged, in a fixed order).
 * With probability ε a uniformly chosen allowed action; else the greedy proposal. Propensity of the
 * result: (1 − ε)·[greedy] + ε/|allowed|·[allowed]. With nothing allowed the proposal stands.
 */
export function explore(
  proposal: Proposal,
  allowed: readonly Action[],
  epsilon: number,
  uniforms: [number, number],
): Proposal & { explored: boolean } {
  if (!(epsilon > 0) || allowed.length === 0) return { ...proposal, explored: false };
  const [u, v] = uniforms;
  const k = allowed.length;
  const action = u < epsilon ? allowed[Math.min(k - 1, Math.floor(v * k))]! : proposal.action;
  const propensity =
    (action === proposal.action ? 1 - epsilon : 0) + (allowed.includes(action) ? epsilon / k : 0);
  return { ...proposal, action, propensity, explored: action !== proposal.action };
}

// The random policy: uniform over its action set with a seeded RNG. The floor any policy must beat.

import { type Action, CORE_ACTIONS } from '../action.js';
import { sha256 } from '../audit-chain.js';
import type { Proposal } from '../decision.js';
import type { State } from '../state.js';
import type { Policy } from './policy.js';
import { createRng, type Rng } from './rng.js';

/** Uniform random proposals; propensity 1/|A|. Reproducible from the seed. */
export class RandomPolicy implements Policy {
  readonly kind = 'random' as const;
  readonly version: string;
  readonly hash: string;
  readonly actions: readonly Action[];
  private readonly rng: Rng;

  constructor(
    readonly seed: number,
    actions: readonly Action[] = CORE_ACTIONS,
  ) {
    if (actions.length === 0) throw new RangeError('RandomPolicy: empty action set');
    this.actions = [...actions];
    this.rng = createRng(seed);
    this.version = `random@${seed}`;
    this.hash = sha256(`random|${seed}|${this.actions.join(',')}`);
  }

  propose(_state: State): Proposal {
    const action = this.actions[this.rng.int(this.actions.length)]!;
    return {
      action,
      qValues: Object.fromEntries(this.actions.map((a) => [a, 0])),
      propensity: 1 / this.actions.length,
      policyVersion: this.version,
    };
  }
}

// The policy's state: failure family × risk × quality condition. Small and enumerable (8×4×3 = 96).

import { FAILURE_FAMILIES, type FailureFamily } from './failure-family.js';
import { QUALITY_CONDITIONS, type QualityCondition, RISKS, type Risk } from './risk.js';

export interface State {
  family: FailureFamily;
  risk: Risk;
  quality: QualityCondition;
}

/** The state's stable key, `family|risk|quality`; the Q-table is keyed by it. */
export type StateKey = `${FailureFamily}|${Risk}|${QualityCondition}`;

export function stateKey(state: State): StateKey {
  return `${state.family}|${state.risk}|${state.quality}`;
}

/** Every state, in a fixed order (family, then risk, then quality). */
export function allStates(): State[] {
  const states: State[] = [];
  for (const family of FAILURE_FAMILIES)
    for (const risk of RISKS)
      for (const quality of QUALITY_CONDITIONS) states.push({ family, risk, quality });
  return states;
}

export function parseStateKey(key: string): State | undefined {
  const [family, risk, quality] = key.split('|');
  return allStates().find((s) => s.family === family && s.risk === risk && s.quality === quality);
}

// Per-family autonomy of one pipeline: its mode, its shadow record against the promotion thresholds,
// and its recent validations against the demotion rule. Mode changes are audited on the pipeline's
// own chain (`autonomy:<pipeline>`), which also tells since when a family's record counts.

import { canonicalJson, sha256 } from './core/audit-chain.js';
import { type Authority, type Mode, modeFor } from './core/authority.js';
import { FAILURE_FAMILIES, type FailureFamily } from './core/failure-family.js';
import {
  type AutonomyThresholds,
  DEFAULT_AUTONOMY_THRESHOLDS,
  eligibility,
  shouldDemote,
} from './core/governance/autonomy.js';
import { shadowReport } from './core/governance/shadow-report.js';
import { GUARD_HASH } from './core/safety/guard.js';
import { observationsOf } from './label.js';
import type { Environment, IncidentRecord } from './ports.js';

export interface FamilyAutonomy {
  family: FailureFamily;
  mode: Mode;
  decisions: number;
  labelled: number;
  agreed: number;
  precision: number | null;
  lower95: number;
  eligible: boolean;
  /** Unmet promotion thresholds. */
  reasons: string[];
  /** Validations since the family was last made autonomous: failed of the last `window`. */
  validationsFailed: number;
  validationsWindow: number;
  /** True when the family is autonomous and its validations fail too often. */
  demote: boolean;
}

/** A mode change of one family, as audited. */
export interface ModeChange {
  family: FailureFamily;
  from: Mode;
  to: Mode;
  by: string;
  reason: string;
  automatic: boolean;
  forced?: boolean;
}

export function thresholdsOf(authority: Authority): AutonomyThresholds {
  return { ...DEFAULT_AUTONOMY_THRESHOLDS, ...authority.autonomy };
}

export function autonomyChainId(pipeline: string): string {
  return `autonomy:${pipeline}`;
}

/** When each family was last made autonomous (its validations count from then). */
export async function lastPromotions(
  env: Pick<Environment, 'audit'>,
  pipeline: string,
): Promise<Partial<Record<FailureFamily, string>>> {
  const out: Partial<Record<FailureFamily, string>> = {};
  for (const r of await env.audit.read(autonomyChainId(pipeline))) {
    const change = r.data as Partial<ModeChange>;
    if (change.family && change.to === 'autonomous') out[change.family] = r.at;
  }
  return out;
}

/** Every family's autonomy for one pipeline, from its incidents. */
export function autonomyStatus(
  pipeline: { name: string; authority: Authority },
  incidents: readonly IncidentRecord[],
  promotedAt: Partial<Record<FailureFamily, string>> = {},
): FamilyAutonomy[] {
  const thresholds = thresholdsOf(pipeline.authority);
  const report = shadowReport(observationsOf(incidents, pipeline.name));
  return FAILURE_FAMILIES.map((family) => {
    const stats = report.families[family] ?? {
      decisions: 0,
      labelled: 0,
      agreed: 0,
      precision: null,
      lower95: 0,
    };
    const since = promotedAt[family];
    const outcomes = incidents
      .filter(
        (i) =>
          i.event.pipeline === pipeline.name &&
          i.decision?.diagnosis.classification.family === family &&
          i.validation !== undefined &&
          i.validation.status !== 'not_applicable' &&
          (since === undefined || (i.finishedAt ?? i.startedAt) > since),
      )
      .sort((a, b) => (a.finishedAt ?? a.startedAt).localeCompare(b.finishedAt ?? b.startedAt))
      .map((i) => i.validation?.status === 'resolved');
    const mode = modeFor(pipeline.authority, family);
    const demotion = shouldDemote(outcomes, thresholds);
    const { eligible, reasons } = eligibility(stats, thresholds);
    return {
      family,
      mode,
      decisions: stats.decisions,
      labelled: stats.labelled,
      agreed: stats.agreed,
      precision: stats.precision,
      lower95: stats.lower95,
      eligible,
      reasons,
      validationsFailed: demotion.failed,
      validationsWindow: demotion.window,
      demote: mode === 'autonomous' && demotion.demote,
    };
  });
}

/** Appends a mode change to the pipeline's autonomy chain. */
export async function auditModeChange(
  env: Pick<Environment, 'audit' | 'clock' | 'policy'>,
  pipeline: { name: string; authority: Authority },
  change: ModeChange,
): Promise<void> {
  await env.audit.append({
    incidentId: autonomyChainId(pipeline.name),
    step: 'autonomy',
    at: env.clock.now().toISOString(),
    policyHash: env.policy.hash,
    guardHash: GUARD_HASH,
    authorityHash: sha256(canonicalJson(pipeline.authority)),
    data: change,
  });
}

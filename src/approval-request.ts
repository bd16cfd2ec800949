// The facts a supervised decision rests on, read from the ports when the decision is stored to await
// approval and again when someone approves it: equal facts mean the approval still applies.

import type { BudgetUsage, Capabilities, Decision } from './core/decision.js';
import type { Evidence } from './core/evidence.js';
import { type ApprovalFacts, approvalExpiresAt } from './core/governance/approval-facts.js';
import type { ApprovalRecord, Environment, PipelineDescription } from './ports.js';

export interface DecisionFacts {
  evidence: Evidence;
  pipeline: PipelineDescription;
  capabilities: Capabilities;
  usage: BudgetUsage;
  decision: Decision;
}

/** Reads the facts of a decision: input fingerprints, catalog versions, bad-row shares, budgets. */
export async function captureFacts(
  input: DecisionFacts,
  env: Pick<Environment, 'data'>,
): Promise<ApprovalFacts> {
  const fingerprints: Record<string, string | null> = {};
  const catalogVersions: Record<string, string | null> = {};
  for (const item of input.evidence.datasets) {
    const binding = input.pipeline.datasets.find((d) => d.dataset === item.dataset);
    // An engine without fingerprints (or an unreadable input) is compared through its profile instead.
    const print = binding ? await env.data.fingerprint?.(binding.location).catch(() => undefined) : undefined;
    fingerprints[item.dataset] =
      print ?? (item.currentProfile ? `rows=${item.currentProfile.rowCount}` : null);
    catalogVersions[item.dataset] = item.schemaVersions.at(-1)?.version ?? null;
  }
  return {
    fingerprints,
    catalogVersions,
    badRowFraction: input.capabilities.badRowFraction ?? null,
    coercionBadRowFraction: input.capabilities.coercionBadRowFraction ?? null,
    usage: input.usage,
    mode: input.decision.mode,
    action: input.decision.verdict.final,
  };
}

/** The approval record stored on an incident that now awaits a human verdict. */
export async function approvalRequest(
  input: DecisionFacts,
  env: Pick<Environment, 'data' | 'clock'>,
): Promise<ApprovalRecord> {
  const now = env.clock.now();
  return {
    requestedAt: now.toISOString(),
    expiresAt: approvalExpiresAt(now, input.pipeline.authority.approvalExpiryHours).toISOString(),
    facts: await captureFacts(input, env),
  };
}

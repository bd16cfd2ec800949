// The first line of every escalation: the cause in plain words and what a person should do next.
// One pure function, so the terminal, the escalation file, Slack, PagerDuty, SNS and the dashboard
// all say the same thing; the full decision trace goes below it.

import type { Action } from './action.js';
import type { Decision, FiredRule } from './decision.js';
import type { Evidence } from './evidence.js';
import type { FailureFamily } from './failure-family.js';
import { type Finding, isDriftFinding } from './finding.js';
import type { ValidationResult } from './outcome.js';
import { adoptableByMapping, type MigrationProposal } from './schema-migration.js';
import { withArticle } from './words.js';

/** Why a human is asked: the guard/policy chose escalate, approval, a held lock, a failed validation, a migration. */
export type EscalationKind = 'decision' | 'approval' | 'locked' | 'validation' | 'migration';

/** The facts the headline is made of (an `Escalation` has all of them). */
export interface EscalationFacts {
  kind?: EscalationKind;
  /** The guard's or the validation's reason; the fallback when nothing more specific is known. */
  reason: string;
  job?: string;
  decision?: Decision;
  evidence: Pick<Evidence, 'event' | 'logs' | 'datasets'>;
  validation?: ValidationResult;
  migration?: MigrationProposal;
}

/** Longest headline: a Slack header, an SNS subject line and a PagerDuty summary stay readable. */
const MAX_HEADLINE = 400;

/**
 * The escalation's first line: `<cause>: <what to do next>`.
 *
 * @example
 * escalationHeadline(escalation);
 * // "protected dataset airports: a column airport_name was added and column name was removed;
 * //  review the upstream change and adopt the new schema (healer catalog adopt --dataset airports)"
 */
export function escalationHeadline(facts: EscalationFacts): string {
  const text = headlineFor(facts).replace(/\s+/g, ' ').trim();
  return text.length > MAX_HEADLINE ? `${text.slice(0, MAX_HEADLINE - 1)}…` : text;
}

function headlineFor(facts: EscalationFacts): string {
  const kind = facts.kind ?? 'decision';
  const decision = facts.decision;
  switch (kind) {
    case 'migration': {
      const m = facts.migration;
      if (!m) return facts.reason;
      const drift = describeDrift(findingsOf(decision, m.dataset)) || 'the same schema drift';
      return `schema migration proposed for ${m.dataset}: ${drift}, healed ${times(m.healedTimes)} already; if the upstream change is for good, adopt it as a new catalog version (healer catalog adopt --dataset ${m.dataset} --pipeline ${m.pipeline})`;
    }
    case 'approval': {
      const action = decision?.verdict.final ?? 'the proposed action';
      return `approval needed to ${action}: ${decision ? causeOf(facts, decision) : facts.reason}; approve it to run, or act by hand`;
    }
    case 'locked': {
      // The reason names the holder (incident, process, host) when the lock knows it.
      const holder = /concurrent remediation: (.+)$/.exec(facts.reason)?.[1];
      return `another remediation holds the lock of job ${facts.job ?? facts.evidence.event.job}${holder ? ` (${holder})` : ''}: wait for it to finish, then re-run ${facts.evidence.event.runId}`;
    }
    case 'validation': {
      const failed = facts.validation?.checks.find((c) => !c.passed);
      const action = decision?.verdict.final ?? 'the action';
      const what = failed ? `${failed.name.replaceAll('_', ' ')}: ${failed.detail}` : facts.reason;
      return `${action} ran but did not validate (${what}): the state is kept; inspect the incident (healer incident show) and repair by hand`;
    }
    case 'decision': {
      if (!decision) return facts.reason;
      const veto = decision.verdict.fired.find((f) => f.effect === 'veto');
      if (veto) return vetoHeadline(facts, decision, veto);
      return `${causeOf(facts, decision)}: ${nextStep(facts, decision)}`;
    }
    default:
      return kind satisfies never;
  }
}

/** A vetoed active proposal: which rule, why, and what would unblock it. */
function vetoHeadline(facts: EscalationFacts, decision: Decision, veto: FiredRule): string {
  const proposed = decision.verdict.proposed;
  const rule = veto.id.split('_')[0] ?? veto.id;
  const why = ruleWhy(veto, proposed, decision);
  const cause = causeOf(facts, decision);
  return `${proposed} vetoed by ${rule}: ${why}; ${cause}: ${vetoNextStep(veto.id, facts, decision)}`;
}

function ruleWhy(veto: FiredRule, proposed: Action, decision: Decision): string {
  switch (veto.id) {
    case 'G4_NOT_ALLOWED_BY_AUTHORITY':
      return "not in the pipeline's allowed actions";
    case 'G5_NOT_SUPPORTED_HERE':
      return `this runtime cannot ${proposed}`;
    case 'G2_CRITICAL_BLOCKS_ACTIVE':
      return `risk is critical (${decision.diagnosis.risk.reasons[0] ?? 'see the trace'})`;
    default:
      // The other rules' reasons are already plain words with their facts (percentages, budgets).
      return veto.reason;
  }
}

function vetoNextStep(ruleId: string, facts: EscalationFacts, decision: Decision): string {
  switch (ruleId) {
    case 'G4_NOT_ALLOWED_BY_AUTHORITY':
      return `allow ${decision.verdict.proposed} in the pipeline's authority, or act by hand`;
    case 'G9_QUARANTINE_BLAST_RADIUS':
    case 'G15_COERCE_BLAST_RADIUS':
      return 'fix the source data (too many rows to hold back automatically)';
    case 'G12_RETRY_BUDGET_PER_RUN':
    case 'G13_RETRY_BUDGET_PER_HOUR':
      return 'the retry budget is spent; check the upstream service before re-running';
    case 'G14_CIRCUIT_BREAKER':
      return 'automatic remediation of this job keeps failing; investigate before re-running';
    case 'G8_QUARANTINE_NEEDS_STORE':
      return 'configure a quarantine store, or act by hand';
    default:
      return nextStep(facts, decision);
  }
}

/** The cause in plain words: protected data, the drift, or the failure family with its evidence. */
function causeOf(facts: EscalationFacts, decision: Decision): string {
  const diagnosis = decision.diagnosis;
  const drift = describeDrift(diagnosis.findings);
  const protectedName = protectedDatasetOf(facts, decision);
  if (protectedName !== undefined) {
    return `protected dataset ${protectedName}: ${drift || `${withArticle(familyWords(diagnosis.classification.family))} failure (${errorLine(facts)})`}`;
  }
  const family = diagnosis.classification.family;
  switch (family) {
    case 'permission':
      return permissionCause(facts);
    case 'schema':
      return `schema: ${drift || errorLine(facts)}`;
    case 'data_quality':
      return `data quality: ${describeQuality(diagnosis.findings) || errorLine(facts)}`;
    case 'unknown':
      return `an unknown failure: no known signature matches "${errorLine(facts)}"`;
    case 'transient':
    case 'resource':
    case 'config':
    case 'dependency':
      return `${familyWords(family)}: ${errorLine(facts)}`;
    default:
      return family satisfies never;
  }
}

function nextStep(facts: EscalationFacts, decision: Decision): string {
  const diagnosis = decision.diagnosis;
  const protectedName = protectedDatasetOf(facts, decision);
  const drifted = diagnosis.findings.some(isDriftFinding);
  if (protectedName !== undefined) {
    if (!drifted) return 'no automation may touch it; act by hand';
    return adoptableByMapping(diagnosis.findings)
      ? `review the upstream change and adopt the new schema (healer catalog adopt --dataset ${protectedName})`
      : "review the upstream change; to accept it, change the pipeline's contract and transform (no catalog mapping can)";
  }
  const family = diagnosis.classification.family;
  switch (family) {
    case 'permission':
      return permissionStep(facts);
    case 'schema': {
      const ds = driftDataset(facts, decision);
      if (drifted && ds && adoptableByMapping(diagnosis.findings))
        return `fix the upstream, or adopt the new schema if it is meant (healer catalog adopt --dataset ${ds})`;
      return "fix the upstream, or change the pipeline's contract and transform to the new schema";
    }
    case 'data_quality':
      return 'fix the source data, then re-run';
    case 'unknown':
      return 'read the log below, fix by hand, then re-run';
    case 'config':
      return "fix the job's configuration, then re-run";
    case 'resource':
      return 'give the job more capacity or a smaller input, then re-run';
    case 'dependency':
      return 'check that the upstream has delivered, then re-run';
    case 'transient':
      return 'the error persisted; check the service, then re-run';
    default:
      return family satisfies never;
  }
}

function permissionCause(facts: EscalationFacts): string {
  const text = `${facts.evidence.event.errorMessage ?? ''}\n${facts.evidence.logs.slice(-8000)}`;
  const uri = /\b(s3a?|gs|abfss?):\/\/[^\s'"(),;]+/.exec(text)?.[0];
  const dataset = facts.evidence.event.datasets?.[0] ?? facts.evidence.datasets[0]?.dataset;
  const target = uri ?? (dataset ? `dataset ${dataset}` : 'its input');
  const status = /Status Code: (\d{3})/i.exec(text)?.[1] ?? /\b(401|403)\b/.exec(text)?.[1];
  const code =
    /Error Code: (\w+)/i.exec(text)?.[1] ?? /\b(AccessDenied|ExpiredToken\w*|Forbidden)\b/.exec(text)?.[1];
  const detail = [status, code].filter(Boolean).join(' ');
  const writes = /PutObject|write|upload/i.test(facts.evidence.event.errorMessage ?? '');
  return `permission: the job's role cannot ${writes ? 'write' : 'read'} ${target}${detail ? ` (${detail})` : ''}`;
}

function permissionStep(facts: EscalationFacts): string {
  const text = `${facts.evidence.event.errorMessage ?? ''}\n${facts.evidence.logs.slice(-8000)}`;
  if (/ExpiredToken|token (has )?expired|credentials? (have |has )?expired/i.test(text))
    return "renew the job's credentials, then re-run";
  const s3 = /s3a?:\/\/|Amazon S3|AmazonS3/i.test(text);
  const writes = /PutObject|write|upload/i.test(facts.evidence.event.errorMessage ?? '');
  if (s3) return `grant ${writes ? 's3:PutObject' : 's3:GetObject'} on it to the job's role, then re-run`;
  return "grant the job's role access to it, then re-run";
}

function protectedDatasetOf(facts: EscalationFacts, decision: Decision): string | undefined {
  if (!decision.diagnosis.protectedDataset) return undefined;
  const contractProtected = facts.evidence.datasets.find((d) => d.contract?.protected)?.dataset;
  return (
    contractProtected ?? decision.diagnosis.datasets?.[0] ?? facts.evidence.datasets[0]?.dataset ?? 'input'
  );
}

function driftDataset(facts: EscalationFacts, decision: Decision): string | undefined {
  return (
    facts.evidence.event.datasets?.[0] ??
    decision.diagnosis.datasets?.[0] ??
    facts.evidence.datasets[0]?.dataset
  );
}

function findingsOf(decision: Decision | undefined, _dataset: string): Finding[] {
  return decision?.diagnosis.findings ?? [];
}

/** Drift findings in words: "a column airport_name was added and column name was removed". */
export function describeDrift(findings: readonly Finding[]): string {
  const parts: string[] = [];
  for (const f of findings.filter(isDriftFinding)) {
    switch (f.kind) {
      case 'field_added':
        parts.push(`a column ${f.column} was added`);
        break;
      case 'field_removed':
        parts.push(`column ${f.column} was removed`);
        break;
      case 'field_renamed':
        parts.push(`column ${f.from} was renamed to ${f.to}`);
        break;
      case 'type_changed':
        parts.push(`column ${f.column} changed type ${f.baseline} → ${f.current}`);
        break;
      case 'nullability_changed':
        parts.push(`column ${f.column} became ${f.current ? 'nullable' : 'required'}`);
        break;
      case 'nested_changed':
        parts.push(`the structure of ${f.column} changed`);
        break;
      default:
        f satisfies never;
    }
  }
  return joinParts(parts);
}

function describeQuality(findings: readonly Finding[]): string {
  return joinParts(findings.filter((f) => !isDriftFinding(f)).map((f) => f.message));
}

function joinParts(parts: string[]): string {
  const unique = [...new Set(parts)];
  if (unique.length <= 2) return unique.join(' and ');
  return `${unique.slice(0, 2).join(', ')} and ${unique.length - 2} more change(s)`;
}

function familyWords(family: FailureFamily): string {
  return family === 'data_quality' ? 'data quality' : family;
}

/** The first line of the error, short: what the engine said. */
function errorLine(facts: EscalationFacts): string {
  const message =
    facts.evidence.event.errorMessage?.trim() || facts.decision?.diagnosis.classification.line || '';
  const first = message.split('\n')[0]?.trim() ?? '';
  if (!first) return 'no error message';
  return first.length > 160 ? `${first.slice(0, 159)}…` : first;
}

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}

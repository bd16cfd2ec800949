// diagnose(): runs every detector over the gathered evidence and returns the facts one decision
// needs: the failure family, drift and quality findings, risk, quality condition, protection.

import type { DatasetContract, QualityThresholds } from './contract.js';
import type { Diagnosis } from './decision.js';
import { detectQualityDrift } from './detect/data-quality.js';
import { classifyError } from './detect/error-classifier.js';
import { detectInputNotReady } from './detect/input-not-ready.js';
import { qualityCondition } from './detect/quality-condition.js';
import { detectReadFaults } from './detect/read-faults.js';
import { assessRisk } from './detect/risk.js';
import { detectSchemaDrift } from './detect/schema-drift.js';
import type { DatasetEvidence, Evidence } from './evidence.js';
import type { Classification } from './failure-family.js';
import { type Finding, isDriftFinding } from './finding.js';
import type { TableSchema } from './schema.js';

/** The text the classifier reads: the run's log, and the event's message when the log lacks it. */
export function logText(logs: string, event: Pick<Evidence['event'], 'errorMessage'>): string {
  return event.errorMessage && !logs.includes(event.errorMessage) ? `${logs}\n${event.errorMessage}` : logs;
}

/**
 * Runs the detectors over the evidence. Per dataset: the current data schema against the baseline
 * (the contract schema when there is one, else the previous catalog version), the last two catalog
 * versions against each other when the catalog changed and the data contradicts the latest version
 * (a bad publish; findings marked `scope: 'catalog'`), and
 * the current profile against the baseline profile with the contract's keys and thresholds.
 *
 * Family refinement: when the log gives no answer (`unknown`) but the findings are unambiguous,
 * the family comes from them: incompatible drift → `schema`, else a degraded or severe quality
 * condition → `data_quality`. The original classification is kept in `familyRefinedFrom`. Nothing
 * is ever refined to `transient` (or any family without log evidence of it).
 */
export function diagnose(evidence: Evidence): Diagnosis {
  const fromLog = classifyError(logText(evidence.logs, evidence.event));
  const findings: Finding[] = [];
  const keys: string[] = [];
  let protectedDataset = false;
  for (const d of evidence.datasets) {
    findings.push(...datasetFindings(d, evidence.event.occurredAt));
    const notReady = detectInputNotReady(fromLog, d.dataset);
    if (notReady) findings.push(notReady);
    keys.push(...(d.contract?.keys ?? []));
    if (d.contract?.protected) protectedDataset = true;
  }

  let classification: Classification = fromLog;
  let familyRefinedFrom: Classification | undefined;
  const quality = qualityCondition(findings);
  if (fromLog.family === 'unknown') {
    const drift = findings.find((f) => isDriftFinding(f) && !f.compatible);
    const bad =
      quality === 'ok' ? undefined : findings.find((f) => !isDriftFinding(f) && f.severity !== 'info');
    if (drift) classification = refined('schema', 'findings.schema_drift', drift);
    else if (bad) classification = refined('data_quality', 'findings.data_quality', bad);
    if (classification !== fromLog) familyRefinedFrom = fromLog;
  }

  const risk = assessRisk({ classification, findings, protectedDataset, keys });
  const datasets = [
    ...new Set([...evidence.datasets.map((d) => d.dataset), ...(evidence.event.datasets ?? [])]),
  ];
  return {
    classification,
    findings,
    risk,
    quality,
    protectedDataset,
    datasets,
    ...(familyRefinedFrom ? { familyRefinedFrom } : {}),
  };
}

function datasetFindings(d: DatasetEvidence, occurredAt: string): Finding[] {
  const findings: Finding[] = [];
  const versions = d.schemaVersions;
  const latest = versions.at(-1);
  const previous = versions.at(-2);
  const baseline: TableSchema | undefined = d.contract?.schema ?? previous ?? latest;
  if (baseline && d.currentSchema) {
    const options = { baselineProfile: d.baselineProfile, currentProfile: d.currentProfile };
    for (const f of detectSchemaDrift(baseline, d.currentSchema, options))
      findings.push({ ...f, scope: 'data' });
  }
  // A catalog change the data already follows (same fields; at most compatible type noise from text
  // inference) was a legitimate evolution, not a bad publish: only report one the data contradicts.
  const dataFollowsCatalog =
    latest !== undefined &&
    d.currentSchema !== undefined &&
    detectSchemaDrift(latest, d.currentSchema).every((f) => f.kind === 'type_changed' && f.compatible);
  if (previous && latest && !dataFollowsCatalog) {
    // A compatible catalog change (an added nullable column) breaks no reader: history, not a fault.
    for (const f of detectSchemaDrift(previous, latest))
      if (!f.compatible) findings.push({ ...f, scope: 'catalog' });
  }
  if (d.read) findings.push(...detectReadFaults(d.read, d.baselineProfile?.rowCount));
  if (d.baselineProfile && d.currentProfile) {
    findings.push(
      ...detectQualityDrift(d.baselineProfile, d.currentProfile, {
        keys: d.contract?.keys,
        thresholds: contractThresholds(d.contract),
        now: new Date(occurredAt),
      }),
    );
  }
  return findings;
}

/**
 * The contract's quality thresholds, plus what its schema already says: a column declared NOT NULL
 * allows a null rate of 0, so any null there breaches the contract whatever the sample size.
 */
export function contractThresholds(contract: DatasetContract | undefined): QualityThresholds | undefined {
  if (!contract) return undefined;
  const maxNullRate: Record<string, number> = { ...contract.quality.maxNullRate };
  for (const field of contract.schema.fields) {
    if (!field.nullable && maxNullRate[field.path] === undefined) maxNullRate[field.path] = 0;
  }
  return { ...contract.quality, maxNullRate };
}

function refined(family: 'schema' | 'data_quality', rule: string, finding: Finding): Classification {
  // Moderate confidence: the family rests on the data, not on an error message.
  return { family, rule, confidence: 0.6, line: finding.message };
}

// Facts the simulated runtime measures from an incident's generated data: its evidence for the
// detectors (profiles, cached) and its capabilities (the core's bad-row share, measured on the rows).

import { type BadRowMeasurement, badRowCapabilities, badRowShare } from '../core/bad-rows.js';
import { planCoercion } from '../core/coercion.js';
import type { Capabilities, Diagnosis } from '../core/decision.js';
import type { Evidence } from '../core/evidence.js';
import type { DatasetProfile } from '../core/profile.js';
import { dpuHours, nextScaleStep } from '../core/resources.js';
import { measureContractBadRows, profileRows } from './profiler.js';
import type { SimIncident } from './scenarios.js';
import { SIM_RESOURCE_CAPS } from './sim-authority.js';

const profiles = new WeakMap<SimIncident, { baseline: DatasetProfile; current?: DatasetProfile }>();
const baselineProfiles = new WeakMap<object, DatasetProfile>();

/** Baseline and current profiles of an incident (computed once, in-process). */
export function incidentProfiles(incident: SimIncident): {
  baseline: DatasetProfile;
  current?: DatasetProfile;
} {
  let p = profiles.get(incident);
  if (!p) {
    const keys = incident.contract.keys;
    // Baseline batches are shared between incidents (see scenarios.ts): profile each once.
    let baseline = baselineProfiles.get(incident.baselineRows);
    if (!baseline) {
      baseline = profileRows(incident.baselineRows, incident.contract.schema, {
        source: `sim://${incident.table.name}/baseline`,
        keys,
      });
      baselineProfiles.set(incident.baselineRows, baseline);
    }
    p = { baseline };
    if (incident.currentRows)
      p.current = profileRows(incident.currentRows, incident.currentSchema, {
        source: `sim://${incident.id}/current`,
        format: incident.currentFormat,
        keys,
        expected: incident.contract.schema,
      });
    profiles.set(incident, p);
  }
  return p;
}

/** The evidence `gatherEvidence` would collect for the incident (without going through the ports). */
export function incidentEvidence(incident: SimIncident): Evidence {
  const p = incidentProfiles(incident);
  return {
    event: incident.event,
    logs: incident.log,
    logsTruncated: false,
    datasets: [
      {
        dataset: incident.table.name,
        contract: incident.contract,
        schemaVersions: incident.schemaVersions,
        ...(incident.currentRows ? { currentSchema: incident.currentSchema, currentProfile: p.current } : {}),
        baselineProfile: p.baseline,
      },
    ],
  };
}

/**
 * The bad rows of the current input, as the core defines them (a null in a required column, a value
 * that is not of the contract type or out of its range, a repeated key), over every generated row.
 */
export function measuredBadRows(incident: SimIncident): BadRowMeasurement | undefined {
  const rows = incident.currentRows;
  if (!rows || rows.length === 0) return undefined;
  // Every policy of the benchmark asks for the same incident's capabilities: count it once.
  let m = badRowMeasurements.get(incident);
  if (m === undefined) {
    m = measureContractBadRows(rows, incident.contract, incident.currentSchema);
    badRowMeasurements.set(incident, m);
  }
  return m;
}
const badRowMeasurements = new WeakMap<SimIncident, BadRowMeasurement>();

/** Share of current rows that break the contract (see `measuredBadRows`). */
export function measuredBadRowFraction(incident: SimIncident): number | undefined {
  const m = measuredBadRows(incident);
  return m === undefined ? undefined : badRowShare(m);
}

/** What the simulated runtime can do for this incident. */
export function incidentCapabilities(incident: SimIncident, diagnosis: Diagnosis): Capabilities {
  const plan = incident.currentRows
    ? planCoercion(incident.contract.schema, incident.currentSchema, diagnosis.findings)
    : undefined;
  const caps: Capabilities = {
    supported: ['retry', 'coerce_schema', 'rollback_schema', 'quarantine', 'scale_resources', 'defer'],
    hasPreviousSchemaVersion: incident.schemaVersions.length >= 2,
    coercionSafe: plan?.safe ?? false,
    hasQuarantineStore: true,
  };
  const step = incident.resources ? nextScaleStep(incident.resources, SIM_RESOURCE_CAPS) : undefined;
  if (step) {
    const cost = dpuHours(step.after, incident.runMinutes / 60);
    caps.scaleStep = cost === undefined ? step : { ...step, costDpuHours: cost };
  }
  const condition = deferCondition(incident);
  if (condition) caps.deferCondition = condition;
  const m = measuredBadRows(incident);
  if (m === undefined) return caps;
  const rows = incident.currentRows!;
  // What coerce_schema would quarantine: the same definition once the renames are mapped back.
  const coercion = plan?.renames.length
    ? badRowShare(measureContractBadRows(rows, incident.contract, incident.currentSchema, plan.renames))
    : badRowShare(m);
  return { ...caps, ...badRowCapabilities(m), ...(plan ? { coercionBadRowFraction: coercion } : {}) };
}

/**
 * What `defer` could wait for, as a runtime sees it: the input is not there (its arrival), or the
 * log names a throttle or a full concurrency slot (it passing). Undefined when nothing would change.
 */
export function deferCondition(incident: SimIncident): string | undefined {
  if (!incident.currentRows) return `input ${incident.table.name} to arrive`;
  if (/ThrottlingException|SlowDown|Rate exceeded|reduce your request rate/.test(incident.log))
    return 'the throttle to pass';
  if (/ConcurrentRunsExceeded/.test(incident.log)) return 'a free concurrent-run slot';
  return undefined;
}

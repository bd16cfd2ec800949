// Evidence: everything gathered (read-only) about one incident before any decision.

import type { DatasetContract } from './contract.js';
import type { FailureEvent } from './event.js';
import type { FailingRow } from './failing-row.js';
import type { DatasetProfile } from './profile.js';
import type { ReadFacts } from './read-facts.js';
import type { TableSchema } from './schema.js';

/** Evidence about one dataset the failed run reads. */
export interface DatasetEvidence {
  dataset: string;
  contract?: DatasetContract;
  /** Catalog schema versions, oldest first; the last is the current catalog version. */
  schemaVersions: TableSchema[];
  /** Schema of the data as it is now (inferred by the data engine from a bounded sample). */
  currentSchema?: TableSchema;
  /** Profile of the last good input. */
  baselineProfile?: DatasetProfile;
  /** Profile of the current input. */
  currentProfile?: DatasetProfile;
  /** What reading the current input established (malformed lines, empty), when the engine says. */
  read?: ReadFacts;
  /** Escalations only: example rows of the current input failing the findings' row checks. */
  failingRows?: FailingRow[];
}

export interface Evidence {
  event: FailureEvent;
  /** Log text of the failed run, bounded by the log source (tail kept). */
  logs: string;
  /** True when the log source cut the log to fit its bound. */
  logsTruncated: boolean;
  datasets: DatasetEvidence[];
}

// The failing run's parsed input, kept for the remediation that follows it. A run that fails its
// contract only on nulls in required columns has already read, parsed and typed every row of the
// source; a quarantine of the same input version conforms those rows instead of reading and parsing
// the file again. Kept on the run's own DuckDB connection (its temp tables), one run at a time, and
// only while the file's fingerprint (size, modification time, inode) is unchanged. The same run's
// text of the input is held too, for the evidence's profile of that version (HeldText).

import type { DuckDBConnection } from '@duckdb/node-api';
import type { ReadOptions } from '../../core/read-options.js';
import type { CsvDialect } from '../duckdb/csv-read.js';

/** A kept CSV source's text as the run read it (every column VARCHAR), with how it was read. */
export interface KeptText {
  /** Temp table on the kept connection (unquoted name), dropped when a re-run adopts the run. */
  table: string;
  /** The resolved location the run read. */
  location: string;
  dialect: CsvDialect;
  read: ReadOptions;
  /** The contract keys its contract check found unique (HeldText). */
  uniqueKeys?: { keys: string[]; types: Record<string, string> };
}

/** One source of a failed run, parsed whole and typed to its contract. */
export interface KeptSource {
  /** Temp table on the kept connection holding every row of the source (unquoted name). */
  table: string;
  location: string;
  /** The location's fingerprint taken before it was read. */
  fingerprint: string;
  rows: number;
  text?: KeptText;
}

/** A failed run's connection and the sources it kept. */
export interface KeptRun {
  runId: string;
  /** The runner's key of the DuckDB instance (its settings) the connection belongs to. */
  instance: string;
  conn: DuckDBConnection;
  sources: Map<string, KeptSource>;
  /** The query on `conn` running for the data engine (HeldText), awaited before the run is released. */
  busy?: Promise<unknown>;
}

/** The name a kept source's table takes when a re-run adopts the connection. */
export function keptTableName(source: string): string {
  return `__healer_kept_${source}`;
}

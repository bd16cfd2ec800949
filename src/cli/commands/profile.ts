// `healer profile DATASET`: the schema profile of a data file, directory or glob (CSV, Parquet,
// JSON array or NDJSON, detected): row count and per column nulls, distinct, min/max, validity.

import { resolve } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import type { DatasetProfile } from '../../core/profile.js';
import type { RegisterCommand } from '../commands.js';
import { textTable } from '../text-table.js';

/** Collects a repeatable option (`--key a --key b`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export const register: RegisterCommand = (program, io) => {
  program
    .command('profile')
    .description('Profile a dataset: rows, and per column nulls, distinct values, min/max and validity')
    .argument('<dataset>', 'a file, directory or glob (CSV, Parquet, JSON array or NDJSON)')
    .option('--json', 'print the profile as JSON')
    .option(
      '--key <column>',
      'declared key column: count duplicate rows (repeat for a composite key)',
      collect,
      [],
    )
    .option('--freshness <column>', 'event-time column: report the newest value')
    .option('--sample <rows>', 'profile a seeded sample of this many rows')
    .action(
      async (
        dataset: string,
        options: { json?: boolean; key: string[]; freshness?: string; sample?: string },
      ) => {
        const sampleRows = options.sample === undefined ? undefined : Number(options.sample);
        if (sampleRows !== undefined && !(Number.isInteger(sampleRows) && sampleRows > 0))
          throw new InvalidInputError(
            `--sample must be a positive integer, got ${JSON.stringify(options.sample)}`,
          );
        // Loaded on use: building the program for another command must not load DuckDB.
        const { DuckdbDataEngine } = await import('../../adapters/duckdb/index.js');
        const engine = new DuckdbDataEngine();
        try {
          const profile = await engine.profile(resolve(io.cwd, dataset), {
            ...(options.key.length > 0 ? { keys: options.key } : {}),
            ...(options.freshness !== undefined ? { freshnessColumn: options.freshness } : {}),
            ...(sampleRows !== undefined ? { sampleRows } : {}),
          });
          profile.source = dataset;
          io.out(options.json === true ? `${JSON.stringify(profile, null, 2)}\n` : profileText(profile));
        } finally {
          await engine.close();
        }
      },
    );
};

function clip(s: string): string {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > 28 ? `${flat.slice(0, 27)}…` : flat;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** The readable form: one line for the dataset, one row per column. */
export function profileText(p: DatasetProfile): string {
  const head = `${p.source}  ${p.format}  ${p.rowCount} rows  ${p.columns.length} columns\n`;
  const rows = p.columns.map((c) => [
    c.path,
    c.rawType,
    String(c.nullCount),
    percent(c.nullRate),
    String(c.distinct),
    clip(c.min ?? ''),
    clip(c.max ?? ''),
    c.validityType ? `${percent(c.validity)} ${c.validityType}` : percent(c.validity),
  ]);
  let text = head + textTable(['COLUMN', 'TYPE', 'NULLS', 'NULL%', 'DISTINCT', 'MIN', 'MAX', 'VALID'], rows);
  for (const [key, n] of Object.entries(p.duplicateKeys ?? {}))
    text += `duplicate rows on key (${key}): ${n}\n`;
  if (p.newestAt) text += `newest record: ${p.newestAt}\n`;
  return text;
}

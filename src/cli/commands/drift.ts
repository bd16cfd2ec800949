// `healer drift BASELINE CURRENT`: schema and quality drift between two datasets (or a declared
// schema file and a dataset), as findings with compatibility and severity, optionally with examples
// of failing rows; exits 3 when a finding reaches --fail-on, so it can gate CI.

import { resolve } from 'node:path';
import { z } from 'zod';
import { detectQualityDrift } from '../../core/detect/data-quality.js';
import { detectSchemaDrift } from '../../core/detect/schema-drift.js';
import { isWidening } from '../../core/detect/type-compat.js';
import { InvalidInputError } from '../../core/errors.js';
import { type FailingRow, rowChecks } from '../../core/failing-row.js';
import type { Finding } from '../../core/finding.js';
import type { DatasetProfile } from '../../core/profile.js';
import { schemaFieldInput, type TableSchema, toSchemaField } from '../../core/schema.js';
import { plural } from '../../core/words.js';
import type { DataEngine } from '../../ports.js';
import type { RegisterCommand } from '../commands.js';
import { ExitCode } from '../exit-code.js';
import type { CliIo } from '../io.js';
import { readJsonFile } from '../read-json-file.js';
import { textTable } from '../text-table.js';
import { collect } from './profile.js';

/** The `--baseline-schema` file: a TableSchema; `rawType` defaults to the type, `nullable` to true. */
export const schemaFileSchema = z
  .object({
    name: z.string().min(1).default('baseline'),
    version: z.string().optional(),
    fields: z.array(schemaFieldInput).min(1),
  })
  .strict();

/** Reads and validates a schema file; errors name the file and the key. */
export async function loadSchemaFile(file: string): Promise<TableSchema> {
  const json = await readJsonFile(file, 'schema file');
  const parsed = schemaFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.') || '(root)';
    throw new InvalidInputError(`schema file ${file}: ${key}: ${issue.message}`, { context: { file, key } });
  }
  const s = parsed.data;
  return {
    name: s.name,
    ...(s.version !== undefined ? { version: s.version } : {}),
    fields: s.fields.map(toSchemaField),
  };
}

export interface CompareOptions {
  /** One declared key (its columns). */
  keys?: string[];
  /** A declared baseline schema, instead of (or on top of) the one inferred from `baseline`. */
  baselineSchema?: TableSchema;
}

/**
 * Schema drift and quality drift of `current` against `baseline` (a dataset, a declared schema, or
 * both). The current data's validity is measured against the baseline types, so text that no
 * longer parses as the baseline type shows as a `validity_drop`.
 *
 * @example
 * const findings = await compareDatasets(new DuckdbDataEngine(), 'day1.csv', 'day2.csv', { keys: ['id'] });
 */
export async function compareDatasets(
  engine: DataEngine,
  baseline: string | undefined,
  current: string,
  options: CompareOptions = {},
): Promise<Finding[]> {
  return (await compare(engine, baseline, current, options)).findings;
}

/** What `healer drift` reports: the findings and, on request, examples of failing rows. */
export interface DriftReport {
  findings: Finding[];
  /** Up to `rows` rows of the current data failing the findings' row checks (with `rows` only). */
  failingRows?: FailingRow[];
}

/**
 * compareDatasets, plus up to `rows` failing rows of the current data (their position, declared key
 * and reasons) when `rows` is given and the engine can list rows.
 */
export async function driftReport(
  engine: DataEngine,
  baseline: string | undefined,
  current: string,
  options: CompareOptions & { rows?: number } = {},
): Promise<DriftReport> {
  const { findings, currentProfile } = await compare(engine, baseline, current, options);
  if (options.rows === undefined || !engine.failingRows) return { findings };
  const keys = options.keys && options.keys.length > 0 ? options.keys : undefined;
  const failingRows = await engine.failingRows(current, rowChecks(findings, currentProfile), {
    ...(keys ? { keys } : {}),
    limit: options.rows,
  });
  return { findings, failingRows };
}

async function compare(
  engine: DataEngine,
  baseline: string | undefined,
  current: string,
  options: CompareOptions,
): Promise<{ findings: Finding[]; currentProfile: DatasetProfile }> {
  const keys = options.keys && options.keys.length > 0 ? options.keys : undefined;
  const baselineSchema = options.baselineSchema ?? (await engine.inferSchema(baseline!, 'baseline'));
  const baselineProfile: DatasetProfile | undefined =
    baseline === undefined ? undefined : await engine.profile(baseline, keys ? { keys } : {});
  const currentSchema = await engine.inferSchema(current, 'current');
  const currentProfile = await engine.profile(current, {
    ...(keys ? { keys } : {}),
    expected: measuredAgainst(
      baselineSchema,
      baselineProfile,
      // A declared schema is a promise; an inferred one only says what the baseline held.
      options.baselineSchema ? undefined : currentSchema,
    ),
  });
  const drift = detectSchemaDrift(baselineSchema, currentSchema, {
    ...(baselineProfile ? { baselineProfile } : {}),
    currentProfile,
  });
  // Without baseline data only the current data's own facts count (duplicate keys).
  const quality = detectQualityDrift(baselineProfile ?? currentProfile, currentProfile, keys ? { keys } : {});
  return { findings: [...drift, ...quality], currentProfile };
}

/**
 * The types the current data's validity is measured against: the baseline's, except that
 * - a baseline text column whose values mostly parsed as a type (numbers read as text because of a
 *   few malformed rows) is held to that type, so text that stops being numbers is a validity drop;
 * - with `inferredCurrent` (the baseline schema was inferred, not declared), a column the current
 *   data widened (int64 → double) is measured against the wider type: a widening inferred from data
 *   is a `type_changed` info, and how the values moved is the distribution detectors' call.
 */
export function measuredAgainst(
  schema: TableSchema,
  profile: DatasetProfile | undefined,
  inferredCurrent?: TableSchema,
): TableSchema {
  const measured = new Map((profile?.columns ?? []).map((c) => [c.path, c.validityType]));
  const now = new Map((inferredCurrent?.fields ?? []).map((f) => [f.path, f.type]));
  return {
    ...schema,
    fields: schema.fields.map((f) => {
      const wider = now.get(f.path);
      if (wider !== undefined && isWidening(f.type, wider)) return { ...f, type: wider };
      const type = f.type === 'string' ? measured.get(f.path) : undefined;
      return type === undefined ? f : { ...f, type };
    }),
  };
}

/** `--fail-on` levels: the least severe finding that fails the command. */
export const FAIL_ON = ['warning', 'error'] as const;
export type FailOn = (typeof FAIL_ON)[number];
/** The exit code when a finding reaches the `--fail-on` level (2 stays usage and input errors). */
export const DRIFT_EXIT = 3;

/** True when some finding is at least as severe as `failOn`. */
export function failsAt(findings: readonly Finding[], failOn: FailOn): boolean {
  return findings.some((f) => f.severity === 'error' || (failOn === 'warning' && f.severity === 'warning'));
}

interface DriftOptions {
  json?: boolean;
  key: string[];
  baselineSchema?: string;
  rows?: string;
  failOn: string;
}

export const register: RegisterCommand = (program, io) => {
  program
    .command('drift')
    .description('Compare two datasets (or a schema file and a dataset): schema and quality drift findings')
    .argument('<baseline>', 'baseline dataset (file, directory or glob); omit with --baseline-schema')
    .argument('[current]', 'current dataset')
    .option('--json', 'print {"findings": [...]} as JSON (with --rows, also "failingRows")')
    .option('--key <column>', 'declared key column (repeat for a composite key)', collect, [])
    .option('--baseline-schema <file>', 'declared baseline schema (JSON TableSchema) instead of inferring it')
    .option('--rows <n>', 'list up to N failing rows of CURRENT with their key values and reasons')
    .option(
      '--fail-on <severity>',
      'exit 3 when a finding is at least this severe: warning or error',
      'error',
    )
    .addHelpText(
      'after',
      '\nExit codes:\n  0  no finding at or above --fail-on (info findings never fail)\n  3  a finding at or above --fail-on (default: an error finding)\n  2  usage or input error (unreadable file, bad option)\n  1  internal error',
    )
    .action(async (first: string, second: string | undefined, options: DriftOptions) => {
      const failOn = options.failOn as FailOn;
      if (!FAIL_ON.includes(failOn))
        throw new InvalidInputError(
          `--fail-on must be warning or error, got ${JSON.stringify(options.failOn)}`,
        );
      const rows = options.rows === undefined ? undefined : Number(options.rows);
      if (rows !== undefined && !(Number.isInteger(rows) && rows >= 0))
        throw new InvalidInputError(
          `--rows must be a non-negative integer, got ${JSON.stringify(options.rows)}`,
        );
      const report = await runDrift(io, first, second, {
        key: options.key,
        ...(options.baselineSchema !== undefined ? { baselineSchema: options.baselineSchema } : {}),
        ...(rows !== undefined ? { rows } : {}),
      });
      io.out(
        options.json === true
          ? `${JSON.stringify(report, null, 2)}\n`
          : `${driftText(report.findings)}${report.failingRows ? failingRowsText(report.failingRows, rows!) : ''}`,
      );
      if (failsAt(report.findings, failOn)) throw new ExitCode(DRIFT_EXIT);
    });
};

async function runDrift(
  io: CliIo,
  first: string,
  second: string | undefined,
  options: { key: string[]; baselineSchema?: string; rows?: number },
): Promise<DriftReport> {
  let baseline: string | undefined;
  let current: string;
  if (second === undefined) {
    if (options.baselineSchema === undefined)
      throw new InvalidInputError(
        'drift needs BASELINE and CURRENT datasets, or --baseline-schema FILE and CURRENT',
      );
    current = first;
  } else {
    baseline = first;
    current = second;
  }
  const baselineSchema =
    options.baselineSchema === undefined
      ? undefined
      : await loadSchemaFile(resolve(io.cwd, options.baselineSchema));
  // Loaded on use: building the program for another command must not load DuckDB.
  const { DuckdbDataEngine } = await import('../../adapters/duckdb/index.js');
  const engine = new DuckdbDataEngine();
  try {
    return await driftReport(
      engine,
      baseline === undefined ? undefined : resolve(io.cwd, baseline),
      resolve(io.cwd, current),
      {
        keys: options.key,
        ...(baselineSchema ? { baselineSchema } : {}),
        ...(options.rows !== undefined ? { rows: options.rows } : {}),
      },
    );
  } finally {
    await engine.close();
  }
}

/** The readable form: one row per finding, or a line saying there is none. */
export function driftText(findings: Finding[]): string {
  if (findings.length === 0) return 'no drift: 0 findings\n';
  const rows = findings.map((f) => [f.kind, f.column, f.severity, f.compatible ? 'yes' : 'no', f.message]);
  const counts = (['error', 'warning', 'info'] as const)
    .map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`)
    .join(', ');
  return `${textTable(['KIND', 'COLUMN', 'SEVERITY', 'COMPATIBLE', 'DETAIL'], rows)}${plural(findings.length, 'finding')} (${counts})\n`;
}

/** The failing rows, one line each: position, key values, reasons. */
export function failingRowsText(rows: readonly FailingRow[], limit: number): string {
  if (rows.length === 0) return 'failing rows: none\n';
  const lines = rows.map((r) => {
    const key = r.key
      ? ` ${Object.entries(r.key)
          .map(([k, v]) => `${k}=${v ?? 'null'}`)
          .join(' ')}`
      : '';
    return `  row ${r.row}${key}: ${r.reasons.join('; ')}`;
  });
  return `failing rows (first ${rows.length}${rows.length === limit ? `, limit ${limit}` : ''}):\n${lines.join('\n')}\n`;
}

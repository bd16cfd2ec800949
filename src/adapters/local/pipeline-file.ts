// The pipeline file (YAML): sources with their contracts, a DuckDB SQL transform, a Parquet target
// and the authority healer acts under. Parsed with `yaml`, validated with zod `.strict()`; every
// error names the file, the line and the key.

import { basename, dirname, resolve } from 'node:path';
import { isMap, isNode, isPair, isScalar, LineCounter, type parseDocument } from 'yaml';
import { z } from 'zod';
import { ACTIONS } from '../../core/action.js';
import {
  type Authority,
  authoritySchema,
  autonomyThresholdsSchema,
  budgetsSchema,
  MODES,
} from '../../core/authority.js';
import { type DatasetContract, qualityThresholdsSchema } from '../../core/contract.js';
import { ConfigError } from '../../core/errors.js';
import { FAILURE_FAMILIES } from '../../core/failure-family.js';
import { type ReadOptions, readOptionsSchema } from '../../core/read-options.js';
import {
  deferBoundsSchema,
  RESOURCE_HARD_LIMITS,
  type ResourceSettings,
  resourceCapsSchema,
} from '../../core/resources.js';
import { SCALAR_TYPES, type TableSchema } from '../../core/schema.js';
import { declaredRoots, resolveInsideRoots } from './path-roots.js';
import { boundedToJs, parseBoundedYaml, readBoundedText } from './yaml-limits.js';

/** The logical types a contract column may declare. */
export const CONTRACT_TYPES = SCALAR_TYPES;

const columnSchema = z.object({ type: z.enum(CONTRACT_TYPES), nullable: z.boolean().default(true) }).strict();

const contractSchema = z
  .object({
    columns: z.record(z.string().min(1), columnSchema),
    keys: z.array(z.string().min(1)).default([]),
    quality: qualityThresholdsSchema.default({}),
    protected: z.boolean().default(false),
    freshnessColumn: z.string().min(1).optional(),
    /** The input is stale (not ready) when its newest file is older than this: `defer` waits for it. */
    maxAgeMinutes: z.number().positive().optional(),
  })
  .strict();

/** What the transform's DuckDB runs with (see docs/resources.md); absent keys: DuckDB's defaults. */
const resourcesSchema = z
  .object({
    /** DuckDB `memory_limit`, in MB. */
    memoryMb: z.number().int().min(1).max(RESOURCE_HARD_LIMITS.maxMemoryMb).optional(),
    /** DuckDB `threads`. */
    threads: z.number().int().min(1).max(RESOURCE_HARD_LIMITS.maxThreads).optional(),
    /** Spill to the state folder's `tmp/` (`temp_directory`) when memory runs out; off: fail instead. */
    spill: z.boolean().default(true),
  })
  .strict();

const sourceSchema = z
  .object({
    path: z.string().min(1),
    format: z.enum(['csv', 'parquet', 'json', 'ndjson']).optional(),
    read: readOptionsSchema.optional(),
    contract: contractSchema.optional(),
  })
  .strict();

const pipelineSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'letters, digits, _ . - (max 128)'),
    description: z.string().optional(),
    /** Folders sources and the target may resolve into; default the pipeline's folder. */
    roots: z.array(z.string().min(1)).max(32).optional(),
    sources: z.record(z.string().min(1).max(128), sourceSchema).refine((s) => Object.keys(s).length > 0, {
      message: 'at least one source',
    }),
    transform: z.string().min(1),
    target: z.object({ path: z.string().min(1), name: z.string().min(1).optional() }).strict(),
    authority: z
      .object({
        allowedActions: z.array(z.enum(ACTIONS)).optional(),
        protectedDatasets: z.array(z.string().min(1)).optional(),
        mode: z.enum(MODES).optional(),
        modeByFamily: z.partialRecord(z.enum(FAILURE_FAMILIES), z.enum(MODES)).optional(),
        budgets: budgetsSchema.partial().strict().optional(),
        approvalExpiryHours: z
          .number()
          .positive()
          .max(24 * 30)
          .optional(),
        autonomy: autonomyThresholdsSchema.optional(),
        resources: resourceCapsSchema.optional(),
        defer: deferBoundsSchema.partial().strict().optional(),
      })
      .strict()
      .default({}),
    resources: resourcesSchema.optional(),
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(10).default(3),
        baseDelayMs: z.number().int().min(0).max(600_000).default(200),
        maxDelayMs: z.number().int().min(0).max(3_600_000).default(5_000),
      })
      .strict()
      .default({ maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5_000 }),
  })
  .strict();

type RawPipeline = z.infer<typeof pipelineSchema>;

/** One source of a pipeline, paths resolved. */
export interface SourceSpec {
  name: string;
  /** Absolute path or glob. */
  location: string;
  format?: 'csv' | 'parquet' | 'json' | 'ndjson';
  /** How a text source is read (see read-options). */
  read?: ReadOptions;
  contract?: DatasetContract;
  /** The input is not ready while its newest file is older than this (contract `maxAgeMinutes`). */
  maxAgeMinutes?: number;
}

/** What the transform runs with: DuckDB `memory_limit` (MB), `threads`, and spilling to disk. */
export interface RunResources extends Pick<ResourceSettings, 'memoryMb' | 'threads'> {
  spill: boolean;
}

/** Retry settings: exponential backoff with full jitter. */
export interface RetrySpec {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** A validated pipeline, every path absolute. */
export interface PipelineSpec {
  name: string;
  file: string;
  /** Folder of the pipeline file: relative paths resolve against it. */
  dir: string;
  sources: SourceSpec[];
  transform: string;
  target: { name: string; location: string };
  authority: Authority;
  retry: RetrySpec;
  /** Folders the pipeline may read and write under (its own folder unless `roots:` widens it). */
  roots?: string[];
  /** The pipeline's own resource settings (`resources:`); healer's kept settings may raise them. */
  resources?: RunResources;
}

/** Parses pipeline YAML text; `file` is used for messages and to resolve relative paths. */
export function parsePipeline(text: string, file: string): PipelineSpec {
  const where = basename(file);
  const lineCounter = new LineCounter();
  const doc = parseBoundedYaml(text, file, lineCounter);
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = lineCounter.linePos(yamlError.pos[0]).line;
    throw new ConfigError(`${where}:${line}: ${yamlError.message.split('\n')[0]}`, {
      context: { file, line },
    });
  }
  const result = pipelineSchema.safeParse(boundedToJs(doc, file));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    let keyPath = [...path];
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      keyPath = [...path, key];
      message = `unknown key (allowed: ${allowedKeys(path) ?? 'see docs/embedded-runtime.md'})`;
    }
    const line = lineOf(doc, lineCounter, keyPath);
    const key = keyPath.length ? keyPath.join('.') : '(root)';
    throw new ConfigError(`${where}:${line}: ${key}: ${message}`, { context: { file, line, key } });
  }
  return toSpec(result.data, file, doc, lineCounter);
}

/** Reads and parses a pipeline file. */
export async function loadPipelineFile(file: string): Promise<PipelineSpec> {
  return parsePipeline(await readBoundedText(file), resolve(file));
}

function allowedKeys(path: (string | number)[]): string | undefined {
  let schema: z.ZodType = pipelineSchema;
  for (const p of path) {
    const unwrapped = unwrap(schema);
    if (unwrapped instanceof z.ZodObject) schema = unwrapped.shape[String(p)] as z.ZodType;
    else if (unwrapped instanceof z.ZodRecord) schema = unwrapped.valueType as z.ZodType;
    else return undefined;
    if (!schema) return undefined;
  }
  const last = unwrap(schema);
  return last instanceof z.ZodObject ? Object.keys(last.shape).join(', ') : undefined;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 5; i++) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else break;
  }
  return s;
}

type Doc = ReturnType<typeof parseDocument>;

/** The 1-based line of the deepest node on `path` that exists (the key itself when found). */
function lineOf(doc: Doc, counter: LineCounter, path: (string | number)[]): number {
  let node: unknown = doc.contents;
  let offset = isNode(node) && node.range ? node.range[0] : 0;
  for (const p of path) {
    if (!isMap(node) && !(node && typeof node === 'object' && 'items' in node)) break;
    const items = (node as { items: unknown[] }).items;
    let next: unknown;
    if (isMap(node)) {
      const pair = items.find((i) => isPair(i) && isScalar(i.key) && String(i.key.value) === String(p));
      if (!pair || !isPair(pair)) break;
      if (isNode(pair.key) && pair.key.range) offset = pair.key.range[0];
      next = pair.value;
    } else {
      next = items[Number(p)];
      if (isNode(next) && next.range) offset = next.range[0];
    }
    node = next;
  }
  return counter.linePos(offset).line;
}

function toSpec(raw: RawPipeline, file: string, doc: Doc, counter: LineCounter): PipelineSpec {
  const dir = dirname(file);
  const where = basename(file);
  const at = (path: (string | number)[], key: string, message: string) =>
    new ConfigError(`${where}:${lineOf(doc, counter, path)}: ${key}: ${message}`, { context: { file, key } });
  const roots = declaredRoots(dir, raw.roots);
  const sources: SourceSpec[] = Object.entries(raw.sources).map(([name, s]) => {
    const location = resolveInsideRoots(dir, roots, s.path, {
      file,
      where: `${where}:${lineOf(doc, counter, ['sources', name, 'path'])}`,
      key: `sources.${name}.path`,
    });
    const spec: SourceSpec = { name, location };
    if (s.format) spec.format = s.format;
    if (s.read) spec.read = s.read;
    if (s.contract) {
      const columns = Object.keys(s.contract.columns);
      for (const [i, k] of s.contract.keys.entries())
        if (!columns.includes(k))
          throw at(
            ['sources', name, 'contract', 'keys', i],
            `sources.${name}.contract.keys.${i}`,
            `${k} is not a contract column`,
          );
      for (const c of Object.keys(s.contract.quality.maxNullRate ?? {}))
        if (!columns.includes(c))
          throw at(
            ['sources', name, 'contract', 'quality', 'maxNullRate', c],
            `sources.${name}.contract.quality.maxNullRate.${c}`,
            'not a contract column',
          );
      const schema: TableSchema = {
        name,
        fields: Object.entries(s.contract.columns).map(([path, c]) => ({
          path,
          type: c.type,
          rawType: c.type,
          nullable: c.nullable,
        })),
      };
      spec.contract = {
        dataset: name,
        schema,
        keys: s.contract.keys,
        quality: s.contract.quality,
        protected: s.contract.protected,
        ...(s.contract.freshnessColumn ? { freshnessColumn: s.contract.freshnessColumn } : {}),
      };
      if (s.contract.maxAgeMinutes !== undefined) spec.maxAgeMinutes = s.contract.maxAgeMinutes;
    }
    return spec;
  });
  const targetName = raw.target.name ?? raw.name;
  if (sources.some((s) => s.name === targetName))
    throw at(['target'], 'target.name', `${targetName} is also a source name`);
  const protectedDatasets = [
    ...new Set([
      ...(raw.authority.protectedDatasets ?? []),
      ...sources.filter((s) => s.contract?.protected).map((s) => s.name),
    ]),
  ];
  const authority = authoritySchema.parse({
    ...(raw.authority.allowedActions ? { allowedActions: raw.authority.allowedActions } : {}),
    protectedDatasets,
    ...(raw.authority.mode ? { mode: raw.authority.mode } : {}),
    ...(raw.authority.modeByFamily ? { modeByFamily: raw.authority.modeByFamily } : {}),
    budgets: budgetsSchema.parse(raw.authority.budgets ?? {}),
    ...(raw.authority.approvalExpiryHours === undefined
      ? {}
      : { approvalExpiryHours: raw.authority.approvalExpiryHours }),
    ...(raw.authority.autonomy ? { autonomy: raw.authority.autonomy } : {}),
    ...(raw.authority.resources ? { resources: raw.authority.resources } : {}),
    ...(raw.authority.defer ? { defer: deferBoundsSchema.parse(raw.authority.defer) } : {}),
  });
  return {
    name: raw.name,
    file,
    dir,
    sources,
    transform: raw.transform,
    target: {
      name: targetName,
      location: resolveInsideRoots(dir, roots, raw.target.path, {
        file,
        where: `${where}:${lineOf(doc, counter, ['target', 'path'])}`,
        key: 'target.path',
      }),
    },
    authority,
    retry: raw.retry,
    roots,
    ...(raw.resources ? { resources: raw.resources } : {}),
  };
}

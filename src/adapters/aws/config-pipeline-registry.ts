// Pipeline declarations for the AWS runtime: per Glue job, the datasets it reads (S3 location,
// catalog table, contract) and its authority, from JSON (an environment variable or an S3 object),
// validated with zod. A job with no declaration gets an escalate-only authority.

import { S3 } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { type Authority, authoritySchema, MODES, type Mode } from '../../core/authority.js';
import { qualityThresholdsSchema } from '../../core/contract.js';
import { ConfigError } from '../../core/errors.js';
import { schemaFieldInput } from '../../core/schema.js';
import type { PipelineDescription, PipelineRegistry } from '../../ports.js';
import { awsCall } from './aws-errors.js';
import { parseS3Uri } from './s3-uri.js';

const fieldSchema = schemaFieldInput;

const contractSchema = z
  .object({
    fields: z.array(fieldSchema).min(1),
    keys: z.array(z.string().min(1)).default([]),
    quality: qualityThresholdsSchema.default({}),
    protected: z.boolean().default(false),
    freshnessColumn: z.string().optional(),
  })
  .strict();

const datasetSchema = z
  .object({
    /** Dataset name; also the Glue table (`table` or `db.table`) unless `table` is given. */
    dataset: z.string().min(1),
    /** s3:// URI (prefix or object) of the current input. */
    location: z.string().min(1),
    baselineLocation: z.string().min(1).optional(),
    table: z.string().min(1).optional(),
    contract: contractSchema.optional(),
  })
  .strict();

export const pipelineRegistryConfigSchema = z
  .object({
    pipelines: z.record(
      z.string().min(1),
      z.object({ datasets: z.array(datasetSchema).default([]), authority: authoritySchema }).strict(),
    ),
  })
  .strict();
export type PipelineRegistryConfig = z.infer<typeof pipelineRegistryConfigSchema>;

const RANK: Record<Mode, number> = { shadow: 0, supervised: 1, autonomous: 2 };

/** The more conservative of two modes: a deployment-wide mode caps every pipeline's own. */
export function capMode(a: Mode, b: Mode): Mode {
  return RANK[a] <= RANK[b] ? a : b;
}

/** Parses registry JSON text, naming the key that is wrong. */
export function parsePipelineRegistryConfig(text: string, where: string): PipelineRegistryConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${where}: not valid JSON: ${(error as Error).message}`);
  }
  const result = pipelineRegistryConfigSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`${where}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`, {
      context: { where, key: issue?.path.join('.') },
    });
  }
  return result.data;
}

/**
 * PipelineRegistry over a validated config.
 *
 * @example
 * const registry = new ConfigPipelineRegistry(parsePipelineRegistryConfig(process.env.HEALER_PIPELINES!, 'HEALER_PIPELINES'), 'supervised');
 */
export class ConfigPipelineRegistry implements PipelineRegistry {
  constructor(
    private readonly config: PipelineRegistryConfig,
    /** Deployment-wide mode ceiling (HEALER_MODE). */
    private readonly modeCap: Mode = 'autonomous',
  ) {}

  /** Dataset → Glue table, for the catalog and the remediator. */
  tables(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const p of Object.values(this.config.pipelines))
      for (const d of p.datasets) if (d.table) out[d.dataset] = d.table;
    return out;
  }

  async describe(pipeline: string): Promise<PipelineDescription> {
    const declared = this.config.pipelines[pipeline];
    if (!declared) {
      // Undeclared jobs still reach a human, but nothing is ever done to them automatically.
      const authority: Authority = authoritySchema.parse({ allowedActions: [], mode: this.modeCap });
      return { name: pipeline, datasets: [], authority };
    }
    const authority: Authority = {
      ...declared.authority,
      mode: capMode(declared.authority.mode, this.modeCap),
      modeByFamily: Object.fromEntries(
        Object.entries(declared.authority.modeByFamily).map(([k, m]) => [k, capMode(m, this.modeCap)]),
      ),
    };
    return {
      name: pipeline,
      authority,
      datasets: declared.datasets.map((d) => ({
        dataset: d.dataset,
        location: d.location,
        baselineLocation: d.baselineLocation,
        contract: d.contract && {
          dataset: d.dataset,
          schema: {
            name: d.dataset,
            fields: d.contract.fields.map((f) => ({ ...f, rawType: f.rawType ?? f.type })),
          },
          keys: d.contract.keys,
          quality: d.contract.quality,
          protected: d.contract.protected,
          freshnessColumn: d.contract.freshnessColumn,
        },
      })),
    };
  }
}

/** Loads the registry config from JSON text or an s3:// object (exactly one must be given). */
export async function loadPipelineRegistryConfig(source: {
  json?: string;
  uri?: string;
  s3?: Pick<S3, 'getObject'>;
}): Promise<PipelineRegistryConfig> {
  if (source.json) return parsePipelineRegistryConfig(source.json, 'HEALER_PIPELINES');
  if (source.uri) {
    const { bucket, key } = parseS3Uri(source.uri, 'HEALER_PIPELINES_URI');
    const s3 = source.s3 ?? new S3({});
    const got = await awsCall('s3:GetObject', source.uri, () => s3.getObject({ Bucket: bucket, Key: key }));
    return parsePipelineRegistryConfig((await got.Body?.transformToString()) ?? '', source.uri);
  }
  return { pipelines: {} };
}

export { MODES };

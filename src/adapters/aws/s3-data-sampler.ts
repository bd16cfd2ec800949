// A bounded sample of S3 data, profiled in-process: the first objects under a prefix (ranged
// GetObject for line formats, whole objects for Parquet up to a size limit) are written to a temp
// directory and handed to the injected DataEngine (DuckDB, composed in the environment), which
// profiles at most `sampleRows` of them (HEALER_SAMPLE_ROWS) and measures the bad rows on them as
// the core defines them; a measurement over less than the whole input says it was sampled.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { S3 } from '@aws-sdk/client-s3';
import { InvalidInputError } from '../../core/errors.js';
import type { DatasetProfile } from '../../core/profile.js';
import type { TableSchema } from '../../core/schema.js';
import type { DataEngine } from '../../ports.js';
import { awsCall } from './aws-errors.js';
import { parseS3Uri } from './s3-uri.js';

/** The S3 calls the sampler uses. */
export type S3SamplerClientLike = Pick<S3, 'listObjectsV2' | 'getObject'>;

export interface S3DataSamplerOptions {
  s3?: S3SamplerClientLike;
  /** The in-process engine that profiles local files (DuckdbDataEngine). */
  engine: DataEngine;
  /** Max objects sampled under a prefix. Default 4. */
  maxObjects?: number;
  /** Max bytes read per object (line formats are cut at the last full line). Default 8 MiB. */
  maxBytesPerObject?: number;
  /** Rows profiled (a seeded reservoir sample of the downloaded rows) when the caller names none. */
  sampleRows?: number;
}

type ProfileOptions = Parameters<DataEngine['profile']>[1];

/** The downloaded files, and whether they hold less than everything under the location. */
interface LocalSample {
  path: string;
  partial: boolean;
}

const LINE_FORMATS = new Set(['.csv', '.tsv', '.json', '.ndjson', '.jsonl', '.txt']);
const KNOWN = new Set([...LINE_FORMATS, '.parquet']);

/**
 * DataEngine for `s3://` locations; local paths go straight to the wrapped engine.
 *
 * @example
 * const data = new S3DataSampler({ engine: new DuckdbDataEngine() });
 * const profile = await data.profile('s3://lake/orders/2026-11-22/');
 */
export class S3DataSampler implements DataEngine {
  private readonly s3: S3SamplerClientLike;
  private readonly engine: DataEngine;
  private readonly maxObjects: number;
  private readonly maxBytes: number;
  private readonly sampleRows: number | undefined;

  constructor(options: S3DataSamplerOptions) {
    this.s3 = options.s3 ?? new S3({});
    this.engine = options.engine;
    this.maxObjects = options.maxObjects ?? 4;
    this.maxBytes = options.maxBytesPerObject ?? 8 * 1024 * 1024;
    this.sampleRows = options.sampleRows;
  }

  inferSchema(location: string, name: string): Promise<TableSchema> {
    return this.withLocal(location, ({ path }) => this.engine.inferSchema(path, name));
  }

  profile(location: string, options?: ProfileOptions): Promise<DatasetProfile> {
    return this.withLocal(location, async (sample) =>
      this.sampledProfile(location, sample, await this.engine.profile(sample.path, this.bounded(options))),
    );
  }

  /** Schema and profile from one download and, where the engine can, one read of it. */
  inspect(
    location: string,
    name: string,
    options?: ProfileOptions,
  ): Promise<{ schema: TableSchema; profile: DatasetProfile }> {
    return this.withLocal(location, async (sample) => {
      const bounded = this.bounded(options);
      const { schema, profile } = this.engine.inspect
        ? await this.engine.inspect(sample.path, name, bounded)
        : {
            schema: await this.engine.inferSchema(sample.path, name),
            profile: await this.engine.profile(sample.path, bounded),
          };
      return { schema, profile: this.sampledProfile(location, sample, profile) };
    });
  }

  private bounded(options: ProfileOptions): ProfileOptions {
    const sampleRows = options?.sampleRows ?? this.sampleRows;
    return sampleRows === undefined ? options : { ...options, sampleRows };
  }

  /** The profile names the S3 location; its bad-row share is a sample's when the download was cut. */
  private sampledProfile(location: string, sample: LocalSample, profile: DatasetProfile): DatasetProfile {
    const badRows =
      profile.badRows && sample.partial ? { ...profile.badRows, sampled: true } : profile.badRows;
    return { ...profile, source: location, ...(badRows ? { badRows } : {}) };
  }

  private async withLocal<T>(location: string, use: (sample: LocalSample) => Promise<T>): Promise<T> {
    if (!location.startsWith('s3://')) return use({ path: location, partial: false });
    const dir = await mkdtemp(join(tmpdir(), 'healer-s3-'));
    try {
      const { files, partial } = await this.download(location, dir);
      const ext = extname(files[0]!);
      return await use({ path: files.length === 1 ? files[0]! : join(dir, `*${ext}`), partial });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Downloads a bounded sample; every file gets the extension of the first (one format per sample). */
  private async download(location: string, dir: string): Promise<{ files: string[]; partial: boolean }> {
    const { bucket, key } = parseS3Uri(location);
    const listed = await awsCall('s3:ListObjectsV2', location, () =>
      this.s3.listObjectsV2({ Bucket: bucket, Prefix: key, MaxKeys: 1000 }),
    );
    const objects = (listed.Contents ?? [])
      .filter((o) => o.Key && !o.Key.endsWith('/') && !/(^|\/)[_.]/.test(o.Key.slice(key.length)))
      .filter((o) => KNOWN.has(extname(o.Key!).toLowerCase()))
      .sort((a, b) => a.Key!.localeCompare(b.Key!));
    if (!objects.length) throw new InvalidInputError(`${location}: no CSV, JSON or Parquet objects found`);
    const ext = extname(objects[0]!.Key!).toLowerCase();
    const files: string[] = [];
    const sameFormat = objects.filter((o) => extname(o.Key!).toLowerCase() === ext);
    let partial = sameFormat.length > this.maxObjects || Boolean(listed.IsTruncated);
    for (const object of sameFormat.slice(0, this.maxObjects)) {
      const line = LINE_FORMATS.has(ext);
      // Parquet needs its footer: read whole objects only, and skip those over the byte bound.
      if (!line && (object.Size ?? 0) > this.maxBytes) {
        partial = true;
        continue;
      }
      const got = await awsCall('s3:GetObject', `s3://${bucket}/${object.Key}`, () =>
        this.s3.getObject({
          Bucket: bucket,
          Key: object.Key!,
          Range: line ? `bytes=0-${this.maxBytes - 1}` : undefined,
        }),
      );
      let bytes = (await got.Body?.transformToByteArray()) ?? new Uint8Array();
      if (line && (object.Size ?? 0) > bytes.length) {
        partial = true;
        const lastNewline = bytes.lastIndexOf(10);
        if (lastNewline > 0) bytes = bytes.subarray(0, lastNewline + 1);
      }
      const file = join(dir, `part-${String(files.length).padStart(4, '0')}${ext}`);
      await writeFile(file, bytes);
      files.push(file);
    }
    if (!files.length)
      throw new InvalidInputError(
        `${location}: every Parquet object is over the ${this.maxBytes}-byte sample bound`,
      );
    return { files, partial };
  }
}

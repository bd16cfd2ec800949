// Measures each dataset version once: a DataEngine decorator that reuses a schema or profile while
// the data's fingerprint is unchanged. An incident storm (thousands of failures over the same few
// inputs) then pays for one DuckDB measurement per input version, not one per event.

import { canonicalJson } from './core/audit-chain.js';
import type { DatasetProfile } from './core/profile.js';
import type { TableSchema } from './core/schema.js';
import type { DataEngine } from './ports.js';

export interface EvidenceCacheOptions {
  /** Measurements kept (least recently used dropped first). Default 256. */
  maxEntries?: number;
  /**
   * How long one fingerprint of a location is trusted, ms. Default 0: every call stats the files.
   * A storm batch sets a few seconds so thousands of events share one look at the disk.
   */
  fingerprintTtlMs?: number;
  now?: () => number;
}

/** Cache statistics, for the storm benchmark and tests. */
export interface EvidenceCacheStats {
  hits: number;
  misses: number;
  /** Locations that could not be fingerprinted (always measured). */
  uncached: number;
}

/**
 * Wraps a DataEngine. Without `fingerprint` on the engine it is a pass-through.
 *
 * @example
 * const data = new CachingDataEngine(new DuckdbDataEngine());
 * await data.profile('in/orders.csv', { keys: ['order_id'] }); // measured
 * await data.profile('in/orders.csv', { keys: ['order_id'] }); // reused while the file is unchanged
 */
export class CachingDataEngine implements DataEngine {
  readonly stats: EvidenceCacheStats = { hits: 0, misses: 0, uncached: 0 };
  /** What reading the input establishes, once per version; present when the wrapped engine has it. */
  readonly readFacts?: NonNullable<DataEngine['readFacts']>;
  /** Rows failing checks, once per version and question; present when the wrapped engine has it. */
  readonly failingRows?: NonNullable<DataEngine['failingRows']>;
  private readonly entries = new Map<string, Promise<unknown>>();
  private readonly prints = new Map<string, { at: number; value: Promise<string | undefined> }>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly engine: DataEngine,
    options: EvidenceCacheOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 256;
    this.ttlMs = options.fingerprintTtlMs ?? 0;
    this.now = options.now ?? Date.now;
    // Optional in the port: offered exactly when the wrapped engine offers them, so callers that
    // test for them (the evidence, an escalation's examples) behave as they would without the cache.
    const { readFacts, failingRows } = engine;
    if (readFacts)
      this.readFacts = (location, spec) =>
        this.memo(location, `facts\0${canonicalJson(spec ?? {})}`, () =>
          readFacts.call(engine, location, spec),
        );
    if (failingRows)
      this.failingRows = (location, checks, options) =>
        this.memo(location, `failing\0${canonicalJson({ checks, options })}`, () =>
          failingRows.call(engine, location, checks, options),
        ).then((rows) => rows.map((r) => ({ ...r }))); // each escalation gets rows of its own
  }

  fingerprint(location: string): Promise<string | undefined> {
    if (!this.engine.fingerprint) return Promise.resolve(undefined);
    const t = this.now();
    const known = this.prints.get(location);
    // A TTL of 0 stats every time (not "within the same millisecond": a file rewritten since is seen).
    if (known && this.ttlMs > 0 && t - known.at <= this.ttlMs) return known.value;
    const value = this.engine.fingerprint(location);
    this.prints.set(location, { at: t, value });
    return value;
  }

  inferSchema(
    location: string,
    name: string,
    spec?: Parameters<DataEngine['inferSchema']>[2],
  ): Promise<TableSchema> {
    return this.memo(location, `schema\0${name}\0${canonicalJson(spec ?? {})}`, () =>
      this.engine.inferSchema(location, name, spec),
    );
  }

  profile(location: string, options?: Parameters<DataEngine['profile']>[1]): Promise<DatasetProfile> {
    return this.memo(location, `profile\0${canonicalJson(options ?? {})}`, () =>
      this.engine.profile(location, options),
    );
  }

  /**
   * The schema and the profile from one read when the engine can (memoized like `profile`); else
   * both asked of the cache separately.
   */
  inspect(
    location: string,
    name: string,
    options?: Parameters<DataEngine['profile']>[1],
  ): Promise<{ schema: TableSchema; profile: DatasetProfile }> {
    const engine = this.engine;
    if (!engine.inspect)
      return (async () => ({
        schema: await this.inferSchema(location, name, {
          ...(options?.read ? { read: options.read } : {}),
          ...(options?.expected ? { expected: options.expected } : {}),
        }),
        profile: await this.profile(location, options),
      }))();
    return this.memo(location, `inspect\0${name}\0${canonicalJson(options ?? {})}`, () =>
      engine.inspect!(location, name, options),
    );
  }

  private async memo<T>(location: string, what: string, measure: () => Promise<T>): Promise<T> {
    const print = await this.fingerprint(location).catch(() => undefined);
    if (print === undefined) {
      this.stats.uncached++;
      return measure();
    }
    const key = `${location}\0${print}\0${what}`;
    const cached = this.entries.get(key);
    if (cached) {
      this.stats.hits++;
      // Re-insert: the Map's order is the recency order.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached as Promise<T>;
    }
    this.stats.misses++;
    const pending = measure();
    this.entries.set(key, pending);
    // A failed measurement is not remembered: the next event measures again.
    pending.catch(() => this.entries.delete(key));
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return pending;
  }
}

// The evidence cache passes every optional measurement of the wrapped engine through: read facts
// and failing rows are measured once per input version (real DuckDB on real files), and an engine
// without them yields a cache without them, so callers behave as they would without the cache.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckdbDataEngine } from '../src/adapters/duckdb/duckdb-data-engine.js';
import { CachingDataEngine } from '../src/evidence-cache.js';
import type { DataEngine } from '../src/ports.js';

// Four orders, one without an amount.
const CSV = 'order_id,amount\n1,12.5\n2,8.0\n3,\n4,3.25\n';

describe('CachingDataEngine passes readFacts and failingRows through', () => {
  it('measures read facts and failing rows once per file version', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-cache-'));
    const file = join(dir, 'orders.csv');
    await writeFile(file, CSV);
    const engine = new DuckdbDataEngine();
    const cache = new CachingDataEngine(engine);
    try {
      expect(cache.readFacts).toBeTypeOf('function');
      const first = await cache.readFacts!(file);
      expect(first).toEqual(await engine.readFacts(file));
      expect(await cache.readFacts!(file)).toEqual(first);
      expect(cache.stats).toMatchObject({ hits: 1, misses: 1 });

      const checks = [{ rule: 'not_null' as const, column: 'amount' }];
      const direct = await engine.failingRows(file, checks, { keys: ['order_id'], limit: 5 });
      expect(direct.length).toBeGreaterThan(0);
      expect(await cache.failingRows!(file, checks, { keys: ['order_id'], limit: 5 })).toEqual(direct);
      expect(await cache.failingRows!(file, checks, { keys: ['order_id'], limit: 5 })).toEqual(direct);
      expect(cache.stats).toMatchObject({ hits: 2, misses: 2 });

      // A new version of the file is measured again.
      await writeFile(file, `${CSV}5,\n`);
      const again = await cache.readFacts!(file);
      expect(again.rows).toBe(first.rows + 1);
      expect(cache.stats.misses).toBe(3);
    } finally {
      await engine.close();
    }
  });

  it('offers neither when the wrapped engine has neither', () => {
    const bare: DataEngine = {
      inferSchema: async () => ({ name: 'x', fields: [] }),
      profile: async () => ({ source: 'x', format: 'csv', rowCount: 0, columns: [] }),
    };
    const cache = new CachingDataEngine(bare);
    expect(cache.readFacts).toBeUndefined();
    expect(cache.failingRows).toBeUndefined();
  });
});

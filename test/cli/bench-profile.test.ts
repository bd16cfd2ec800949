// `healer bench-profile` on a small generated input (the ratios are the benchmark's business, not a
// test's): the JSON shape of both formats, and bad options. The profile runs as `bin/healer.js`, a
// separate process on the compiled CLI (`npm run build`).

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const built = existsSync(resolve(import.meta.dirname, '../../dist/cli/main.js'));

describe('healer bench-profile', () => {
  it.skipIf(!built)(
    '--json: the last line has rows and, per format, both times and their ratio',
    async () => {
      const io = memoryIo();
      expect(await main(['bench-profile', '--rows', '1000', '--trials', '1', '--json'], io)).toBe(0);
      const last = JSON.parse(io.stdout.trim().split('\n').at(-1) ?? '');
      expect(Object.keys(last)).toEqual(['rows', 'csv', 'parquet']);
      expect(last.rows).toBe(1000);
      for (const format of ['csv', 'parquet']) {
        expect(Object.keys(last[format])).toEqual(['profile_seconds', 'summarize_seconds', 'ratio']);
        expect(last[format].profile_seconds).toBeGreaterThan(0);
        expect(last[format].ratio).toBeCloseTo(
          last[format].profile_seconds / last[format].summarize_seconds,
          1,
        );
      }
    },
    120_000,
  );

  it('rejects bad options with a one-line error and exit 2', async () => {
    for (const args of [
      ['--rows', '12'],
      ['--trials', '0'],
    ]) {
      const io = memoryIo();
      expect(await main(['bench-profile', ...args], io)).toBe(2);
      expect(io.stderr.trim().split('\n')).toHaveLength(1);
      expect(io.stderr).toContain(args[0]);
    }
  });
});

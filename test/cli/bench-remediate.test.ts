// `healer bench-remediate` on a small generated input (the figures themselves are the benchmark's
// business, not a test's): the JSON shape, the row accounting of both read paths, and bad options.

import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

describe('healer bench-remediate', () => {
  it('--json: the last line has rows, both times and their ratio', async () => {
    const io = memoryIo();
    expect(await main(['bench-remediate', '--rows', '2000', '--trials', '1', '--json'], io)).toBe(0);
    const last = JSON.parse(io.stdout.trim().split('\n').at(-1) ?? '');
    expect(Object.keys(last)).toEqual(['rows', 'remediate_seconds', 'baseline_seconds', 'ratio']);
    expect(last.rows).toBe(2000);
    expect(last.remediate_seconds).toBeGreaterThan(0);
    expect(last.ratio).toBeCloseTo(last.remediate_seconds / last.baseline_seconds, 1);
  }, 60_000);

  it('accounts every row on the typed path (nulls) and on the text path (a word in a number column)', async () => {
    for (const [bad, read, reason] of [
      ['nulls', 'typed read', 'amount: null in a required column'],
      ['text', 'text read', 'amount: n/a is not a valid double'],
    ]) {
      const io = memoryIo();
      expect(await main(['bench-remediate', '--rows', '2000', '--trials', '1', '--bad', bad ?? ''], io)).toBe(
        0,
      );
      // 0.5% of 2,000 rows are bad: 10 quarantined, 1,990 delivered.
      expect(io.stdout).toContain('{"rowsIn":2000,"rowsDelivered":1990,"rowsQuarantined":10}');
      expect(io.stdout).toContain(`(${read}); e.g. ${reason}`);
    }
  }, 60_000);

  it('rejects bad options with a one-line error and exit 2', async () => {
    for (const args of [
      ['--rows', '12'],
      ['--trials', '0'],
      ['--bad', 'zeros'],
    ]) {
      const io = memoryIo();
      expect(await main(['bench-remediate', ...args], io)).toBe(2);
      expect(io.stderr.trim().split('\n')).toHaveLength(1);
      expect(io.stderr).toContain(args[0]);
    }
  });
});

// `healer classify` in-process: the JSON contract, the readable summary, standard input, and a
// one-line error with exit 2 for a missing or unreadable file.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'healer-classify-'));
const logFile = join(dir, 'glue-run.log');
writeFileSync(
  logFile,
  [
    '24/05/01 10:00:00 INFO GlueContext: starting job orders-daily',
    'py4j.protocol.Py4JJavaError: An error occurred while calling o181.select.',
    ": org.apache.spark.sql.AnalysisException: cannot resolve '`amount`' given input columns: [order_id, amt];",
    '\tat org.apache.spark.sql.catalyst.analysis.package$AnalysisErrorAt.failAnalysis(package.scala:42)',
  ].join('\n'),
);

describe('healer classify', () => {
  it('--json prints exactly family, rule, confidence and line', async () => {
    const io = memoryIo();
    expect(await main(['classify', logFile, '--json'], io)).toBe(0);
    const out = JSON.parse(io.stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['family', 'rule', 'confidence', 'line']);
    expect(out).toMatchObject({ family: 'schema', rule: 'spark.analysis.unresolved_column' });
    expect(out.line).toBe(
      ": org.apache.spark.sql.AnalysisException: cannot resolve '`amount`' given input columns: [order_id, amt];",
    );
    expect(typeof out.confidence).toBe('number');
    expect(io.stderr).toBe('');
  });

  it('reads standard input for - and when no file is given', async () => {
    const text =
      'ERROR: An error occurred (ThrottlingException) when calling the StartJobRun operation: Rate exceeded';
    for (const argv of [
      ['classify', '-', '--json'],
      ['classify', '--json'],
    ]) {
      const io = memoryIo(text);
      expect(await main(argv, io)).toBe(0);
      expect(JSON.parse(io.stdout)).toMatchObject({ family: 'transient', rule: 'aws.throttling' });
    }
  });

  it('an unknown log is an honest answer, exit 0', async () => {
    const io = memoryIo('INFO all good\nWARN something odd but nothing known');
    expect(await main(['classify', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout)).toEqual({ family: 'unknown', rule: 'none', confidence: 0, line: '' });
  });

  it('without --json prints a readable summary', async () => {
    const io = memoryIo();
    expect(await main(['classify', logFile], io)).toBe(0);
    expect(io.stdout).toMatch(/^family {6}schema$/m);
    expect(io.stdout).toMatch(/^rule {8}spark\.analysis\.unresolved_column$/m);
    expect(io.stdout).toMatch(/^confidence {2}0\.\d\d$/m);
    expect(io.stdout).toMatch(/^meaning {5}a column is missing/m);
  });

  it.each([
    ['a missing file', join(dir, 'nope.log'), 'no such file'],
    ['a directory', dir, 'is a directory'],
  ])('%s -> one-line error naming the file, exit 2', async (_name, path, reason) => {
    const io = memoryIo();
    expect(await main(['classify', path, '--json'], io)).toBe(2);
    expect(io.stdout).toBe('');
    expect(io.stderr).toBe(`healer: E_INPUT: cannot read log file ${path}: ${reason}\n`);
  });
});

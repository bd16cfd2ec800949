// The CSV reader's decisions on real files and a real in-process DuckDB: the dialect comes from the
// header line (so a ragged data line cannot collapse the file into one column), values are judged
// by what they are, and engine errors name the file.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { csvDialect, readError, recordLines, splitRecord } from '../../../src/adapters/duckdb/csv-read.js';
import { DuckdbDataEngine } from '../../../src/adapters/duckdb/duckdb-data-engine.js';
import { strictValue, violationRule } from '../../../src/adapters/duckdb/strict-value.js';

describe('csv dialect from the header line', () => {
  it('splits quoted fields with doubled and escaped quotes', () => {
    expect(splitRecord('a,"b,c","say ""hi""",d', ',', '"', '"')).toEqual(['a', 'b,c', 'say "hi"', 'd']);
    expect(splitRecord('a;"b\\"c";d', ';', '"', '\\')).toEqual(['a', 'b"c', 'd']);
  });

  it('a ragged line and semicolons inside values do not change the delimiter or the columns', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-csv-'));
    const file = join(dir, 'airports.csv');
    // Real rows of data/airports.csv; one line has an extra field, one name holds a semicolon.
    await writeFile(
      file,
      'iata,name,city,state,country,latitude,longitude\n' +
        '00M,Thigpen,Bay Springs,MS,USA,31.95376472,-89.23450472\n' +
        '00R,"Livingston; Municipal",Livingston,TX,USA,30.68586111,-95.01792778,EXTRA\n' +
        '00V,Meadow Lake,Colorado Springs,CO,USA,38.94574889,-104.5698933\n',
    );
    const dialect = await csvDialect([file], {}, ['iata', 'name', 'city']);
    expect([dialect.delimiter, dialect.names]).toEqual([
      ',',
      ['iata', 'name', 'city', 'state', 'country', 'latitude', 'longitude'],
    ]);
    const engine = new DuckdbDataEngine();
    const facts = await engine.readFacts(file);
    const schema = await engine.inferSchema(file, 'airports');
    await engine.close();
    expect(facts).toMatchObject({
      rows: 2,
      malformedCount: 1,
      malformed: [{ line: 3, reason: 'TOO MANY COLUMNS' }],
    });
    expect(schema.fields.map((f) => `${f.path}:${f.type}`)).toEqual([
      'iata:string',
      'name:string',
      'city:string',
      'state:string',
      'country:string',
      'latitude:double',
      'longitude:double',
    ]);
  });

  it('record lines skip blank lines and follow quoted line breaks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-csv-'));
    const file = join(dir, 'notes.csv');
    await writeFile(file, 'id,note\n1,a\n\n2,"two\nlines"\n3,c\n');
    const dialect = await csvDialect([file]);
    expect([...(await recordLines(file, dialect, {}, [0, 1, 2])).entries()]).toEqual([
      [0, 2],
      [1, 4],
      [2, 6],
    ]);
  });

  it('an engine error names the file even when DuckDB names none', () => {
    const e = readError(
      new Error('Invalid Input Error: Error when sniffing file "".\nmore'),
      '/data/in.csv',
      'csv',
    );
    expect(e.message).toBe(
      'cannot read /data/in.csv as csv: Invalid Input Error: Error when sniffing file "/data/in.csv".',
    );
    expect(e.context.file).toBe('/data/in.csv');
  });
});

describe('values judged by what they are', () => {
  it.each([
    ['1', 'int64', '1', null],
    ['68.0', 'int64', '68', null],
    [' 7 ', 'int64', '7', null],
    ['1.5', 'int64', null, 'type'],
    ['n/a', 'int64', null, 'type'],
    ['AKIAIOSFODNN7EXAMPLE', 'int64', null, 'type'],
    ['1e400', 'int64', null, 'range'],
    ['9223372036854775808', 'int64', null, 'range'],
    ['2147483648', 'int32', null, 'range'],
    ['2.5', 'double', '2.5', null],
    ['1e400', 'double', null, 'range'],
    ['inf', 'double', null, 'range'],
    ['2024-01-02', 'date', '2024-01-02', null],
    ['2001/01/01 06:55', 'date', null, 'type'],
  ] as const)('%s as %s', async (text, type, value, rule) => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const e = `'${text}'`;
    const [row] = (
      await conn.runAndReadAll(
        `SELECT CAST((${strictValue(e, 'VARCHAR', type)}) AS VARCHAR) AS v, ${violationRule(e, 'VARCHAR', type)} AS r`,
      )
    ).getRowObjectsJson();
    conn.closeSync();
    db.closeSync();
    expect([row?.v, row?.r]).toEqual([value, rule]);
  });
});

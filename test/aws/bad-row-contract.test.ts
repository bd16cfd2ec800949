// The bad-row contract (test/ports/bad-row-contract.ts) run against the AWS runtime: the S3 data
// sampler on a real moto_server, downloading each input from S3 and measuring it with DuckDB under
// HEALER_SAMPLE_ROWS, as the Lambda's evidence does; and the Glue remediator's capabilities built on
// that measurement (issue 9: 50% nulls in a NOT NULL column passed G9 with a fraction of 0).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlueRemediator } from '../../src/adapters/aws/glue-remediator.js';
import { S3DataSampler } from '../../src/adapters/aws/s3-data-sampler.js';
import { SystemClock } from '../../src/adapters/aws/system-clock.js';
import { DuckdbDataEngine } from '../../src/adapters/duckdb/duckdb-data-engine.js';
import { emptyBadRowMeasurement } from '../../src/core/bad-rows.js';
import type { DatasetContract } from '../../src/core/contract.js';
import { BAD_ROW_CASES, type BadRowInput, runBadRowContract, toCsv } from '../ports/bad-row-contract.js';
import { type Moto, type MotoClients, motoClients, startMoto } from './moto.js';

let moto: Moto;
let c: MotoClients;
const engine = new DuckdbDataEngine();

beforeAll(async () => {
  moto = await startMoto();
  c = motoClients(moto.endpoint);
  await c.s3.createBucket({ Bucket: 'lake' });
});
afterAll(async () => {
  await engine.close();
  await moto?.stop();
});

async function upload(input: BadRowInput): Promise<string> {
  await c.s3.putObject({ Bucket: 'lake', Key: `${input.name}/part-0000.csv`, Body: toCsv(input) });
  return `s3://lake/${input.name}/`;
}

runBadRowContract('AWS S3 sampler (moto)', {
  samples: true,
  async measure(input) {
    const sampler = new S3DataSampler({ s3: c.s3, engine, sampleRows: input.sampleRows ?? 100_000 });
    const profile = await sampler.profile(await upload(input), {
      expected: input.contract.schema,
      keys: input.contract.keys,
    });
    return profile.badRows ?? emptyBadRowMeasurement();
  },
});

describe('AWS capabilities from the sampled measurement', () => {
  it('a byte-bounded download is a sample, and says so', async () => {
    const input = BAD_ROW_CASES.find((x) => x.input.name === 'half-null-required')!.input;
    const sampler = new S3DataSampler({ s3: c.s3, engine, maxBytesPerObject: 512 });
    const profile = await sampler.profile(await upload(input), {
      expected: input.contract.schema,
      keys: input.contract.keys,
    });
    expect(profile.badRows?.sampled).toBe(true);
    expect(profile.badRows?.rowsMeasured).toBeLessThan(input.rows.length);
  });

  for (const name of ['half-null-required', 'thirty-percent-duplicates'] as const)
    it(`${name}: the Glue remediator reports the share and its sample size (G9 input)`, async () => {
      const { input, share } = BAD_ROW_CASES.find((x) => x.input.name === name)!;
      const sampler = new S3DataSampler({ s3: c.s3, engine, sampleRows: 100_000 });
      const location = await upload(input);
      const { schema, profile } = await sampler.inspect(location, 'orders', {
        expected: input.contract.schema,
        keys: input.contract.keys,
      });
      const contract: DatasetContract = {
        dataset: 'orders',
        schema: input.contract.schema,
        keys: input.contract.keys,
        quality: {},
        protected: false,
      };
      const remediator = new GlueRemediator({
        glue: c.glue,
        s3: c.s3,
        clock: new SystemClock(),
        database: 'lake',
        remediationJobName: 'healer-remediate',
        quarantineUri: 's3://lake/quarantine/',
      });
      const caps = await remediator.capabilities({
        incidentId: 'inc-1',
        event: {
          pipeline: 'orders',
          jobRunId: 'jr_1',
          failedAt: '2026-11-22T12:00:00Z',
          source: 'glue',
        } as never,
        evidence: {
          event: {} as never,
          logs: '',
          logsTruncated: false,
          datasets: [
            {
              dataset: 'orders',
              contract,
              schemaVersions: [],
              currentSchema: schema,
              currentProfile: profile,
            },
          ],
        },
        pipeline: { name: 'orders', datasets: [] } as never,
        diagnosis: {
          findings: [],
          classification: { family: 'data_quality', rule: 'test', confidence: 1, line: '' },
        } as never,
      });
      expect(caps.badRowFraction).toBeCloseTo(share, 10);
      expect(caps.badRowSample).toEqual({ rowsMeasured: input.rows.length, sampled: false });
    });
});

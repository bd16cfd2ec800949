// Configuration boundaries of the AWS runtime: the Lambda's environment variables and the pipeline
// registry JSON, validated with zod; a deployment-wide mode can only make pipelines more careful.

import { describe, expect, it } from 'vitest';
import {
  ConfigPipelineRegistry,
  capMode,
  parsePipelineRegistryConfig,
} from '../../src/adapters/aws/config-pipeline-registry.js';
import { parseLambdaEnv } from '../../src/adapters/aws/lambda-config.js';

const ENV = {
  HEALER_AUDIT_BUCKET: 'healer-audit',
  HEALER_AUDIT_KEY: 'test-audit-key-0123456789abcdef0123456789abcdef',
  HEALER_STATE_TABLE: 'healer-state',
  HEALER_IDEMPOTENCY_TABLE: 'healer-idem',
  HEALER_ESCALATION_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:healer',
  HEALER_GLUE_DATABASE: 'sales',
};

describe('lambda environment', () => {
  it('defaults to shadow mode and coerces numbers', () => {
    const env = parseLambdaEnv({ ...ENV, HEALER_POLL_TIMEOUT_MS: '1000', HEALER_REMEDIATION_JOB: '' });
    expect(env.HEALER_MODE).toBe('shadow');
    expect(env.HEALER_POLL_TIMEOUT_MS).toBe(1000);
    expect(env.HEALER_REMEDIATION_JOB).toBeUndefined();
  });

  it('names the variable that is missing or wrong', () => {
    const { HEALER_STATE_TABLE: _, ...missing } = ENV;
    expect(() => parseLambdaEnv(missing)).toThrow(/HEALER_STATE_TABLE/);
    expect(() => parseLambdaEnv({ ...ENV, HEALER_MODE: 'yolo' })).toThrow(/HEALER_MODE/);
    expect(() => parseLambdaEnv({ ...ENV, HEALER_POLICY_URI: 'https://x/p.json' })).toThrow(
      /HEALER_POLICY_URI.*s3:/,
    );
    expect(() =>
      parseLambdaEnv({ ...ENV, HEALER_PIPELINES: '{"pipelines":{}}', HEALER_PIPELINES_URI: 's3://bucket/k' }),
    ).toThrow(/not both/);
  });
});

describe('pipeline registry', () => {
  const json = JSON.stringify({
    pipelines: {
      'orders-etl': {
        datasets: [
          {
            dataset: 'orders',
            location: 's3://raw/orders/',
            contract: { fields: [{ path: 'id', type: 'int64' }] },
          },
        ],
        authority: { allowedActions: ['retry'], mode: 'autonomous', modeByFamily: { schema: 'supervised' } },
      },
    },
  });

  it('caps every pipeline mode at the deployment mode', async () => {
    const registry = new ConfigPipelineRegistry(
      parsePipelineRegistryConfig(json, 'HEALER_PIPELINES'),
      'supervised',
    );
    const p = await registry.describe('orders-etl');
    expect(p.authority.mode).toBe('supervised');
    expect(p.datasets[0]?.contract?.schema.fields[0]).toEqual({
      path: 'id',
      type: 'int64',
      rawType: 'int64',
      nullable: true,
    });
    expect(capMode('autonomous', 'shadow')).toBe('shadow');
    expect(capMode('shadow', 'autonomous')).toBe('shadow');
  });

  it('gives an undeclared job an escalate-only authority', async () => {
    const registry = new ConfigPipelineRegistry(
      parsePipelineRegistryConfig(json, 'HEALER_PIPELINES'),
      'autonomous',
    );
    const p = await registry.describe('unknown-job');
    expect(p.authority.allowedActions).toEqual([]);
    expect(p.datasets).toEqual([]);
  });

  it('rejects typos with the key path', () => {
    const typo = json.replace('allowedActions', 'allowedActons');
    expect(() => parsePipelineRegistryConfig(typo, 'HEALER_PIPELINES')).toThrow(
      /HEALER_PIPELINES: pipelines\.orders-etl\.authority/,
    );
    expect(() => parsePipelineRegistryConfig(json.replace('"retry"', '"reboot"'), 'X')).toThrow(
      /allowedActions\.0/,
    );
    expect(() => parsePipelineRegistryConfig('{', 'X')).toThrow(/X: not valid JSON/);
  });
});

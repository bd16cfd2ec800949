// The DynamoDB state store on moto, through the shared StateStore contract (a fresh table per test),
// plus what only it counts so far: scale steps and deferrals per run chain, and the job memory.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamodbStateStore } from '../../src/adapters/aws/dynamodb-state-store.js';
import { runStateStoreContract } from '../ports/state-store-contract.js';
import { createStateTable, type Moto, type MotoClients, motoClients, startMoto } from './moto.js';

let moto: Moto;
let c: MotoClients;
let tables = 0;

beforeAll(async () => {
  moto = await startMoto();
  c = motoClients(moto.endpoint);
});
afterAll(async () => moto?.stop());

runStateStoreContract('dynamodb (moto)', {
  create: async () => {
    const tableName = `healer-state-${++tables}`;
    await createStateTable(c, tableName);
    return new DynamodbStateStore({ client: c.dynamodb, tableName });
  },
});

describe('dynamodb (moto): resource actions per run chain', () => {
  it('counts scale steps and deferrals per chain and action, apart from retries and other chains', async () => {
    const tableName = `healer-state-${++tables}`;
    await createStateTable(c, tableName);
    const store = new DynamodbStateStore({ client: c.dynamodb, tableName });
    const at = new Date('2026-12-02T10:00:00Z');
    await store.recordResourceAction('orders-etl', 'jr_root', 'scale_resources', at);
    await store.recordResourceAction('orders-etl', 'jr_root', 'scale_resources', at);
    await store.recordResourceAction('orders-etl', 'jr_root', 'defer', at);
    await store.recordResourceAction('orders-etl', 'jr_other', 'defer', at);
    await store.recordResourceAction('billing-etl', 'jr_root', 'scale_resources', at);
    await store.recordRetry('orders-etl', 'jr_root', at);
    expect(await store.usage('orders-etl', 'jr_root', at)).toMatchObject({
      retriesThisRun: 1,
      scaleStepsThisRun: 2,
      deferralsThisRun: 1,
    });
    expect(await store.usage('orders-etl', 'jr_other', at)).toMatchObject({
      retriesThisRun: 0,
      scaleStepsThisRun: 0,
      deferralsThisRun: 1,
    });
  });
});

describe('dynamodb (moto): job memory', () => {
  it('remembers the last validated fix per job and state key; a later fix replaces it; other jobs and states are apart', async () => {
    const tableName = `healer-state-${++tables}`;
    await createStateTable(c, tableName);
    const store = new DynamodbStateStore({ client: c.dynamodb, tableName });
    const at = new Date('2026-12-02T10:00:00Z');
    expect(await store.lastFix('orders-etl', 'resource|medium|ok')).toBeUndefined();
    await store.recordFix('orders-etl', 'resource|medium|ok', 'retry', at);
    await store.recordFix(
      'orders-etl',
      'resource|medium|ok',
      'scale_resources',
      new Date(at.getTime() + 1000),
    );
    await store.recordFix('orders-etl', 'dependency|medium|ok', 'defer', at);
    await store.recordFix('billing-etl', 'resource|medium|ok', 'retry', at);
    expect(await store.lastFix('orders-etl', 'resource|medium|ok')).toBe('scale_resources');
    expect(await store.lastFix('orders-etl', 'dependency|medium|ok')).toBe('defer');
    expect(await store.lastFix('billing-etl', 'resource|medium|ok')).toBe('retry');
    expect(await store.lastFix('billing-etl', 'dependency|medium|ok')).toBeUndefined();
    // The memory is not an incident: listing incidents does not see it.
    expect(await store.listIncidents()).toEqual([]);
  });
});

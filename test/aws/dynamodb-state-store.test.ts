// The DynamoDB state store on moto, through the shared StateStore contract (a fresh table per test),
// plus what only it counts so far: scale steps and deferrals per run chain.

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

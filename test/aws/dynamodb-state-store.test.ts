// The DynamoDB state store on moto, through the shared StateStore contract (a fresh table per test).

import { afterAll, beforeAll } from 'vitest';
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

// The DuckDB state store (`.healer/state.duckdb`) against the shared StateStore contract, the same
// suite the DynamoDB store runs on moto: one fresh database file per test, on real DuckDB.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { DuckdbStateStore } from '../../../src/adapters/local/duckdb-state-store.js';
import { runStateStoreContract } from '../../ports/state-store-contract.js';

const opened: DuckdbStateStore[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const store of opened) await store.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

runStateStoreContract('duckdb (local file)', {
  create: async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-state-'));
    dirs.push(dir);
    const store = await DuckdbStateStore.open(join(dir, 'state.duckdb'));
    opened.push(store);
    return store;
  },
});

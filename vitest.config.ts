// Test tiers: `unit` (pure core, in-process DuckDB, CLI), `aws` (real moto_server + pyspark) and
// `airflow` (a real Airflow 3 on SQLite), which only `npm run test:airflow` starts: it takes
// minutes, so `npm test` leaves it out and `.ci/run` runs it after.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests keep healer's own config (the audit key file and anchored heads) out of the real home.
const env = { XDG_CONFIG_HOME: join(tmpdir(), `healer-vitest-config-${process.pid}`) };

const airflowProject = {
  test: {
    name: 'airflow',
    env,
    include: ['test/airflow/**/*.test.ts'],
    globalSetup: ['./test/airflow/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 900_000,
  },
};

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          env,
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/aws/**', 'test/airflow/**', 'src/adapters/aws/**', 'infra/**', 'node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'aws',
          env,
          include: ['test/aws/**/*.test.ts', 'src/adapters/aws/**/*.test.ts', 'infra/**/*.test.ts'],
          globalSetup: ['./test/aws/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      ...(process.env.HEALER_TEST_TIER === 'airflow' ? [airflowProject] : []),
    ],
  },
});

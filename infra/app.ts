// Example CDK app: healer for one Glue job (`orders-etl`) reading `sales.orders`. `npx cdk synth`
// works offline: the Lambda bundle is built with esbuild into build/lambda when missing.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { EtlHealer } from './etl-healer.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (['index.mjs', 'approval.mjs'].some((f) => !existsSync(resolve(root, 'build/lambda', f))))
  execFileSync(process.execPath, [resolve(root, 'scripts/bundle-lambda.mjs')], { stdio: 'inherit' });

const app = new App();
const stack = new Stack(app, 'EtlHealerExample', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
new EtlHealer(stack, 'Healer', {
  jobNames: ['orders-etl'],
  database: 'sales',
  tables: [{ database: 'sales', table: 'orders' }],
  dataBucketNames: ['acme-raw'],
  mode: (app.node.tryGetContext('mode') as 'shadow' | 'supervised' | 'autonomous' | undefined) ?? 'shadow',
  pipelines: {
    pipelines: {
      'orders-etl': {
        datasets: [
          {
            dataset: 'orders',
            table: 'sales.orders',
            location: 's3://acme-raw/orders/',
            contract: {
              fields: [
                { path: 'order_id', type: 'int64', nullable: false },
                { path: 'customer_id', type: 'string' },
                { path: 'amount', type: 'decimal' },
              ],
              keys: ['order_id'],
            },
          },
        ],
        authority: { allowedActions: ['retry', 'rollback_schema', 'quarantine'], mode: 'autonomous' },
      },
    },
  },
});
app.synth();

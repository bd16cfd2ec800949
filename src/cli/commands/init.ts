// `healer init [DIR]`: scaffolds a commented pipeline file (refuses to overwrite one).

import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import type { RegisterCommand } from '../commands.js';

const TEMPLATE = `# healer pipeline file. Every key is described in docs/embedded-runtime.md
# (shipped with healer: node_modules/etl-healer/docs/embedded-runtime.md).
name: orders_daily
sources:
  orders:
    path: data/orders/*.csv        # path or glob, relative to this file
    contract:
      columns:
        order_id: { type: int64, nullable: false }
        amount: { type: double, nullable: false }
        ordered_at: { type: timestamp }
      keys: [order_id]
      quality:
        maxNullRate: { ordered_at: 0.05 }
      protected: false
transform: |
  SELECT CAST(ordered_at AS DATE) AS day, count(*) AS orders, sum(amount) AS revenue
  FROM "orders" GROUP BY ALL ORDER BY day
target:
  path: output/orders_daily.parquet
authority:
  mode: autonomous               # shadow | supervised | autonomous
  allowedActions: [retry, coerce_schema, rollback_schema, quarantine]
  budgets: { maxRetriesPerRun: 3, quarantineMaxFraction: 0.1 }
retry: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5000 }
`;

export const register: RegisterCommand = (program, io) => {
  program
    .command('init')
    .description('Scaffold a pipeline file (pipeline.yaml) in DIR')
    .argument('[dir]', 'folder', '.')
    .option('--json', 'print what was written as JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      const file = join(resolve(io.cwd, dir), 'pipeline.yaml');
      if (existsSync(file))
        throw new InvalidInputError(`${file} already exists; not overwriting it`, { context: { file } });
      await mkdir(resolve(io.cwd, dir), { recursive: true });
      await writeFile(file, TEMPLATE, { flag: 'wx' });
      const next = `npx healer run ${file}`;
      if (options.json) io.out(`${JSON.stringify({ file, next, docs: 'docs/embedded-runtime.md' })}\n`);
      else io.out(`wrote ${file}\nnext: edit it (every key: docs/embedded-runtime.md), then run  ${next}\n`);
    });
};

// Bundles the Lambdas (src/adapters/aws/lambda.ts; the approval API,
// src/environments/aws-approval-lambda.ts) with esbuild into build/lambda/ for the CDK asset: one
// ESM file per handler with the AWS SDK and Powertools inlined, plus DuckDB's native binding (linux-x64)
// copied as node_modules, since a .node file cannot be bundled. Offline and a few seconds.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, 'build/lambda');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  // index.handler: the incident Lambda; approval.handler: the approval API (same asset, same deps).
  entryPoints: {
    index: resolve(root, 'src/adapters/aws/lambda.ts'),
    approval: resolve(root, 'src/environments/aws-approval-lambda.ts'),
  },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['@duckdb/*'],
  // Some bundled CommonJS dependencies call require(); give ESM one.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
});
for (const pkg of ['node-api', 'node-bindings', 'node-bindings-linux-x64'])
  cpSync(resolve(root, 'node_modules/@duckdb', pkg), resolve(out, 'node_modules/@duckdb', pkg), { recursive: true });
writeFileSync(resolve(out, 'package.json'), JSON.stringify({ type: 'module' }));
console.log(`bundled the Lambdas into ${out}`);

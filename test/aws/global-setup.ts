// Vitest globalSetup of the aws tier: creates the Python venv (moto[server], pyspark) once, before
// any AWS test file starts, and without blocking. Done inside a test worker instead, a first-time
// pip install (minutes on a clean clone) blocks that worker's event loop long enough for vitest's
// worker RPC to time out, and parallel files would race to install into the same venv.

import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export default async function setup(): Promise<void> {
  const script = resolve(import.meta.dirname, '../../scripts/setup-python.sh');
  await new Promise<void>((done, fail) => {
    const child = spawn('bash', [script], { stdio: 'inherit' });
    child.once('error', fail);
    child.once('exit', (code) =>
      code === 0 ? done() : fail(new Error(`scripts/setup-python.sh exited with ${code}`)),
    );
  });
}

// LogSource over the run logs the local runner writes (`.healer/logs/<pipeline>/<run>.log`), read
// bounded: a giant log is cut to its tail, which is where the error is.

import { open } from 'node:fs/promises';
import type { FailureEvent } from '../../core/event.js';
import type { LogSource } from '../../ports.js';
import { runLogPath } from './duckdb-pipeline-runner.js';

/**
 * Reads the log of a run by pipeline and run id (never a path taken from the event).
 *
 * @example
 * const { text, truncated } = await new FileLogSource('.healer').fetchRunLog(event);
 */
export class FileLogSource implements LogSource {
  constructor(
    private readonly stateDir: string,
    private readonly maxBytes = 256 * 1024,
  ) {}

  async fetchRunLog(event: FailureEvent): Promise<{ text: string; truncated: boolean }> {
    const file = runLogPath(this.stateDir, event.pipeline, event.runId);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { text: event.errorMessage ?? '', truncated: false };
      throw error;
    }
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, this.maxBytes);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      let text = buffer.toString('utf8');
      if (size > length) text = text.slice(text.indexOf('\n') + 1); // drop the cut first line
      return { text, truncated: size > length };
    } finally {
      await handle.close();
    }
  }
}

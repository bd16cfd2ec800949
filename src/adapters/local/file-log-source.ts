// LogSource over the run logs the local runner writes (`.healer/logs/<pipeline>/<run>.log`), read
// bounded: a giant log is cut to its tail, which is where the error is.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
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
    // Read synchronously: a run log is a local file of at most `maxBytes`, read in tens of
    // microseconds, where the asynchronous open, stat, read and close are four thread-pool round
    // trips. An incident storm reads one log per event, thousands of them.
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { text: event.errorMessage ?? '', truncated: false };
      throw error;
    }
    try {
      const { size } = fstatSync(fd);
      const length = Math.min(size, this.maxBytes);
      const buffer = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, buffer, got, length - got, size - length + got);
        if (n === 0) break; // the file shrank since fstat
        got += n;
      }
      let text = buffer.subarray(0, got).toString('utf8');
      if (size > length) text = text.slice(text.indexOf('\n') + 1); // drop the cut first line
      return { text, truncated: size > length };
    } finally {
      closeSync(fd);
    }
  }
}

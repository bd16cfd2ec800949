// Progress on a terminal for the phases of an incident (evidence, profiles, remediation, runs): one
// line per phase with its rows and elapsed time, drawn by cli-progress on standard error. Built only
// when standard output is a terminal and the output is not JSON.

import { MultiBar, Presets } from 'cli-progress';
import type { ProgressPhase, ProgressReporter } from '../ports.js';
import type { CliIo } from './io.js';

/**
 * @example
 * const progress = terminalProgress(io, options.json);
 * try { ... } finally { progress?.stop(); }
 */
export class TerminalProgress implements ProgressReporter {
  private readonly bars: MultiBar;
  private stopped = false;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.bars = new MultiBar(
      {
        format: '  {phase}  {rows}  {duration_formatted}{state}',
        stream,
        clearOnComplete: false,
        hideCursor: true,
        autopadding: true,
      },
      Presets.shades_classic,
    );
  }

  start(phase: string): ProgressPhase {
    const bar = this.bars.create(1, 0, { phase: phase.padEnd(28), rows: '', state: ' …' });
    let finished = false;
    return {
      rows: (count) => bar.update(0, { rows: rowsText(count) }),
      done: (summary) => {
        if (finished) return;
        finished = true;
        bar.update(1, { rows: summary?.rows === undefined ? '' : rowsText(summary.rows), state: ' done' });
        bar.stop();
      },
    };
  }

  /** Writes text above the progress lines (an escalation printed while phases are drawn). */
  log(text: string): void {
    this.bars.log(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Ends the display (leaves the finished lines on screen). */
  stop(): void {
    if (this.stopped) return; // a second stop would draw the lines again over what followed
    this.stopped = true;
    this.bars.stop();
  }
}

function rowsText(rows: number): string {
  return `${rows.toLocaleString('en-US')} rows`;
}

/**
 * A terminal progress display on `stream` (standard error), or undefined when stdout or the stream
 * is not a terminal, or with `--json`.
 */
export function terminalProgress(
  io: CliIo,
  json: boolean | undefined,
  stream: NodeJS.WriteStream = process.stderr,
): TerminalProgress | undefined {
  if (json || !io.isTty || !stream.isTTY) return undefined;
  return new TerminalProgress(stream);
}

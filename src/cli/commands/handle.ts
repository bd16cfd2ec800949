// `healer handle EVENTS --pipeline FILE... [--state-dir DIR] [--json]`: handles failure events
// that another system reported (one JSON FailureEvent per line, or a JSON array), as incident
// groups: failures of one cause are decided once and linked. Exit 0 when every group was resolved
// or recorded, 1 when any was escalated or awaits approval, 2 on bad input.

import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import { type FailureEvent, parseFailureEvent } from '../../core/event.js';
import { createLocalEnvironment } from '../../environments/local-environment.js';
import { handleStorm } from '../../storm.js';
import type { RegisterCommand } from '../commands.js';
import { ExitCode } from '../exit-code.js';

/** Event files larger than this are refused: split a bigger backlog into batches. */
const MAX_EVENTS_BYTES = 256 * 1024 * 1024;

export const register: RegisterCommand = (program, io) => {
  program
    .command('handle')
    .description('Handle reported failure events (JSON lines) as incident groups: one decision per cause')
    .argument('<events>', 'file of FailureEvents: one JSON object per line, or a JSON array')
    .requiredOption('--pipeline <files...>', 'pipeline YAML files the events name (by their `name`)')
    .option('--state-dir <dir>', 'state folder (default .healer beside the first pipeline)')
    .option('--window <minutes>', 'failures of one cause further apart start a new group', '60')
    .option('--json', 'print the groups as JSON')
    .action(
      async (
        file: string,
        options: { pipeline: string[]; stateDir?: string; window: string; json?: boolean },
      ) => {
        const window = Number(options.window);
        if (!Number.isFinite(window) || window <= 0 || window > 7 * 24 * 60)
          throw new InvalidInputError(`--window: expected minutes from 1 to 10080, got ${options.window}`);
        const events = await readEvents(resolve(io.cwd, file), file);
        const [first, ...rest] = options.pipeline.map((p) => resolve(io.cwd, p));
        const env = await createLocalEnvironment({
          pipelineFile: first!,
          pipelineFiles: rest,
          ...(options.stateDir ? { stateDir: resolve(io.cwd, options.stateDir) } : {}),
          terminal: (t) => io.err(t),
        });
        let code = 0;
        try {
          const result = await handleStorm(events, env, { windowMs: window * 60_000 });
          if (result.groups.some((g) => !['resolved', 'recorded', 'duplicate'].includes(g.incident.status)))
            code = 1;
          if (options.json) {
            io.out(
              `${JSON.stringify({
                events: result.events,
                duplicates: result.duplicates,
                groups: result.groups.map((g) => ({
                  id: g.id,
                  cause: g.cause,
                  status: g.incident.status,
                  action: g.incident.action,
                  summary: g.incident.summary,
                  linked: g.linked,
                  linkedTotal: g.incident.group?.linkedEventIds.length ?? 0,
                })),
              })}\n`,
            );
          } else {
            const lines = [
              `${result.events} events -> ${result.groups.length} incident groups (${result.duplicates} already handled)`,
            ];
            for (const g of result.groups)
              lines.push(
                `${g.id}: ${g.incident.status} (${g.incident.action ?? '-'}) ${g.cause}; +${g.linked} linked\n  ${g.incident.summary}`,
              );
            io.out(`${lines.join('\n')}\n`);
          }
        } finally {
          await env.close();
        }
        if (code !== 0) throw new ExitCode(code);
      },
    );
};

/** Reads JSON lines (or one JSON array); a bad line is an error naming the file and the line. */
async function readEvents(path: string, shownAs: string): Promise<FailureEvent[]> {
  const size = await stat(path).then(
    (s) => s.size,
    (error: NodeJS.ErrnoException) => {
      throw new InvalidInputError(
        `cannot read events file ${shownAs}: ${error.code === 'ENOENT' ? 'no such file' : error.code}`,
        {
          cause: error,
          context: { file: shownAs },
        },
      );
    },
  );
  if (size > MAX_EVENTS_BYTES)
    throw new InvalidInputError(
      `events file ${shownAs} is ${size} bytes; the limit is ${MAX_EVENTS_BYTES}: split it`,
      {
        context: { file: shownAs },
      },
    );
  const text = await readFile(path, 'utf8');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    let array: unknown;
    try {
      array = JSON.parse(trimmed);
    } catch (error) {
      throw new InvalidInputError(`events file ${shownAs} is not JSON: ${(error as Error).message}`, {
        context: { file: shownAs },
      });
    }
    if (!Array.isArray(array)) throw new InvalidInputError(`events file ${shownAs}: expected an array`);
    return array.map((e, i) => parseFailureEvent(e, `${shownAs} item ${i}`));
  }
  const events: FailureEvent[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new InvalidInputError(`${shownAs} line ${i + 1} is not JSON: ${(error as Error).message}`, {
        context: { file: shownAs, line: i + 1 },
      });
    }
    events.push(parseFailureEvent(json, `${shownAs} line ${i + 1}`));
  }
  if (events.length === 0) throw new InvalidInputError(`events file ${shownAs} holds no events`);
  return events;
}

// Reads a JSON file named on the command line, with one-line errors that say which file and why.

import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../core/errors.js';

/** Reads and parses `path`; `what` names the file's role in messages (`policy file`). */
export async function readJsonFile(path: string, what: string, shownAs = path): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new InvalidInputError(
      `cannot read ${what} ${shownAs}: ${code === 'ENOENT' ? 'no such file' : code}`,
      {
        cause: error,
        context: { file: shownAs },
      },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`${what} ${shownAs} is not JSON: ${(error as Error).message}`, {
      cause: error,
      context: { file: shownAs },
    });
  }
}

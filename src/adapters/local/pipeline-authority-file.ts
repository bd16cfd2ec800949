// Changes one family's mode in a pipeline file's `authority.modeByFamily`, keeping the rest of the
// file (comments, order, formatting) as it was; the result must still load as a valid pipeline.

import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { Mode } from '../../core/authority.js';
import { ConfigError } from '../../core/errors.js';
import type { FailureFamily } from '../../core/failure-family.js';
import { writeFileAtomic } from './atomic-file.js';
import { parsePipeline } from './pipeline-file.js';

/** Sets `authority.modeByFamily.<family>` to `mode` in place; returns the file's new text. */
export async function setFamilyMode(file: string, family: FailureFamily, mode: Mode): Promise<string> {
  const text = await readFile(file, 'utf8');
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    throw new ConfigError(`${file}: ${doc.errors[0]?.message.split('\n')[0]}`, { context: { file } });
  doc.setIn(['authority', 'modeByFamily', family], mode);
  const next = doc.toString();
  // Never write a file the runner would then refuse.
  parsePipeline(next, file);
  await writeFileAtomic(file, next);
  return next;
}

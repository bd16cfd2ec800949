// Bounds on a configuration file before and while it is parsed: a size cap checked before reading
// (a 50 MB file took 49 s and 1.8 GB unbounded) and an alias cap (a "billion laughs" alias bomb),
// with every failure a ConfigError naming the file.

import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { type LineCounter, parseDocument } from 'yaml';

/** A parsed YAML document, as `parseDocument` returns it. */
export type ParsedYaml = ReturnType<typeof parseDocument>;

import { ConfigError } from '../../core/errors.js';

/** The largest pipeline file read, bytes (1 MiB: real pipeline files are a few KB). */
export const MAX_CONFIG_BYTES = 1_048_576;

/** The most aliases one document may expand (the `yaml` default is 100 for small documents). */
export const MAX_ALIAS_COUNT = 100;

/** Reads a text file of at most `maxBytes`, refusing a larger one before reading it. */
export async function readBoundedText(file: string, maxBytes = MAX_CONFIG_BYTES): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read pipeline file ${file}: ${code === 'ENOENT' ? 'no such file' : code}`, {
      cause: error,
      context: { file },
    });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ConfigError(`${file}: not a regular file`, { context: { file } });
    if (stat.size > maxBytes) throw tooLarge(file, stat.size, maxBytes);
    // Read one byte past the cap, so a file that grew after the stat is refused too.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw tooLarge(file, length, maxBytes);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

function tooLarge(file: string, size: number, maxBytes: number): ConfigError {
  return new ConfigError(
    `${basename(file)}: ${size} bytes is larger than the ${maxBytes}-byte limit for a pipeline file`,
    { context: { file, size, maxBytes } },
  );
}

/**
 * Parses YAML text under the same bounds (size, then aliases when converted with {@link boundedToJs}).
 * Anything the parser throws (deep nesting, a stack overflow) becomes a ConfigError naming the file.
 */
export function parseBoundedYaml(text: string, file: string, lineCounter: LineCounter): ParsedYaml {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_CONFIG_BYTES) throw tooLarge(file, size, MAX_CONFIG_BYTES);
  try {
    return parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    throw unparsable(file, error);
  }
}

/** The document as plain values, refusing more than {@link MAX_ALIAS_COUNT} alias expansions. */
export function boundedToJs(doc: ParsedYaml, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw unparsable(file, error);
  }
}

function unparsable(file: string, error: unknown): ConfigError {
  const why = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  const aliases = /alias/i.test(why);
  return new ConfigError(
    aliases
      ? `${basename(file)}: too many YAML aliases (more than ${MAX_ALIAS_COUNT} expansions; an alias bomb?): ${why}`
      : `${basename(file)}: cannot parse YAML: ${why}`,
    { cause: error, context: { file } },
  );
}

// How a text source is read: the CSV dialect, encoding, null strings and date formats a pipeline
// declares. Validated with zod at the pipeline-file boundary; adapters turn it into their reader's
// options (DuckDB read_csv) and never sniff what is declared here.

import { z } from 'zod';

/** The encodings DuckDB's CSV reader decodes (UTF-8 is the default). */
export const READ_ENCODINGS = ['utf-8', 'utf-16', 'latin-1'] as const;

const oneChar = (what: string) =>
  z
    .string()
    .refine(
      (s) => [...s].length === 1 && s !== '\n' && s !== '\r',
      `${what} is one character (not a line break)`,
    );

/** Reading options as written in a pipeline file (`sources.<name>.read`). */
export const readOptionsSchema = z
  .object({
    /** Field separator; detected from the header line when absent (`,` `;` tab `|`). */
    delimiter: z.union([oneChar('delimiter'), z.literal('\\t').transform(() => '\t')]).optional(),
    /** Quote character (default `"`); an empty string reads without quoting. */
    quote: z.union([oneChar('quote'), z.literal('')]).optional(),
    /** Escape character inside quotes (default: the quote itself, as RFC 4180 doubles it). */
    escape: z.union([oneChar('escape'), z.literal('')]).optional(),
    /** Whether the first line names the columns (default true); without it, the catalog's order. */
    header: z.boolean().optional(),
    encoding: z.enum(READ_ENCODINGS).optional(),
    /** Strings read as NULL (default: the empty field only). */
    nullStrings: z.array(z.string().max(64)).max(32).optional(),
    /** strptime formats, e.g. `%d/%m/%Y` and `%d/%m/%Y %H:%M`. */
    dateFormat: z.string().min(1).max(64).optional(),
    timestampFormat: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine((o) => o.delimiter === undefined || (o.delimiter !== o.quote && o.delimiter !== o.escape), {
    message: 'delimiter must differ from quote and escape',
  });

/** Validated reading options of one source. */
export type ReadOptions = z.infer<typeof readOptionsSchema>;

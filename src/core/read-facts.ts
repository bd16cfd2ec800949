// What reading a source established before any value was looked at: how many rows it held, which
// lines could not be read as rows (ragged, undecodable, unparseable) and whether it was empty.
// Measured by a data engine, turned into findings in the core (detect/read-faults.ts).

/** One line that could not be read as a row, kept verbatim. */
export interface MalformedLine {
  file: string;
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  /** The engine's kind of error: `TOO MANY COLUMNS`, `MISSING COLUMNS`, `INVALID ENCODING`, ... */
  reason: string;
  /** The raw line, cut to a bounded length. */
  raw: string;
}

export interface ReadFacts {
  /** Where the source was read from (path or glob). */
  location: string;
  /** Rows read as rows. */
  rows: number;
  /** Lines that could not be read as rows (each line once). */
  malformedCount: number;
  /** The first few of them, in file and line order. */
  malformed: MalformedLine[];
  /** `empty`: no bytes (or no lines); `header_only`: a header and no row. Absent when rows were read. */
  empty?: 'empty' | 'header_only';
}

// Read faults: the facts of reading a text input before its values are judged. Lines that could
// not be read as rows become `malformed_rows` (a row-level finding: quarantine keeps them verbatim);
// an input with no rows becomes `empty_input` (nothing to deliver, nothing to repair).

import type { EmptyInput, Finding, MalformedRows } from '../finding.js';
import type { ReadFacts } from '../read-facts.js';

/** How many malformed line numbers a finding lists. */
export const MALFORMED_LINES_LISTED = 5;

/**
 * Findings from the read of one source. `column` is `*`: a malformed line has no columns to blame
 * (its fields could not be told apart), and an empty input has none at all.
 *
 * @example
 * detectReadFaults({ location: 'in.csv', rows: 99, malformedCount: 1, malformed: [...] })
 * // → [{ kind: 'malformed_rows', current: 1, rows: 99, lines: [{ line: 7, ... }] }]
 */
export function detectReadFaults(facts: ReadFacts, baselineRows?: number): Finding[] {
  if (facts.empty) {
    const finding: EmptyInput = {
      kind: 'empty_input',
      column: '*',
      severity: 'error',
      compatible: false,
      current: facts.empty,
      ...(baselineRows !== undefined ? { baseline: baselineRows } : {}),
      message:
        facts.empty === 'empty'
          ? `${facts.location} is empty (no bytes, no header)`
          : `${facts.location} holds a header and no rows`,
    };
    return [finding];
  }
  if (facts.malformedCount === 0) return [];
  const lines = facts.malformed
    .slice(0, MALFORMED_LINES_LISTED)
    .map((m) => ({ file: m.file, line: m.line, reason: m.reason }));
  const total = facts.rows + facts.malformedCount;
  const finding: MalformedRows = {
    kind: 'malformed_rows',
    column: '*',
    severity: 'error',
    compatible: false,
    current: facts.malformedCount,
    rows: facts.rows,
    lines,
    message: `${facts.malformedCount} of ${total} lines of ${facts.location} cannot be read as rows (${lines
      .map((l) => `line ${l.line}: ${l.reason.toLowerCase()}`)
      .join('; ')}${facts.malformedCount > lines.length ? '; …' : ''})`,
  };
  return [finding];
}

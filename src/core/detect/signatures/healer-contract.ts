// Signatures of healer's own read and contract errors (the embedded runtime's typed errors, see
// docs/embedded-runtime.md): the family follows the rule that failed, not the engine's wording.
// A value that is not of the declared type is drift of the column (`schema`: a cast back or the
// quarantine of the rows that do not cast repairs it); a null in a required column, a repeated key,
// an out-of-range value and lines that cannot be read as rows are bad rows (`data_quality`); an input
// with no rows is an upstream that did not deliver (`dependency`).

import type { Signature } from './signature.js';

export const HEALER_CONTRACT_SIGNATURES: readonly Signature[] = [
  {
    id: 'healer.contract_type',
    family: 'schema',
    pattern: /Contract violation: \S.{0,300}? \(type\):/,
    specificity: 0.97,
    example:
      'E_CONTRACT: Contract violation: orders.amount (type): 1 of 5 values are not valid int64 (line 4: "n/a" is not a number)',
  },
  {
    id: 'healer.contract_rows',
    family: 'data_quality',
    pattern: /Contract violation: \S.{0,300}? \((not_null|unique|range)\):/,
    specificity: 0.97,
    example:
      'E_CONTRACT: Contract violation: orders.order_id (unique): 2 rows repeat key (order_id) (keys: 7, 9)',
  },
  {
    id: 'healer.malformed_input',
    family: 'data_quality',
    pattern: /Malformed input: .{1,600}? cannot be read as rows/,
    specificity: 0.97,
    example:
      'E_DATA: Malformed input: 1 of 11 lines of /data/in.csv cannot be read as rows (line 7: TOO MANY COLUMNS)',
  },
  {
    id: 'healer.empty_input',
    family: 'dependency',
    pattern: /Empty input: \S.{0,600}? (is empty|holds a header and no rows)/,
    specificity: 0.97,
    example: 'E_DATA: Empty input: /data/in.csv holds a header and no rows',
  },
];

// Signatures of data-quality failures: the schema is as expected but some values are not
// (unparseable numbers and dates, malformed records, nulls in non-nullable fields, duplicates).

import type { Signature } from './signature.js';

export const DATA_QUALITY_SIGNATURES: readonly Signature[] = [
  {
    id: 'jvm.number_format',
    family: 'data_quality',
    pattern: /\bNumberFormatException\b/,
    specificity: 0.9,
    example: 'java.lang.NumberFormatException: For input string: "12,5"',
  },
  {
    id: 'spark.cast_invalid_input',
    family: 'data_quality',
    pattern:
      /\[CAST_INVALID_INPUT\]|\[CAST_OVERFLOW\]|\[ARITHMETIC_OVERFLOW\]|\[DIVIDE_BY_ZERO\]|invalid input syntax for type/,
    specificity: 0.92,
    example:
      'org.apache.spark.SparkNumberFormatException: [CAST_INVALID_INPUT] The value \'N/A\' of the type "STRING" cannot be cast to "INT" because it is malformed.',
  },
  {
    id: 'spark.malformed_records',
    family: 'data_quality',
    pattern:
      /Malformed records are detected in (record|schema inference) parsing|\[MALFORMED_RECORD_IN_PARSING|Malformed CSV record|Malformed line in FAILFAST mode|BadRecordException/,
    specificity: 0.92,
    example:
      'org.apache.spark.SparkException: Malformed records are detected in record parsing. Parse Mode: FAILFAST.',
  },
  {
    id: 'jvm.datetime_parse',
    family: 'data_quality',
    pattern:
      /DateTimeParseException|Text '[^']{0,100}' could not be parsed|\[CANNOT_PARSE_TIMESTAMP\]|Unparseable date:/,
    specificity: 0.88,
    example: "java.time.format.DateTimeParseException: Text '2021-13-01' could not be parsed at index 5",
  },
  {
    id: 'jvm.for_input_string',
    family: 'data_quality',
    pattern: /(IllegalArgumentException|RuntimeException): For input string:/,
    specificity: 0.75,
    example: 'java.lang.IllegalArgumentException: For input string: ""',
  },
  {
    id: 'spark.null_in_non_nullable',
    family: 'data_quality',
    pattern:
      /Null value appeared in non-nullable field|NOT NULL constraint failed|\[NOT_NULL_ASSERT_VIOLATION\]|DELTA_NOT_NULL_CONSTRAINT_VIOLATED/,
    specificity: 0.9,
    example: 'java.lang.NullPointerException: Null value appeared in non-nullable field:',
  },
  {
    id: 'duckdb.conversion',
    family: 'data_quality',
    pattern:
      /Conversion Error: (Could not convert|Unimplemented type for cast|Type \S+ with value|Integer out of range|date field value out of range|invalid timestamp)|Invalid Input Error: Could not convert|CSV Error on Line|Error when converting column/i,
    specificity: 0.93,
    example: "Conversion Error: Could not convert string 'abc' to INT32",
  },
  {
    id: 'db.constraint_violation',
    family: 'data_quality',
    pattern:
      /Constraint Error: (Duplicate key|NOT NULL constraint)|duplicate key value violates unique constraint|Duplicate entry '[^']{0,200}' for key/,
    specificity: 0.88,
    example: 'Constraint Error: Duplicate key "id: 42" violates primary key constraint.',
  },
  {
    id: 'athena.bad_data',
    family: 'data_quality',
    pattern: /\bHIVE_BAD_DATA\b/,
    specificity: 0.9,
    example: 'HIVE_BAD_DATA: Error parsing field value \'\' for field 3: For input string: ""',
  },
  // healer's own contract check: a null in a required column, a repeated key, an out-of-range value.
  {
    id: 'healer.contract_rows',
    family: 'data_quality',
    pattern: /Contract violation: \S.{0,300}? \((not_null|unique|range)\):/,
    specificity: 0.97,
    example:
      'E_CONTRACT: Contract violation: orders.order_id (unique): 2 rows repeat key (order_id) (keys: 7, 9)',
  },
  // healer's own reader: lines that cannot be read as rows (ragged, bad encoding), kept verbatim.
  {
    id: 'healer.malformed_input',
    family: 'data_quality',
    pattern: /Malformed input: .{1,600}? cannot be read as rows/,
    specificity: 0.97,
    example:
      'E_DATA: Malformed input: 1 of 11 lines of /data/in.csv cannot be read as rows (line 7: TOO MANY COLUMNS)',
  },
];

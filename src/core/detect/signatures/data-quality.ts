// Signatures of data-quality failures: the schema is as expected but some values are not
// (unparseable numbers and dates, malformed records, nulls in non-nullable fields, duplicates).

import { type Signature, sqlState } from './signature.js';

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
  {
    id: 'sql.not_null_violation',
    family: 'data_quality',
    // SQLSTATE 23502 and its wordings: a required column received a null.
    pattern: new RegExp(
      `violates not-null constraint|\\bNotNullViolation\\b|\\bORA-01400\\b|Column '[^']{1,200}' cannot be null|${sqlState('23502')}`,
      'i',
    ),
    specificity: 0.93,
    example: 'psycopg2.errors.NotNullViolation: null value in column "id" violates not-null constraint',
  },
  {
    id: 'sql.integrity_violation',
    family: 'data_quality',
    // SQLSTATE class 23 (integrity constraint violation): duplicates, foreign keys, checks.
    pattern: new RegExp(
      `violates (unique|foreign key|check|exclusion) constraint|\\bIntegrityError\\b|IntegrityConstraintViolation|Integrity constraint violation|Duplicate entry '[^']{0,200}' for key|\\bER_DUP_ENTRY\\b|\\bORA-00001\\b|${sqlState('23[0-9A-Z]{3}')}`,
      'i',
    ),
    specificity: 0.9,
    example: "SQLSTATE[23000]: Integrity constraint violation: 1062 Duplicate entry '42' for key 'PRIMARY'",
  },
  {
    id: 'sql.data_exception',
    family: 'data_quality',
    // SQLSTATE class 22 (data exception): a value that does not parse or fit its type.
    pattern: new RegExp(
      `invalid input syntax for|value too long for type|numeric field overflow|out of range for type|\\bdivision by zero\\b|Incorrect (integer|decimal|double|date|datetime|time) value|Data too long for column|Data truncated for column|Out of range value for column|\\bORA-(01722|01841|01861|12899)\\b|Numeric value '[^']{0,100}' is not recognized|Timestamp '[^']{0,100}' is not recognized|Invalid input value for type|Check 'stl_load_errors' system table|String length exceeds DDL length|\\bname=(INVALID_CAST_ARGUMENT|NUMERIC_VALUE_OUT_OF_RANGE|DIVISION_BY_ZERO|INVALID_FUNCTION_ARGUMENT)\\b|${sqlState('22[0-9A-Z]{3}')}`,
      'i',
    ),
    specificity: 0.9,
    example: "ERROR 1366 (HY000): Incorrect integer value: 'n/a' for column 'qty' at row 1",
  },
  {
    id: 'file.malformed_rows',
    family: 'data_quality',
    // A delimited file whose rows do not parse (pandas' C parser and its skipped-line warnings).
    pattern:
      /\bError tokenizing data\b|\bExpected \d+ fields in line \d+, saw \d+|\bSkipping line \d+: expected \d+ fields/,
    specificity: 0.92,
    example: 'pandas.errors.ParserError: Error tokenizing data. C error: Expected 8 fields in line 7, saw 11',
  },
  {
    id: 'arrow.conversion',
    family: 'data_quality',
    // Arrow (pyarrow, polars, Velox) refusing a value of the wrong type in a typed column.
    pattern:
      /Could not convert '[^']{0,100}' with type \w+: tried to convert to|\bConversion failed for column\b|\bArrowTypeError\b|\bArrowInvalid: .{0,60}(convert|Conversion)|Cannot cast [A-Z]+ '[^']{0,100}' to [A-Z]+|Error converting from Python objects to/,
    specificity: 0.9,
    example:
      "pyarrow.lib.ArrowInvalid: (\"Could not convert 'n/a' with type str: tried to convert to int64\", 'Conversion failed for column qty with type object')",
  },
  {
    id: 'file.corrupt_input',
    family: 'data_quality',
    // The input bytes are not what their format promises (truncated Parquet, corrupt Kafka records).
    pattern:
      /\bis not a Parquet file\b|Parquet magic bytes not found|\bCorruptRecordException\b|\bInvalidTimestampException\b|\bSerializationException: Error deserializing\b/,
    specificity: 0.85,
    example:
      'java.lang.RuntimeException: s3://lake/orders/part-0.parquet is not a Parquet file. expected magic number at tail [80, 65, 82, 49] but found [117, 101, 116, 10]',
  },
  {
    id: 'file.bad_encoding',
    family: 'data_quality',
    // Bytes that are not valid in the declared encoding (Python, Postgres 22021, DuckDB's CSV reader).
    pattern:
      /\bUnicodeDecodeError: '[\w-]{1,20}' codec can't decode byte\b|\binvalid byte sequence for encoding\b|Invalid unicode \(byte sequence mismatch\) detected/,
    specificity: 0.9,
    example:
      "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9 in position 10: invalid continuation byte",
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

// Signatures of schema failures: a column the job expects is missing or renamed, or a column's
// type no longer matches what the reader or writer expects (Spark, Parquet, Delta, DuckDB).

import { type Signature, sqlState } from './signature.js';

export const SCHEMA_SIGNATURES: readonly Signature[] = [
  {
    id: 'spark.analysis.unresolved_column',
    family: 'schema',
    pattern:
      /\[UNRESOLVED_COLUMN(\.[A-Z_]+)?\]|cannot resolve '?[^\n]{0,200}?'? given input columns|cannot resolve column name|AnalysisException: Column '?[^\s']{1,200}'? does not exist|\[MISSING_COLUMN\]/,
    specificity: 0.95,
    example:
      "org.apache.spark.sql.AnalysisException: cannot resolve '`count`' given input columns: [company, name, title];;",
  },
  {
    id: 'spark.analysis.no_such_struct_field',
    family: 'schema',
    pattern: /No such struct field \S+ in|\[FIELD_NOT_FOUND\]/,
    specificity: 0.93,
    example: 'org.apache.spark.sql.AnalysisException: No such struct field zip in street, city',
  },
  {
    id: 'parquet.column_cannot_be_converted',
    family: 'schema',
    pattern:
      /Parquet column cannot be converted|SchemaColumnConvertNotSupportedException|PARQUET_COLUMN_DATA_TYPE_MISMATCH|Data type mismatches when reading Parquet column/,
    specificity: 0.96,
    example:
      'org.apache.spark.sql.execution.QueryExecutionException: Parquet column cannot be converted in file s3://b/t/part-0.parquet. Column: [protocol], Expected: bigint, Found: INT32',
  },
  {
    id: 'spark.incompatible_types',
    family: 'schema',
    pattern:
      /Failed to merge incompatible data types|Failed to merge fields '[^']{1,200}'|\[DATATYPE_MISMATCH[.\]]|Cannot up cast|\[CANNOT_UP_CAST_DATATYPE\]|incompatible types found in column/,
    specificity: 0.9,
    example:
      'org.apache.spark.SparkException: Failed to merge incompatible data types LongType and StringType',
  },
  {
    id: 'delta.schema_mismatch',
    family: 'schema',
    pattern:
      /A schema mismatch detected when writing to the Delta table|\[_LEGACY_ERROR_TEMP_DELTA_0007\]|DELTA_FAILED_TO_MERGE_FIELDS/,
    specificity: 0.95,
    example:
      'AnalysisException: A schema mismatch detected when writing to the Delta table (Table ID: 1d8e...).',
  },
  {
    id: 'athena.partition_schema_mismatch',
    family: 'schema',
    pattern: /HIVE_PARTITION_SCHEMA_MISMATCH|HIVE_CANNOT_OPEN_SPLIT: .{0,200}? is declared as type/,
    specificity: 0.93,
    example:
      'HIVE_PARTITION_SCHEMA_MISMATCH: There is a mismatch between the table and partition schemas. The types are incompatible and cannot be coerced.',
  },
  {
    id: 'spark.duplicate_columns',
    family: 'schema',
    pattern:
      /Found duplicate column\(s\)|\[COLUMN_ALREADY_EXISTS\]|Reference '[^']{1,200}' is ambiguous|\[AMBIGUOUS_REFERENCE\]/,
    specificity: 0.85,
    example: 'org.apache.spark.sql.AnalysisException: Found duplicate column(s) in the data schema: `id`',
  },
  {
    id: 'duckdb.binder.column_not_found',
    family: 'schema',
    pattern:
      /Binder Error: (Referenced column "[^"]{0,200}" not found|Values list "[^"]{0,200}" does not have a column named|Table "[^"]{0,200}" does not have a column named|table \S+ has \d+ columns but \d+ values were supplied)/i,
    specificity: 0.95,
    example: 'Binder Error: Referenced column "amount" not found in FROM clause!',
  },
  {
    id: 'duckdb.mismatch_type',
    family: 'schema',
    pattern: /Mismatch Type Error:|Binder Error: No function matches the given name and argument types/,
    specificity: 0.8,
    example: 'Mismatch Type Error: Type VARCHAR does not match with INTEGER. Cannot cast ENUM',
  },
  {
    id: 'sql.undefined_column',
    family: 'schema',
    // SQLSTATE 42703/42S22 (undefined column) and its wordings across engines.
    pattern: new RegExp(
      `\\bcolumn "[^"]{1,200}"( of relation "[^"]{1,200}")? does not exist|\\bcolumn [\\w.]{1,200} does not exist\\b|\\bUndefinedColumn\\b|\\bUnknown column '[^']{1,200}' in\\b|\\bER_BAD_FIELD_ERROR\\b|\\bORA-00904\\b|\\binvalid identifier '|Invalid column reference|Invalid table alias or column reference|Column '[^']{1,200}' (cannot be resolved|not found in any table)|\\bInvalid column: |\\bname=(COLUMN_NOT_FOUND|MISSING_COLUMN_NAME|TYPE_MISMATCH)\\b|\\bUnrecognized name: |Column \`[^\`]{1,200}\` not found in|\\bNOT_FOUND_COLUMN_IN_BLOCK\\b|${sqlState('42703|42S22')}`,
      'i',
    ),
    specificity: 0.93,
    example: 'psycopg2.errors.UndefinedColumn: column "amount" does not exist',
  },
  {
    id: 'table.incompatible_write',
    family: 'schema',
    // The data written no longer fits the target's column types (Spark, Impala, BigQuery loads).
    pattern:
      /Cannot write incompatible data (to|for the) table|\bCannot safely cast\b|\[INCOMPATIBLE_DATA_(FOR|TO)_TABLE|\bnot union compatible\b|\bIncompatible types '|may result in loss of precision|Provided Schema does not match Table|\bInvalid schema update\b|\bchanged type from [A-Z0-9_]+ to [A-Z0-9_]+|\bColumn type conversion from\b/i,
    specificity: 0.92,
    example: "AnalysisException: Cannot write incompatible data to table '`default`.`partitioned_flights`':",
  },
  // healer's own contract check (docs/embedded-runtime.md): a value not of the declared type is drift
  // of the column; a cast back, or the quarantine of what does not cast, repairs it.
  {
    id: 'healer.contract_type',
    family: 'schema',
    pattern: /Contract violation: \S.{0,300}? \(type\):/,
    specificity: 0.97,
    example:
      'E_CONTRACT: Contract violation: orders.amount (type): 1 of 5 values are not valid int64 (line 4: "n/a" is not a number)',
  },
];

// Signatures of dependency failures: the input the job depends on is not there (yet): a missing
// path or object, an empty input directory, a table or database not (yet) in the catalog, an
// upstream sensor that timed out. Waiting for upstream, then retrying, is the usual fix.

import type { Signature } from './signature.js';

export const DEPENDENCY_SIGNATURES: readonly Signature[] = [
  {
    id: 'fs.path_not_found',
    family: 'dependency',
    pattern:
      /\bFileNotFoundException\b|\bPath does not exist:|\[PATH_NOT_FOUND\]|No such file or directory|\bInput path does not exist\b|\bFileNotFoundError\b/,
    specificity: 0.9,
    example:
      'org.apache.spark.sql.AnalysisException: Path does not exist: s3://raw-bucket/orders/dt=2024-05-01',
  },
  {
    id: 's3.no_such_key',
    family: 'dependency',
    pattern: /\bNoSuchKey\b|The specified key does not exist/,
    specificity: 0.9,
    example:
      'botocore.errorfactory.NoSuchKey: An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist.',
  },
  {
    id: 'spark.unable_to_infer_schema',
    family: 'dependency',
    pattern: /Unable to infer schema for \w+|\[UNABLE_TO_INFER_SCHEMA\]/i,
    specificity: 0.85,
    example:
      'pyspark.sql.utils.AnalysisException: Unable to infer schema for Parquet. It must be specified manually.;',
  },
  {
    id: 'glue.entity_not_found',
    family: 'dependency',
    pattern:
      /\bEntityNotFoundException\b|Table or view not found|\[TABLE_OR_VIEW_NOT_FOUND\]|\bNoSuchTableException\b|\bNoSuchDatabaseException\b|\[SCHEMA_NOT_FOUND\]|Database '[^']{1,200}' not found/,
    specificity: 0.9,
    example:
      'An error occurred (EntityNotFoundException) when calling the GetTable operation: Table orders_curated not found.',
  },
  {
    id: 'duckdb.catalog.table_not_found',
    family: 'dependency',
    pattern:
      /Catalog Error: [^\n]{0,200}?(Table|View|Schema) with name \S+ does not exist|Table "[^"]{1,200}" could not be found/,
    specificity: 0.93,
    example: 'Catalog Error: Table with name orders does not exist!',
  },
  {
    id: 'duckdb.io.no_files_found',
    family: 'dependency',
    pattern:
      /IO Error: (No files found that match the pattern|No such file or directory|Cannot open file "[^"]{0,300}": No such file)/,
    specificity: 0.95,
    example: 'IO Error: No files found that match the pattern "data/in/orders-*.csv"',
  },
  {
    id: 'airflow.sensor_timeout',
    family: 'dependency',
    pattern: /\bAirflowSensorTimeout\b|Sensor has timed out|Snap\. Time is OUT/,
    specificity: 0.9,
    example:
      'airflow.exceptions.AirflowSensorTimeout: Sensor has timed out; run duration of 3600.1 seconds exceeds the specified timeout of 3600.0.',
  },
  // healer's own reader: an input with no rows is an upstream that did not deliver.
  {
    id: 'healer.empty_input',
    family: 'dependency',
    pattern: /Empty input: \S.{0,600}? (is empty|holds a header and no rows)/,
    specificity: 0.97,
    example: 'E_DATA: Empty input: /data/in.csv holds a header and no rows',
  },
];

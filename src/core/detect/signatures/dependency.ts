// Signatures of dependency failures: the input the job depends on is not there (yet): a missing
// path or object, an empty input directory, a table or database not (yet) in the catalog, an
// upstream sensor that timed out. Waiting for upstream, then retrying, is the usual fix.

import { type Signature, sqlState } from './signature.js';

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
  {
    id: 'sql.undefined_table',
    family: 'dependency',
    // SQLSTATE 42P01/42S02 (undefined table) and its wordings: the input table is not there (yet).
    // Snowflake says "does not exist or not authorized" on purpose; what it asserts is absence.
    pattern: new RegExp(
      `\\brelation "[^"]{1,200}" does not exist|\\bUndefinedTable\\b|Base table or view not found|Table '[^']{1,200}' doesn't exist|\\bER_NO_SUCH_TABLE\\b|\\bORA-00942\\b|\\btable or view does not exist\\b|Table not found '|\\[Error 10001\\]|does not exist or not authorized|Object does not exist, or operation cannot be performed|\\bTable '[^']{1,200}' does not exist\\b|\\btable \\S+ does not exist\\.|Not found: (Table|Dataset) |\\bname=(TABLE_NOT_FOUND|SCHEMA_NOT_FOUND|NOT_FOUND)\\b|${sqlState('42P01|42S02')}`,
      'i',
    ),
    specificity: 0.9,
    example: 'psycopg2.errors.UndefinedTable: relation "staging.orders" does not exist',
  },
  {
    id: 'kafka.unknown_topic',
    family: 'dependency',
    pattern:
      /\bUnknownTopicOrPartitionException\b|\bUNKNOWN_TOPIC_OR_PARTITION\b|This server does not host this topic-partition/,
    specificity: 0.9,
    example:
      'org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.',
  },
  {
    id: 'table.not_found_at_path',
    family: 'dependency',
    // A table format or engine finding nothing at the path it was given.
    pattern:
      /\bis not a Delta table\b|\[DELTA_TABLE_NOT_FOUND\]|\[DELTA_MISSING_DELTA_TABLE\]|AnalysisException: \S{1,300} doesn['’]t exist;?/,
    specificity: 0.88,
    example: 'org.apache.spark.sql.AnalysisException: `s3://lake/orders` is not a Delta table.',
  },
  // healer's own reader: an input with no rows is an upstream that did not deliver.
  {
    id: 'healer.empty_input',
    family: 'dependency',
    pattern: /Empty input: \S.{0,600}? (is empty|holds a header and no rows)/,
    specificity: 0.97,
    example: 'E_DATA: Empty input: /data/in.csv holds a header and no rows',
  },
  // healer's own reader: the input is not there yet, or older than its contract's freshness.
  {
    id: 'healer.input_not_ready',
    family: 'dependency',
    pattern: /Input not ready: \S.{0,600}? (has not arrived|is older than its freshness)/,
    specificity: 0.97,
    example:
      'E_DATA: Input not ready: /data/orders.csv is older than its freshness (modified 95 min ago, contract maxAgeMinutes 60)',
  },
];

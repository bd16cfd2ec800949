// Signatures of configuration failures: missing or malformed job arguments, unknown options,
// missing connectors or libraries. A human must change the job; retrying cannot help.

import { type Signature, sqlState } from './signature.js';

export const CONFIG_SIGNATURES: readonly Signature[] = [
  {
    id: 'glue.missing_argument',
    family: 'config',
    pattern:
      /the following arguments are required: --?\S+|argument --?[\w-]+ is required|argument --[\w-]+: expected one argument|getResolvedOptions.{0,200}(KeyError|required)/,
    specificity: 0.95,
    example: 'GlueArgumentError: the following arguments are required: --target_path',
  },
  {
    id: 'aws.validation',
    family: 'config',
    pattern:
      /\b(ValidationException|InvalidParameterValueException|InvalidInputException|InvalidParameterException|IllegalArgumentException: Invalid S3 URI)\b/,
    specificity: 0.8,
    example:
      'An error occurred (InvalidInputException) when calling the StartJobRun operation: Job arguments must be string',
  },
  {
    id: 'spark.data_source_not_found',
    family: 'config',
    pattern:
      /Failed to find data source:|\[DATA_SOURCE_NOT_FOUND\]|No FileSystem for scheme|UnsupportedFileSystemException|ClassNotFoundException: Class org\.apache\.hadoop\.fs\.s3a/,
    specificity: 0.9,
    example:
      'java.lang.ClassNotFoundException: Failed to find data source: delta. Please find packages at http://spark.apache.org/third-party-projects.html',
  },
  {
    id: 'python.module_not_found',
    family: 'config',
    pattern: /\bModuleNotFoundError: No module named\b|\bImportError: cannot import name\b/,
    specificity: 0.9,
    example: "ModuleNotFoundError: No module named 'awswrangler'",
  },
  {
    id: 'jvm.class_not_found',
    family: 'config',
    pattern: /\b(ClassNotFoundException|NoClassDefFoundError|NoSuchMethodError)\b/,
    specificity: 0.75,
    example: 'java.lang.NoClassDefFoundError: org/apache/spark/sql/avro/AvroFileFormat',
  },
  {
    id: 'airflow.dag_not_found',
    family: 'config',
    pattern: /dag_id could not be found|Dag id \S+ not found in DagModel|DagNotFound\b/,
    specificity: 0.85,
    example:
      'airflow.exceptions.AirflowException: dag_id could not be found: great_expectations_validation. Either the dag did not exist or it failed to parse..',
  },
  {
    id: 'duckdb.catalog_not_attached',
    family: 'config',
    pattern: /Binder Error: Catalog "[^"]{1,200}" does not exist|Catalog with name \S+ does not exist/,
    specificity: 0.85,
    example: 'Binder Error: Catalog "main" does not exist!',
  },
  {
    id: 'config.invalid_setting',
    family: 'config',
    pattern:
      /\bInvalid (value|configuration) for (key|config(uration)?|property)\b|\bUnrecognized option\b|\bunrecognized arguments:|Parser Error: syntax error at or near|\[PARSE_SYNTAX_ERROR\]|mismatched input '[^']{0,100}'\.? expecting|\bParsingException: line \d+:\d+/i,
    specificity: 0.8,
    example: 'main.py: error: unrecognized arguments: --JOB_ID j_0f9c',
  },
  {
    id: 'airflow.connection_not_defined',
    family: 'config',
    pattern:
      /The conn_id `[^`]{0,200}` isn't defined|\bCONNECTION_NOT_FOUND\b|\bVariable \S+ does not exist\b|\bVARIABLE_NOT_FOUND\b/,
    specificity: 0.95,
    example: "airflow.exceptions.AirflowNotFoundException: The conn_id `warehouse` isn't defined",
  },
  {
    id: 'dbt.profile_or_env',
    family: 'config',
    pattern:
      /Env var required but not provided|\bEnvVarMissingError\b|Could not find profile named|Profile loading failed|environment variable is required/,
    specificity: 0.93,
    example: "Env var required but not provided: 'DATABRICKS_HOST'",
  },
  {
    id: 'dbt.compilation_error',
    family: 'config',
    // dbt's compilation errors: the project's graph or SQL templates are wrong, not the data.
    pattern:
      /^\s*Compilation Error\b|\bdepends on (a )?node named '[^']{1,200}' which was not found|\bwhich is not in the graph!|\bexists but cannot be referenced from\b/,
    specificity: 0.9,
    example:
      "  Model 'model.dbtrepo.diabetes3' (models/intermediate/diabetes3.sql) depends on a node named 'diabetes2' which was not found",
  },
  {
    id: 'sql.syntax_error',
    family: 'config',
    // SQLSTATE 42601 and the parsers' words: the job's SQL does not parse; a human must fix it.
    pattern: new RegExp(
      `syntax error line \\d+ at position \\d+|\\bsyntax error at or near\\b|ParseException:? ?line \\d+:\\d+|cannot recognize input near|Failed to recognize predicate|You have an error in your SQL syntax|\\bER_PARSE_ERROR\\b|\\bORA-(00933|00936)\\b|Specified key was too long|${sqlState('42601')}`,
      'i',
    ),
    specificity: 0.88,
    example: "FAILED: ParseException line 1:37 cannot recognize input near '.' 'id1' 'BIGINT' in column type",
  },
  {
    id: 'spark.session_misconfigured',
    family: 'config',
    // A session or classpath without the extension, catalog or filesystem the job needs.
    pattern:
      /This Delta operation requires the SparkSession to be configured|\[DELTA_CONFIGURE_SPARK_SESSION|Table does not support (reads|writes)|S3AFileSystem (not found|could not be instantiated)|\bServiceConfigurationError\b/,
    specificity: 0.9,
    example:
      'org.apache.spark.sql.AnalysisException: This Delta operation requires the SparkSession to be configured with the',
  },
  {
    id: 'trino.user_error_config',
    family: 'config',
    // Trino's error names (StandardErrorCode) carry the family whatever the message says.
    pattern:
      /\bname=(SYNTAX_ERROR|NOT_SUPPORTED|FUNCTION_NOT_FOUND|INVALID_SESSION_PROPERTY|CATALOG_NOT_FOUND)\b/,
    specificity: 0.9,
    example:
      'TrinoUserError(type=USER_ERROR, name=SYNTAX_ERROR, message="line 1:1: mismatched input \'SELEC\'", query_id=20221003_221109_00002_uejbx)',
  },
  {
    id: 'sql.undefined_function',
    family: 'config',
    // SQLSTATE 42883 (undefined function) and Spark's UNRESOLVED_ROUTINE: the job calls a function
    // the engine does not have (a missing UDF registration, a dialect difference).
    pattern: new RegExp(
      `\\bfunction [\\w."]{1,200}\\([^)]{0,200}\\) does not exist\\b|\\[UNRESOLVED_ROUTINE\\]|\\bUndefined function: |\\bFUNCTION_NOT_FOUND\\b|${sqlState('42883')}`,
      'i',
    ),
    specificity: 0.88,
    example: 'psycopg2.errors.UndefinedFunction: function to_dat(unknown) does not exist',
  },
  {
    id: 'sql.invalid_catalog',
    family: 'config',
    // SQLSTATE 3D000: the connection names a database that is not there; the job's settings are wrong.
    pattern: new RegExp(
      `FATAL:\\s+database "[^"]{1,200}" does not exist|\\bUnknown database '[^']{1,200}'|\\bER_BAD_DB_ERROR\\b|${sqlState('3D000')}`,
      'i',
    ),
    specificity: 0.9,
    example: 'psycopg2.OperationalError: FATAL:  database "analytics" does not exist',
  },
  {
    id: 'kafka.invalid_config',
    family: 'config',
    pattern:
      /\b(InvalidConfiguration|Config|UnsupportedSaslMechanism|InvalidReplicationFactor|InvalidPartitions|InvalidRequiredAcks|InvalidTopic|UnsupportedVersion)Exception\b/,
    specificity: 0.85,
    example:
      'org.apache.kafka.common.errors.InvalidReplicationFactorException: Replication-factor is invalid.',
  },
  {
    id: 'sql.feature_not_supported',
    family: 'config',
    // SQLSTATE class 0A: the engine does not support what the job asks of it.
    pattern: new RegExp(
      `\\bfeature not supported\\b|\\[UNSUPPORTED_FEATURE|${sqlState('0A[0-9A-Z]{3}')}`,
      'i',
    ),
    specificity: 0.85,
    example: 'ERROR:  cannot use subquery in check constraint (SQLSTATE 0A000)',
  },
  // healer's own target check: the transform's output no longer matches the published target
  // schema. Adopting the new schema (or changing the transform back) is a human's decision.
  {
    id: 'healer.target_schema',
    family: 'config',
    pattern: /Contract violation: \S.{0,300}? \(target_schema\):/,
    specificity: 0.97,
    example:
      "E_CONTRACT: Contract violation: delay_by_airport.avg_delay: type_changed double → string (target_schema): the transform's output differs from catalog version 1",
  },
];

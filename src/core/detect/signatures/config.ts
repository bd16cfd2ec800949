// Signatures of configuration failures: missing or malformed job arguments, unknown options,
// missing connectors or libraries. A human must change the job; retrying cannot help.

import type { Signature } from './signature.js';

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
      /\bInvalid (value|configuration) for (key|config(uration)?|property)\b|\bUnrecognized option\b|\bunrecognized arguments:|Parser Error: syntax error at or near|\[PARSE_SYNTAX_ERROR\]|mismatched input '[^']{0,100}' expecting/i,
    specificity: 0.8,
    example: 'main.py: error: unrecognized arguments: --JOB_ID j_0f9c',
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

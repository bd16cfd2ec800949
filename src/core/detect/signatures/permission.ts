// Signatures of permission failures: denied by IAM, S3, Lake Formation, KMS, the file system, or
// expired and invalid credentials. Never transient: retrying the same call is denied again.

import { type Signature, sqlState } from './signature.js';

export const PERMISSION_SIGNATURES: readonly Signature[] = [
  {
    id: 'aws.access_denied',
    family: 'permission',
    pattern: /\bAccessDenied(Exception)?\b|\bAccess Denied\b|\bKMS\.AccessDeniedException\b/,
    specificity: 0.95,
    example:
      'com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 21722BC29BCED4A8)',
  },
  {
    id: 'aws.not_authorized',
    family: 'permission',
    pattern:
      /is not authorized to perform:? \S+|not authorized to perform|\bUnauthorizedOperation\b|\bUnauthorizedException\b/,
    specificity: 0.95,
    example:
      'User: arn:aws:sts::123456789012:assumed-role/GlueJobRole/session is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:catalog',
  },
  {
    id: 'lakeformation.insufficient_permissions',
    family: 'permission',
    pattern: /Insufficient Lake Formation permission\(s\)/i,
    specificity: 0.97,
    example:
      'AnalysisException: Insufficient Lake Formation permission(s) on sales_db (Service: AWSGlue; Status Code: 400)',
  },
  {
    id: 'aws.expired_token',
    family: 'permission',
    pattern:
      /\bExpiredToken(Exception)?\b|security token included in the request is expired|The provided token has expired|\bRequestExpired\b|Token has expired and refresh failed/i,
    specificity: 0.95,
    example:
      'com.amazonaws.services.s3.model.AmazonS3Exception: The provided token has expired. (Service: Amazon S3; Status Code: 400; Error Code: ExpiredToken)',
  },
  {
    id: 'aws.invalid_credentials',
    family: 'permission',
    pattern:
      /\b(InvalidAccessKeyId|SignatureDoesNotMatch|UnrecognizedClientException|InvalidClientTokenId|NoCredentialsError|Unable to locate credentials|Unable to load AWS credentials)\b/,
    specificity: 0.92,
    example: 'botocore.exceptions.NoCredentialsError: Unable to locate credentials',
  },
  {
    id: 's3.forbidden',
    family: 'permission',
    pattern: /\b403 Forbidden\b|Status Code: 403\b|\bHTTP 403\b|status code 403|\(403\) when calling/i,
    specificity: 0.85,
    example:
      'com.amazonaws.services.s3.model.AmazonS3Exception: Forbidden (Service: Amazon S3; Status Code: 403; Error Code: 403 Forbidden; Request ID: 8SV7S6VZTXYQZQMW)',
  },
  {
    id: 'os.permission_denied',
    family: 'permission',
    pattern: /\bPermission denied\b|\[Errno 13\]|\bEACCES\b|AccessControlException/,
    specificity: 0.85,
    example: "PermissionError: [Errno 13] Permission denied: '/data/out/part-0.parquet'",
  },
  {
    id: 'sql.invalid_authorization',
    family: 'permission',
    // SQLSTATE class 28 and the login failures of Postgres, MySQL, Oracle, SQL Server, Snowflake.
    pattern: new RegExp(
      `password authentication failed for user|FATAL:\\s+role "[^"]{1,200}" does not exist|\\bno pg_hba\\.conf entry\\b|fe_sendauth: no password supplied|\\bAccess denied for user\\b|\\bER_ACCESS_DENIED_ERROR\\b|\\bORA-(01017|01045|28000)\\b|Incorrect username or password|\\bLogin failed for user\\b|${sqlState('28[0-9A-Z]{3}')}`,
      'i',
    ),
    specificity: 0.96,
    example: 'psycopg2.OperationalError: FATAL:  password authentication failed for user "etl"',
  },
  {
    id: 'sql.insufficient_privilege',
    family: 'permission',
    // SQLSTATE 42501 (insufficient_privilege) and its wordings across engines.
    pattern: new RegExp(
      `\\bpermission denied for (table|relation|schema|database|sequence|function|view|column|tablespace|language)\\b|\\binsufficient[_ ]privileges?\\b|\\bmust be owner of\\b|\\bORA-01031\\b|\\bcommand denied to user\\b|${sqlState('42501')}`,
      'i',
    ),
    specificity: 0.95,
    example: 'org.postgresql.util.PSQLException: ERROR: permission denied for table orders',
  },
  {
    id: 'authz.not_authorized',
    family: 'permission',
    // Authorization exception classes (Kafka, Hadoop, gRPC-style clients) and IAM-style wordings.
    pattern:
      /\b\w*Authori[sz]ationException\b|\bAuthori[sz]ation failed\b|\bNot authorized to access (topics|group|cluster)\b|\bSaslAuthenticationException\b|\bAuthenticationException\b|\bdoes not have [\w.]+ permission\b|\bdoes not have permission to\b|\bPermission [\w.]+ denied on\b|"reason": "accessDenied"|\bAccess Denied: (Table|Project|Dataset)\b/,
    specificity: 0.93,
    example:
      'org.apache.kafka.common.errors.TopicAuthorizationException: Not authorized to access topics: [orders]',
  },
  {
    id: 'http.unauthorized',
    family: 'permission',
    pattern: /\b401 Unauthorized\b|\bHTTP 401\b|Status Code: 401\b|\bstatus code 401\b/i,
    specificity: 0.85,
    example:
      'requests.exceptions.HTTPError: 401 Client Error: 401 Unauthorized for url: https://api.example.com/v1/export',
  },
  {
    // The embedded runner's DuckDB is confined to the pipeline's roots: a path outside them.
    id: 'duckdb.file_access_disabled',
    family: 'permission',
    pattern:
      /Permission Error: Cannot access (file|directory) .* file system operations are disabled by configuration/,
    specificity: 0.95,
    example:
      'Permission Error: Cannot access file "/etc/passwd" - file system operations are disabled by configuration',
  },
];

// The redactor on a corpus of real secret shapes (vendors' documented example credentials), on
// ordinary log lines it must leave alone, and as properties (idempotent; planted secrets gone).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSecretKey, redact, redactDeep } from '../../src/core/redact.js';

/** [text with a secret, the secret that must be gone, a word around it that must stay]. */
const CORPUS: [string, string, string][] = [
  // AWS documented examples.
  ['aws_access_key_id = AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE', 'aws_access_key_id'],
  ['export AWS_ACCESS_KEY_ID=ASIAY34FZKBOKMUTVV7A', 'ASIAY34FZKBOKMUTVV7A', 'AWS_ACCESS_KEY_ID'],
  [
    'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'aws_secret_access_key',
  ],
  [
    '{"AccessKeyId":"AKIAI44QH8DHBEXAMPLE","SecretAccessKey":"je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"}',
    'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
    'SecretAccessKey',
  ],
  [
    'user,key\nalice,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'alice',
  ],
  ['--aws-secret-key je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY done', 'je7MtGbClwBF', 'done'],
  // Hadoop/Spark configuration keys use dots.
  [
    'spark.hadoop.fs.s3a.secret.key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'fs.s3a.secret.key=',
  ],
  ['--conf fs.s3a.access.key=AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE', 'fs.s3a.access.key'],
  ['secret=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY', 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY', 'secret='],
  // Passwords in URLs and JDBC strings.
  ['connecting to postgres://etl_user:s3cr3t-P4ss@db.internal:5432/warehouse', 's3cr3t-P4ss', 'db.internal'],
  ['mongodb+srv://admin:hunter2@cluster0.example.mongodb.net/test', 'hunter2', 'cluster0'],
  ['https://bob:Pa%24%24w0rd@git.example.com/repo.git', 'Pa%24%24w0rd', 'git.example.com'],
  ['jdbc:mysql://db:3306/sales?user=etl&password=Tr0ub4dor&useSSL=true', 'Tr0ub4dor', 'useSSL=true'],
  [
    'jdbc:sqlserver://sql01;databaseName=dw;user=sa;password=Sup3r$ecret;encrypt=true',
    'Sup3r$ecret',
    'encrypt',
  ],
  ['jdbc:oracle:thin:scott/tiger@orahost:1521/ORCL', 'tiger', 'orahost'],
  ['Driver={ODBC};Server=x;Uid=etl;Pwd=Xyzzy123;', 'Xyzzy123', 'Uid=etl'],
  ['PGPASSWORD=correcthorse psql -h db', 'correcthorse', 'psql'],
  ["config: {'password': 'my pass phrase'}", 'my pass phrase', 'config'],
  ['DB_PASSWORD: "q1w2e3r4"', 'q1w2e3r4', 'DB_PASSWORD'],
  // Bearer and basic credentials.
  [
    'Authorization: Bearer abcdef0123456789abcdef0123456789',
    'abcdef0123456789abcdef0123456789',
    'Authorization',
  ],
  ['curl -H "Authorization: Basic dXNlcjpwYXNzd29yZA==" https://api', 'dXNlcjpwYXNzd29yZA==', 'curl'],
  ['retrying with bearer 9f8e7d6c5b4a39281706 after 401', '9f8e7d6c5b4a39281706', 'after 401'],
  [
    'token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'dozjgNryP4J3jVmNHl0w5N',
    'token',
  ],
  // GitHub's documented token formats.
  [
    'git clone https://ghp_16C7e42F292c6912E7710c838347Ae178B4a@github.com/o/r',
    'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
    'github.com',
  ],
  [
    'GH_TOKEN gho_16C7e42F292c6912E7710c838347Ae178B4a',
    'gho_16C7e42F292c6912E7710c838347Ae178B4a',
    'GH_TOKEN',
  ],
  [
    'using github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY',
    'github_pat_11ABCDEFG0123456789',
    'using',
  ],
  // Slack.
  [
    'SLACK_BOT xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy',
    'xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy',
    'SLACK_BOT',
  ],
  [
    'xoxp-1234567890-1234567890-1234567890-abcdef0123456789abcdef0123456789',
    'abcdef0123456789abcdef',
    'xoxp'.slice(0, 0),
  ],
  [
    'POST https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX failed',
    'XXXXXXXXXXXXXXXXXXXXXXXX',
    'hooks.slack.com/services/',
  ],
  // Stripe.
  ['stripe key sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'stripe key'],
  ['rk_live_51H8abcDEF0123456789xyz restricted', 'rk_live_51H8abcDEF0123456789xyz', 'restricted'],
  // Private keys.
  [
    'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\naFDrBz9vFqU4yVH2eY6dY6Zs\n-----END RSA PRIVATE KEY-----\nnext line',
    'MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn',
    'next line',
  ],
  [
    '"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\\n',
    'b3BlbnNzaC1rZXktdjEAAAAABG5vbmU',
    '"',
  ],
  // Generic pairs and webhook tokens.
  ['GET /v1/items?api_key=9a8b7c6d5e4f&page=2', '9a8b7c6d5e4f', 'page=2'],
  ['token=abc123XYZ secret=shh-its-a-secret', 'shh-its-a-secret', 'token='],
  ['x-api-key: Zk9v0bAr1QuUx', 'Zk9v0bAr1QuUx', 'x-api-key'],
  [
    '{"routing_key":"R0123456789ABCDEF0123456789ABCDEF","event_action":"trigger"}',
    'R0123456789ABCDEF',
    'trigger',
  ],
  ['client_secret="Q~abc.DEF_123"', 'Q~abc.DEF_123', 'client_secret'],
  [
    'https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue',
    '0123456789abcdef0123456789abcdef',
    'pagerduty',
  ],
  ['https://discord.com/api/webhooks/123456/AbC-dEf_GhI', 'AbC-dEf_GhI', 'discord.com'],
  [
    'https://bucket.s3.amazonaws.com/k?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101&X-Amz-Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024',
    'fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024',
    'bucket.s3',
  ],
  [
    'AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe in config',
    'AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe',
    'in config',
  ],
];

/** Ordinary log lines: hashes, UUIDs, S3 paths, column names, SQL, numbers. Must come out unchanged. */
const ORDINARY = [
  'commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904 merged',
  'run jr_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef failed',
  'request id 3f2b9c1e-8d4a-4e6b-9f0a-1c2d3e4f5a6b',
  'reading s3://analytics-raw/orders/year=2026/month=01/part-00000-c000.snappy.parquet',
  's3://my-bucket/data/Orders2024/part/Region/EU/Something1/file.csv',
  'Column "token_count" of type BIGINT; max_tokens=4096; secret_flag is false',
  'Binder Error: Referenced column "password_hash" not found in FROM clause! Candidate bindings: "user_id"',
  'INSERT INTO orders (order_id, amount, customer_key) VALUES (1, 2.5, 3)',
  'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'Conversion Error: Could not convert string "CANCELLED" to INT64 at line 38',
  'java.lang.OutOfMemoryError: Java heap space (executor 3, 12.4 GB)',
  'schema: token: VARCHAR, password_hash: VARCHAR, created: TIMESTAMP',
  'Basic validation failed for column amount',
  'error: token expired, re-authenticating',
  'PWD=/home/glue/work job started',
  'author=jane key_columns=order_id,line_no',
  'arn:aws:glue:eu-west-1:123456789012:job/orders-nightly',
  'https://docs.example.com/guide#section-2 and http://localhost:8080/path',
  'ETag "d41d8cd98f00b204e9800998ecf8427e" version 3',
  'AKIA is the prefix of access key ids; see the docs',
];

describe('redact', () => {
  it.each(CORPUS)('removes the secret from %j', (text, secret, kept) => {
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED:');
    expect(out).toContain(kept);
  });

  it.each(ORDINARY)('leaves an ordinary line unchanged: %j', (line) => {
    expect(redact(line)).toBe(line);
  });

  it('leaves every line of the real error-log corpus (Glue, Spark, DuckDB, YARN, JDBC) unchanged', () => {
    const corpus = JSON.parse(
      readFileSync(join(import.meta.dirname, '../fixtures/error-logs/corpus.json'), 'utf8'),
    ) as { id: string; text: string }[];
    expect(corpus.length).toBeGreaterThan(50);
    const changed = corpus.filter((c) => redact(c.text) !== c.text).map((c) => c.id);
    expect(changed).toEqual([]);
  });

  it('keeps the user and host of a URL, only the password goes', () => {
    expect(redact('postgres://etl:hunter2@db:5432/x')).toBe('postgres://etl:[REDACTED:password]@db:5432/x');
  });

  it('names JSON keys that hold credentials, and not ordinary ones', () => {
    for (const k of [
      'password',
      'db_password',
      'aws_secret_access_key',
      'apiKey',
      'x-api-key',
      'routingKey',
      'token',
    ])
      expect(isSecretKey(k), k).toBe(true);
    for (const k of [
      'keys',
      'authorityHash',
      'max_tokens',
      'tokenCount',
      'primaryKey',
      'author',
      'hash',
      'policyHash',
    ])
      expect(isSecretKey(k), k).toBe(false);
  });

  it('redacts deep values, whole values under secret keys, and error messages', () => {
    const input = {
      event: {
        details: { db_password: 'plain words', note: 'ok' },
        errorMessage: 'AKIAIOSFODNN7EXAMPLE denied',
      },
      list: [{ token: 'x y z' }, 3, null, true],
      error: new Error('password=hunter2'),
    };
    const out = redactDeep(input);
    expect(out.event.details.db_password).toBe('[REDACTED:password]');
    expect(out.event.details.note).toBe('ok');
    expect(out.event.errorMessage).toBe('[REDACTED:aws_access_key_id] denied');
    expect(out.list).toEqual([{ token: '[REDACTED:token]' }, 3, null, true]);
    expect(out.error.message).toBe('password=[REDACTED:password]');
    expect(input.event.details.db_password).toBe('plain words');
  });

  it('is linear on hostile input (a 1 MB run of name-like characters)', () => {
    const started = performance.now();
    redact(`${'a_'.repeat(500_000)}=x`);
    redact('a'.repeat(1_000_000));
    redact(`password=${'b'.repeat(1_000_000)}`);
    // A generous bound: a quadratic pattern takes minutes here, a linear one milliseconds.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  // Secrets that name themselves by their shape: caught in any context.
  const shapedArb = fc.oneof(
    fc.stringMatching(/^AKIA[A-Z0-9]{16}$/),
    fc.stringMatching(/^ghp_[A-Za-z0-9]{36}$/),
    fc.stringMatching(/^github_pat_[A-Za-z0-9_]{82}$/),
    fc.stringMatching(/^xoxb-[0-9]{11}-[0-9]{11}-[A-Za-z0-9]{24}$/),
    fc.stringMatching(/^sk_live_[A-Za-z0-9]{24}$/),
    fc.constantFrom('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY'),
  );
  // Any password: caught because of where it stands (a key, a header, a URL's userinfo).
  const passwordArb = fc.stringMatching(/^[A-Za-z0-9!$%*~^.-]{6,30}$/);
  const anyContext = fc.constantFrom(
    (s: string) => `failed: ${s}`,
    (s: string) => `${s} was rejected`,
    (s: string) => `(${s})`,
    (s: string) => `x=${s}`,
    (s: string) => `"${s}"`,
  );
  const keyedContext = fc.constantFrom(
    (s: string) => `password=${s}`,
    (s: string) => `"token": "${s}"`,
    (s: string) => `Authorization: Bearer ${s}`,
    (s: string) => `Authorization: Basic ${s}`,
    (s: string) => `jdbc:postgresql://db/x?user=u&password=${s}&ssl=1`,
    (s: string) => `https://u:${s}@host/x`,
    (s: string) => `api_key=${s}`,
    (s: string) => `DB_PASSWORD: '${s}'`,
    (s: string) => `spark.hadoop.fs.s3a.secret.key=${s}`,
    (s: string) => `javax.jdo.option.ConnectionPassword=${s}`,
  );
  const plantedArb = fc.oneof(
    fc.tuple(shapedArb, fc.oneof(anyContext, keyedContext)),
    fc.tuple(passwordArb, keyedContext),
  );
  const wordsArb = fc.array(fc.constantFrom(...ORDINARY), { maxLength: 3 });

  it('property: a planted secret never survives, and redaction is idempotent', () => {
    fc.assert(
      fc.property(plantedArb, wordsArb, wordsArb, ([secret, context], before, after) => {
        const text = [...before, context(secret), ...after].join('\n');
        const once = redact(text);
        expect(once).not.toContain(secret);
        expect(redact(once)).toBe(once);
        for (const line of [...before, ...after]) expect(once).toContain(line);
      }),
      { numRuns: 500, seed: 42 },
    );
  });
});

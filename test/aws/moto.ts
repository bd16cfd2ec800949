// Test support: a real moto_server (the AWS API emulator) on a free 127.0.0.1 port, and real AWS
// SDK v3 clients pointed at it with fake credentials in us-east-1.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { CloudWatchLogs } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDB, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Glue } from '@aws-sdk/client-glue';
import { S3 } from '@aws-sdk/client-s3';
import { Scheduler } from '@aws-sdk/client-scheduler';
import { SNS } from '@aws-sdk/client-sns';
import { SQS } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const ROOT = resolve(import.meta.dirname, '../..');
export const VENV_PYTHON = resolve(ROOT, '.venv/bin/python');

/**
 * Makes sure `.venv` has moto[server] and pyspark. The aws tier's globalSetup has already made it;
 * this is the fallback for a file run on its own outside that tier.
 */
export function ensurePythonVenv(): void {
  const ok =
    existsSync(VENV_PYTHON) &&
    (() => {
      try {
        execFileSync(VENV_PYTHON, ['-c', 'import moto, pyspark, flask_cors'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
  if (!ok) execFileSync('bash', [resolve(ROOT, 'scripts/setup-python.sh')], { stdio: 'inherit' });
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? done(address.port) : fail(new Error('no port')),
      );
    });
  });
}

export interface Moto {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts moto_server and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  ensurePythonVenv();
  const port = await freePort();
  // One request at a time: see moto_serial_server.py (the emulator's conditional writes race otherwise).
  const child: ChildProcess = spawn(
    resolve(ROOT, '.venv/bin/python'),
    [resolve(ROOT, 'test/aws/moto_serial_server.py'), '127.0.0.1', String(port)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited: ${stderr}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`moto_server did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Real SDK clients against the emulator. */
export function motoClients(endpoint: string) {
  const config = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const dynamodbRaw = new DynamoDBClient(config);
  return {
    glue: new Glue(config),
    logs: new CloudWatchLogs(config),
    s3: new S3({ ...config, forcePathStyle: true }),
    sns: new SNS(config),
    sqs: new SQS(config),
    scheduler: new Scheduler(config),
    ddb: new DynamoDB(config),
    dynamodbRaw,
    dynamodb: DynamoDBDocumentClient.from(dynamodbRaw, { marshallOptions: { removeUndefinedValues: true } }),
  };
}
export type MotoClients = ReturnType<typeof motoClients>;

/** The state table the CDK construct creates: pk/sk strings, TTL on expiresAt. */
export async function createStateTable(c: MotoClients, name: string): Promise<void> {
  await c.ddb.createTable({
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  });
}

/** The Powertools idempotency table: partition key `id`. */
export async function createIdempotencyTable(c: MotoClients, name: string): Promise<void> {
  await c.ddb.createTable({
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  });
}

/**
 * How moto moves Glue job runs: `immediate` (default: a run is SUCCEEDED as soon as it is read) or
 * `manual` (one step STARTING → RUNNING → SUCCEEDED per GetJobRun), through moto's state manager.
 */
export async function setGlueRunProgression(endpoint: string, progression: 'immediate' | 'manual') {
  const transition = progression === 'manual' ? { progression, times: 1 } : { progression };
  const response = await fetch(`${endpoint}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    body: JSON.stringify({ model_name: 'glue::job_run', transition }),
  });
  if (!response.ok) throw new Error(`moto set-transition failed: ${response.status}`);
}

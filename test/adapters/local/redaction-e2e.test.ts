// No planted secret reaches any output: real incidents on the embedded runtime (DuckDB, files), with
// secrets planted in the failing job's data, its log and the event's message and details, and the
// escalation sent to the file notifier, the terminal and a webhook on a local HTTP server. Then the
// audit, the escalation files, the state store's incidents, `incidents --json`, `incident show`
// and every notifier body are searched for each secret.

import { once } from 'node:events';
import { appendFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLogPath } from '../../../src/adapters/local/index.js';
import { handleIncident } from '../../../src/agent.js';
import { memoryIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import { createLocalEnvironment } from '../../../src/environments/local-environment.js';

const PIPE = `name: secrets
sources:
  payments:
    path: in.csv
    contract:
      columns:
        id: { type: int64, nullable: false }
        amount: { type: double, nullable: false }
transform: |
  SELECT sum(amount) AS total, count(*) AS n FROM payments
target: { path: out.parquet }
authority: { mode: autonomous }
retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 }
`;

/** Webhook bodies received by a local HTTP server (the Slack-style target). */
const bodies: string[] = [];
let server: ReturnType<typeof createServer>;
let port = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    req.on('end', () => {
      bodies.push(`${req.url} ${text}`);
      res.writeHead(200).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

const alnum = (n: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9]{${n}}$`));
/** One set of secrets, each long and random enough never to occur by chance. */
const secretsArb = fc.record({
  awsKeyId: fc.stringMatching(/^AKIA[A-Z0-9]{16}$/),
  awsSecret: fc
    .stringMatching(/^[A-Za-z0-9/+]{40}$/)
    .filter((s) => /[a-z]/.test(s) && /[A-Z]/.test(s) && /[0-9]/.test(s)),
  github: alnum(36).map((s) => `ghp_${s}`),
  slackBot: alnum(24).map((s) => `xoxb-1234567890-0987654321-${s}`),
  slackHook: alnum(24),
  stripe: alnum(24).map((s) => `sk_live_${s}`),
  bearer: alnum(32),
  jdbcPassword: alnum(12).map((s) => `Pw${s}9`),
  urlPassword: alnum(14).map((s) => `Url${s}7`),
  apiKey: alnum(20),
  privateKeyBody: alnum(64),
  webhookToken: alnum(24),
});
type Secrets = typeof secretsArb extends fc.Arbitrary<infer T> ? T : never;

async function incidentWithSecrets(s: Secrets): Promise<{
  outputs: Record<string, string> & {
    webhook: string;
    escalations: string;
    auditVerify: string;
    audit: string;
  };
  status: string;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'healer-secrets-'));
  await writeFile(join(dir, 'pipeline.yaml'), PIPE);
  const rows = Array.from({ length: 100 }, (_, i) => `${i},${i}.5`);
  await writeFile(join(dir, 'in.csv'), ['id,amount', ...rows].join('\n'));
  const terminal: string[] = [];
  const env = await createLocalEnvironment({
    pipelineFile: join(dir, 'pipeline.yaml'),
    terminal: (t) => terminal.push(t),
    // The notifier's own URL carries a token in its path, as Slack's does.
    webhook: { url: `http://127.0.0.1:${port}/services/T0/B0/${s.webhookToken}`, format: 'slack' },
  });
  let status = '';
  let id = '';
  try {
    expect((await env.runner.run(env.spec)).status).toBe('succeeded');
    // The data: a third of the amounts are credentials an upstream system leaked into the column.
    const leaked = [s.awsKeyId, s.github, s.stripe];
    const drifted = rows.map((r, i) => (i % 10 < 3 ? r.replace(/,.*/, `,${leaked[i % 3]}`) : r));
    await writeFile(join(dir, 'in.csv'), ['id,amount', ...drifted].join('\n'));
    const run = await env.runner.run(env.spec);
    expect(run.status).toBe('failed');
    if (run.status !== 'failed') throw new Error('unreachable');
    // The job's log: what real Spark/Glue logs leak.
    await appendFile(
      runLogPath(env.stateDir, env.spec.name, run.runId),
      [
        `INFO connecting jdbc:postgresql://warehouse:5432/dw?user=etl&password=${s.jdbcPassword}&ssl=true`,
        `DEBUG request headers {"Authorization": "Bearer ${s.bearer}"}`,
        `DEBUG env aws_access_key_id=${s.awsKeyId} aws_secret_access_key=${s.awsSecret}`,
        '-----BEGIN RSA PRIVATE KEY-----',
        s.privateKeyBody,
        '-----END RSA PRIVATE KEY-----',
        `WARN slack ${s.slackBot} posting to https://hooks.slack.com/services/T0/B0/${s.slackHook}`,
        '',
      ].join('\n'),
    );
    const event = {
      ...run.event,
      errorMessage: `${run.event.errorMessage} (source postgres://etl:${s.urlPassword}@db.internal/dw)`,
      details: { ...run.event.details, api_key: s.apiKey, note: `retry with token=${s.github}` },
    };
    const incident = await handleIncident(event, env);
    status = incident.status;
    id = incident.id;
  } finally {
    await env.close();
  }
  const state = env.stateDir;
  const cli = async (args: string[]) => {
    const io = memoryIo('', dir);
    await main([...args, '--state-dir', state], io);
    return io.stdout + io.stderr;
  };
  const escalations = join(state, 'escalations');
  const escalationFiles = await readdir(escalations).catch(() => [] as string[]);
  const store = (await import('../../../src/adapters/local/index.js')).SqliteStateStore.open(
    join(state, 'state.sqlite'),
    { readOnly: true },
  );
  let stored = '';
  try {
    stored = JSON.stringify(await store.listIncidents(100));
  } finally {
    await store.close();
  }
  return {
    status,
    outputs: {
      audit: await readFile(join(state, 'audit.jsonl'), 'utf8'),
      escalations: (
        await Promise.all(escalationFiles.map((f) => readFile(join(escalations, f), 'utf8')))
      ).join('\n'),
      stateStore: stored,
      incidentsJson: await cli(['incidents', '--json']),
      incidentShow: await cli(['incident', 'show', id]),
      incidentShowJson: await cli(['incident', 'show', id, '--json']),
      auditVerify: await cli(['audit', 'verify']),
      terminal: terminal.join(''),
      webhook: bodies.splice(0).join('\n'),
    },
  };
}

describe('no planted secret reaches any output', () => {
  it('property: over random secrets in data, log, event message and details, nothing leaks', async () => {
    await fc.assert(
      fc.asyncProperty(secretsArb, async (secrets) => {
        const { outputs, status } = await incidentWithSecrets(secrets);
        // The incident escalated, so every notifier was exercised.
        expect(status).toBe('escalated');
        expect(outputs.escalations).not.toBe('');
        expect(outputs.webhook).toContain('needs a human');
        expect(outputs.auditVerify).toMatch(/^audit ok/);
        expect(outputs.audit).toContain('[REDACTED:');
        // The webhook server itself sees its own URL; the bodies must not carry it.
        for (const [where, text] of Object.entries(outputs))
          for (const [name, secret] of Object.entries(secrets))
            if (!(where === 'webhook' && name === 'webhookToken'))
              expect(text.includes(secret), `${name} leaked into ${where}`).toBe(false);
        expect(
          outputs.webhook.split('\n').every((l) => !l.slice(l.indexOf(' ')).includes(secrets.webhookToken)),
        ).toBe(true);
      }),
      { numRuns: 3, seed: 7, endOnFailure: true },
    );
  }, 240_000);
});

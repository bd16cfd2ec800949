// Durable state on one DynamoDB table (pk/sk, TTL on `expiresAt`): event claims, retry budgets,
// scale steps and deferrals per run chain, the circuit breaker, per-job locks, incidents and the job
// memory (what last resolved a job in a state, `fix#<job>` items). Every
// claim and lock is a conditional write, so concurrent Lambdas never both win.

import { hostname } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Action, isAction } from '../../core/action.js';
import type { BudgetUsage } from '../../core/decision.js';
import { HealerError } from '../../core/errors.js';
import type {
  ClaimOptions,
  EventClaim,
  IncidentRecord,
  LockAttempt,
  LockHolder,
  ResourceAction,
  StateStore,
} from '../../ports.js';
import { awsCall, awsErrorName } from './aws-errors.js';

/** The DynamoDB document client call the store uses (`send`). */
export type DynamodbDocumentClientLike = Pick<DynamoDBDocumentClient, 'send'>;

export interface DynamodbStateStoreOptions {
  client?: DynamodbDocumentClientLike;
  /** Table with string keys `pk` (partition) and `sk` (sort), TTL attribute `expiresAt`. */
  tableName: string;
  /** How long claims and incidents are kept, days. Default 30. */
  retentionDays?: number;
}

const HOUR = 3_600_000;

/**
 * StateStore over DynamoDB.
 *
 * @example
 * const state = new DynamodbStateStore({ tableName: 'healer-state' });
 * if (!(await state.claimEvent('jr_1:FAILED'))) return;
 */
export class DynamodbStateStore implements StateStore {
  private readonly db: DynamodbDocumentClientLike;
  private readonly table: string;
  private readonly retentionS: number;

  constructor(options: DynamodbStateStoreOptions) {
    this.db =
      options.client ??
      DynamoDBDocumentClient.from(new DynamoDBClient({}), {
        marshallOptions: { removeUndefinedValues: true },
      });
    this.table = options.tableName;
    this.retentionS = (options.retentionDays ?? 30) * 86_400;
  }

  async claimEvent(key: string, options?: ClaimOptions): Promise<boolean> {
    const now = options?.now ?? new Date();
    const lease = options?.leaseMs === undefined ? {} : { leaseUntilMs: now.getTime() + options.leaseMs };
    return this.conditional(() =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...this.eventKey(key),
            status: 'claimed',
            ...(options?.incidentId ? { incidentId: options.incidentId } : {}),
            ...lease,
            expiresAt: this.ttl(now.getTime()),
          },
          // New, or claimed by a holder that died before acting (its lease passed).
          ConditionExpression:
            'attribute_not_exists(pk) OR (#status = :claimed AND attribute_exists(#lease) AND #lease <= :now)',
          ExpressionAttributeNames: { '#status': 'status', '#lease': 'leaseUntilMs' },
          ExpressionAttributeValues: { ':claimed': 'claimed', ':now': now.getTime() },
        }),
      ),
    );
  }

  async getEventClaim(key: string): Promise<EventClaim | undefined> {
    const got = await awsCall('dynamodb:GetItem', this.table, () =>
      this.db.send(new GetCommand({ TableName: this.table, Key: this.eventKey(key), ConsistentRead: true })),
    );
    const item = got.Item;
    if (!item) return undefined;
    const status = item.status === 'claimed' || item.status === 'acting' ? item.status : 'done';
    return {
      key,
      status,
      ...(typeof item.incidentId === 'string' ? { incidentId: item.incidentId } : {}),
      ...(typeof item.action === 'string' && isAction(item.action) ? { action: item.action } : {}),
      ...(typeof item.leaseUntilMs === 'number'
        ? { leaseUntil: new Date(item.leaseUntilMs).toISOString() }
        : {}),
    };
  }

  async markEventActing(key: string, action: Action): Promise<void> {
    await awsCall('dynamodb:UpdateItem', this.table, () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.eventKey(key),
          UpdateExpression: 'SET #status = :acting, #action = :action',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status', '#action': 'action' },
          ExpressionAttributeValues: { ':acting': 'acting', ':action': action },
        }),
      ),
    );
  }

  async endEventLease(key: string, now: Date): Promise<void> {
    await this.conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.eventKey(key),
          UpdateExpression: 'SET #lease = :now',
          ConditionExpression: 'attribute_exists(pk) AND #status <> :done',
          ExpressionAttributeNames: { '#lease': 'leaseUntilMs', '#status': 'status' },
          ExpressionAttributeValues: { ':now': now.getTime(), ':done': 'done' },
        }),
      ),
    );
  }

  async finishEvent(key: string): Promise<void> {
    await awsCall('dynamodb:UpdateItem', this.table, () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.eventKey(key),
          UpdateExpression: 'SET #status = :done REMOVE #lease',
          ExpressionAttributeNames: { '#status': 'status', '#lease': 'leaseUntilMs' },
          ExpressionAttributeValues: { ':done': 'done' },
        }),
      ),
    );
  }

  /**
   * Forgets a claim under which nothing ran, so a redelivery of the event is handled again. A
   * claim that started acting is never released: a redelivery must reconcile, not act twice.
   */
  async releaseEvent(key: string): Promise<void> {
    await this.conditional(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: this.eventKey(key),
          ConditionExpression: '#status = :claimed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':claimed': 'claimed' },
        }),
      ),
    );
  }

  private eventKey(key: string) {
    return { pk: `event#${key}`, sk: '-' };
  }

  async usage(job: string, runId: string, now: Date): Promise<BudgetUsage> {
    const hourAgo = new Date(now.getTime() - HOUR).toISOString();
    const items = await this.queryAll(`retry#${job}`);
    const resources = await this.queryAll(`resource#${job}`);
    const breaker = await awsCall('dynamodb:GetItem', this.table, () =>
      this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `breaker#${job}`, sk: '-' } })),
    );
    return {
      retriesThisRun: items.filter((i) => i.runId === runId).length,
      retriesThisJobLastHour: items.filter((i) => typeof i.at === 'string' && i.at >= hourAgo).length,
      consecutiveFailedRemediations: Number(breaker.Item?.failures ?? 0),
      scaleStepsThisRun: resources.filter((i) => i.runId === runId && i.action === 'scale_resources').length,
      deferralsThisRun: resources.filter((i) => i.runId === runId && i.action === 'defer').length,
    };
  }

  /** Every item of one partition, page by page. */
  private async queryAll(pk: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await awsCall('dynamodb:Query', this.table, () =>
        this.db.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
            ExclusiveStartKey: start,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async recordResourceAction(job: string, runId: string, action: ResourceAction, at: Date): Promise<void> {
    await awsCall('dynamodb:PutItem', this.table, () =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `resource#${job}`,
            sk: `${at.toISOString()}#${runId}#${action}#${Math.random().toString(36).slice(2, 10)}`,
            runId,
            action,
            at: at.toISOString(),
            // A chain's deferrals are bounded by hours (RESOURCE_HARD_LIMITS.maxDeferSeconds): a day covers it.
            expiresAt: Math.floor(at.getTime() / 1000) + 86_400,
          },
        }),
      ),
    );
  }

  async recordRetry(job: string, runId: string, at: Date): Promise<void> {
    await awsCall('dynamodb:PutItem', this.table, () =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `retry#${job}`,
            sk: `${at.toISOString()}#${runId}#${Math.random().toString(36).slice(2, 10)}`,
            runId,
            at: at.toISOString(),
            // Retries count towards hourly budgets only; a day of history is plenty.
            expiresAt: Math.floor(at.getTime() / 1000) + 86_400,
          },
        }),
      ),
    );
  }

  async lastFix(job: string, stateKey: string): Promise<Action | undefined> {
    const got = await awsCall('dynamodb:GetItem', this.table, () =>
      this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `fix#${job}`, sk: stateKey } })),
    );
    // An item this healer cannot read (a foreign or future action name) is no memory at all.
    const action = got.Item?.action;
    return typeof action === 'string' && isAction(action) ? action : undefined;
  }

  async recordFix(job: string, stateKey: string, action: Action, at: Date): Promise<void> {
    await awsCall('dynamodb:PutItem', this.table, () =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          // The latest validated fix replaces the one before; it expires with the retention.
          Item: {
            pk: `fix#${job}`,
            sk: stateKey,
            kind: 'fix',
            action,
            at: at.toISOString(),
            expiresAt: this.ttl(at.getTime()),
          },
        }),
      ),
    );
  }

  async recordRemediation(job: string, succeeded: boolean): Promise<void> {
    const Key = { pk: `breaker#${job}`, sk: '-' };
    await awsCall('dynamodb:UpdateItem', this.table, () =>
      this.db.send(
        succeeded
          ? new UpdateCommand({
              TableName: this.table,
              Key,
              UpdateExpression: 'SET failures = :zero',
              ExpressionAttributeValues: { ':zero': 0 },
            })
          : new UpdateCommand({
              TableName: this.table,
              Key,
              UpdateExpression: 'ADD failures :one',
              ExpressionAttributeValues: { ':one': 1 },
            }),
      ),
    );
  }

  async tryLock(job: string, owner: string, ttlMs: number, now: Date): Promise<LockAttempt> {
    const at = now.toISOString();
    const mine: LockHolder = { owner, host: hostname(), pid: process.pid, acquiredAt: at, heartbeatAt: at };
    // A Lambda's process cannot be checked from another: a holder is gone when it stops beating.
    for (let tries = 0; tries < 3; tries++) {
      try {
        const out = await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              pk: `lock#${job}`,
              sk: '-',
              owner,
              host: mine.host,
              pid: mine.pid,
              acquiredAt: at,
              heartbeat: now.getTime(),
              expiresAt: Math.ceil((now.getTime() + ttlMs) / 1000) + 3600,
            },
            // Free, stale (or an older item with a passed `until`), or already ours.
            ConditionExpression:
              'attribute_not_exists(pk) OR #hb < :stale OR #until < :now OR #owner = :owner',
            ExpressionAttributeNames: { '#hb': 'heartbeat', '#until': 'until', '#owner': 'owner' },
            ExpressionAttributeValues: {
              ':stale': now.getTime() - ttlMs,
              ':now': now.getTime(),
              ':owner': owner,
            },
            ReturnValues: 'ALL_OLD',
          }),
        );
        const old = out.Attributes;
        if (old && old.owner !== owner)
          return {
            acquired: true,
            holder: mine,
            takenOver: { previous: lockHolderOf(old), reason: 'heartbeat_stale' },
          };
        return { acquired: true, holder: mine };
      } catch (error) {
        if (awsErrorName(error) !== 'ConditionalCheckFailedException')
          return awsCall('dynamodb:PutItem', this.table, () => Promise.reject(error));
      }
      const held = await awsCall('dynamodb:GetItem', this.table, () =>
        this.db.send(
          new GetCommand({
            TableName: this.table,
            Key: { pk: `lock#${job}`, sk: '-' },
            ConsistentRead: true,
          }),
        ),
      );
      // Released between the two calls: try again.
      if (held.Item) return { acquired: false, holder: lockHolderOf(held.Item) };
    }
    throw new HealerError('E_LOCKED', `lock ${job} changed hands three times while being taken`, {
      retryable: true,
      context: { job },
    });
  }

  async heartbeatLock(job: string, owner: string, now: Date): Promise<boolean> {
    return this.conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `lock#${job}`, sk: '-' },
          UpdateExpression: 'SET #hb = :now',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#hb': 'heartbeat', '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': now.getTime(), ':owner': owner },
        }),
      ),
    );
  }

  async releaseLock(job: string, owner: string): Promise<void> {
    await this.conditional(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: `lock#${job}`, sk: '-' },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      ),
    );
  }

  async saveIncident(incident: IncidentRecord): Promise<void> {
    await awsCall('dynamodb:PutItem', this.table, () =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `incident#${incident.id}`,
            sk: '-',
            kind: 'incident',
            startedAt: incident.startedAt,
            status: incident.status,
            // Stored as JSON text: records hold empty strings and deep nesting DynamoDB maps handle poorly.
            body: JSON.stringify(incident),
            expiresAt: this.ttl(Date.parse(incident.startedAt) || Date.now()),
          },
        }),
      ),
    );
  }

  async getIncident(id: string): Promise<IncidentRecord | undefined> {
    const got = await awsCall('dynamodb:GetItem', this.table, () =>
      this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `incident#${id}`, sk: '-' } })),
    );
    return typeof got.Item?.body === 'string' ? (JSON.parse(got.Item.body) as IncidentRecord) : undefined;
  }

  async listIncidents(limit = 50): Promise<IncidentRecord[]> {
    const out: IncidentRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await awsCall('dynamodb:Scan', this.table, () =>
        this.db.send(
          new ScanCommand({
            TableName: this.table,
            FilterExpression: 'kind = :kind',
            ExpressionAttributeValues: { ':kind': 'incident' },
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of page.Items ?? [])
        if (typeof item.body === 'string') out.push(JSON.parse(item.body) as IncidentRecord);
      start = page.LastEvaluatedKey;
    } while (start);
    return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, limit);
  }

  private ttl(fromMs: number): number {
    return Math.floor(fromMs / 1000) + this.retentionS;
  }

  /** Runs a conditional write: true when it applied, false when its condition failed. */
  private async conditional(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') return false;
      return awsCall('dynamodb:conditional-write', this.table, () => Promise.reject(error));
    }
  }
}

/** A lock item as the holder it names (older items carry only `owner` and `until`). */
function lockHolderOf(item: Record<string, unknown>): LockHolder {
  const beat = Number(item.heartbeat ?? item.until ?? 0);
  return {
    owner: String(item.owner ?? '?'),
    host: String(item.host ?? '?'),
    pid: Number(item.pid ?? 0),
    acquiredAt: String(item.acquiredAt ?? new Date(beat).toISOString()),
    heartbeatAt: new Date(beat).toISOString(),
  };
}

// The approval API behind API Gateway: `GET /pending`, `GET /incidents/{id}`,
// `POST /incidents/{id}/approve` and `POST /incidents/{id}/reject`, as one Hono app that hono's aws-lambda adapter feeds with API
// Gateway events. It only translates: who signed the request, the body (zod), the HTTP status of
// each outcome; approving and rejecting are `approveIncident` / `rejectIncident`, the same flow as
// `healer approve` (re-gather, re-decide on changed facts, guard again, execute, audit).

import type { Logger } from '@aws-lambda-powertools/logger';
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { approveIncident, isExpired, rejectIncident } from '../../approval.js';
import { HealerError, oneLine } from '../../core/errors.js';
import { redact } from '../../core/redact.js';
import { incidentHeadline } from '../../incident-headline.js';
import type { Environment, IncidentRecord } from '../../ports.js';

/** Everything the approval handler needs, injected so tests build it against moto. */
export interface ApprovalApiDeps {
  /** Built once per container and reused. */
  environment: () => Promise<Environment>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /**
   * IAM principal ARNs allowed to approve or reject, checked on top of the API's IAM auth (403 for
   * anyone else). Undefined: every principal the API's IAM auth lets in.
   */
  approvers?: readonly string[];
}

/** What the API returns for one approval or rejection. */
export interface ApprovalApiResult {
  status: 'resolved' | 'escalated' | 'recorded' | 'rejected' | 'redecided';
  incident: { id: string; status: string; action?: string; summary: string };
  /** The facts that changed since the decision: a new approval is needed (`redecided`). */
  diff?: unknown[];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const approveBody = z
  .object({ by: z.string().trim().min(1).max(128), note: z.string().max(2000).optional() })
  .strict();
const rejectBody = z
  .object({ by: z.string().trim().min(1).max(128), reason: z.string().trim().min(1).max(2000) })
  .strict();
/** The body of each verb, tagged with the verb so the call below needs no cast. */
const verdictBody = {
  approve: approveBody.transform((b) => ({ ...b, verb: 'approve' as const })),
  reject: rejectBody.transform((b) => ({ ...b, verb: 'reject' as const })),
};

/**
 * The signed-in caller as API Gateway reports it after IAM (SigV4) auth: REST APIs put it in
 * `requestContext.identity`, HTTP APIs in `requestContext.authorizer.iam`.
 */
const requestContextSchema = z.object({
  identity: z
    .object({ userArn: z.string().min(1).nullish() })
    .partial()
    .nullish(),
  authorizer: z
    .object({
      iam: z
        .object({ userArn: z.string().min(1).nullish() })
        .partial()
        .nullish(),
    })
    .partial()
    .nullish(),
});

type Bindings = { requestContext?: unknown };

/** The app (routes and status codes); `makeApprovalHandler` wraps it for Lambda. */
export function createApprovalApiApp(deps: ApprovalApiDeps): Hono<{ Bindings: Bindings }> {
  const app = new Hono<{ Bindings: Bindings }>();
  let environment: Promise<Environment> | undefined;
  const env = () => {
    environment ??= deps.environment();
    return environment;
  };
  const fail = (status: ContentfulStatusCode, code: string, error: string) => ({ status, code, error });
  type Failure = ReturnType<typeof fail>;

  app.onError((error, c) => {
    // Every healer error has a status; anything else is a 500 with one redacted line.
    const failure =
      error instanceof HealerError ? statusOf(error) : fail(500, 'E_INTERNAL', redact(oneLine(error)));
    deps.logger.error('approval API call failed', { path: c.req.path, ...failure });
    return c.json({ error: failure.error, code: failure.code }, failure.status);
  });
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}`, code: 'E_NOT_FOUND' }, 404));

  /** The IAM principal that signed the request, or why there is none / it may not act. */
  const principalOf = (requestContext: unknown, write: boolean): string | Failure => {
    const parsed = requestContextSchema.safeParse(requestContext ?? {});
    const arn = parsed.success
      ? (parsed.data.identity?.userArn ?? parsed.data.authorizer?.iam?.userArn ?? undefined)
      : undefined;
    // API Gateway with IAM auth never forwards an unsigned request; no principal means the API was
    // deployed without it, and nothing is approved anonymously.
    if (!arn) return fail(401, 'E_AUTH', 'the request is not signed (the API requires IAM auth, SigV4)');
    if (write && deps.approvers && !isApprover(arn, deps.approvers))
      return fail(403, 'E_AUTH', `${arn} may not approve or reject (not in HEALER_APPROVER_ARNS)`);
    return arn;
  };

  app.get('/pending', async (c) => {
    const principal = principalOf(c.env?.requestContext, false);
    if (typeof principal !== 'string') return c.json(errorBody(principal), principal.status);
    const e = await env();
    const now = e.clock.now();
    const pending = (await e.state.listIncidents(10_000)).filter((i) => i.status === 'awaiting_approval');
    return c.json({ incidents: pending.map((i) => pendingView(i, now)) });
  });

  // Where an approval whose execution outlived API Gateway's 29 s (a 504) can be followed.
  app.get('/incidents/:id', async (c) => {
    const principal = principalOf(c.env?.requestContext, false);
    if (typeof principal !== 'string') return c.json(errorBody(principal), principal.status);
    const id = c.req.param('id');
    if (!ID.test(id))
      return c.json({ error: `not an incident id: ${id.slice(0, 64)}`, code: 'E_INPUT' }, 400);
    const incident = await (await env()).state.getIncident(id);
    if (!incident) return c.json({ error: `no incident ${id}`, code: 'E_NOT_FOUND' }, 404);
    return c.json({ incident });
  });

  for (const verb of ['approve', 'reject'] as const) {
    app.post(`/incidents/:id/${verb}`, async (c) => {
      const principal = principalOf(c.env?.requestContext, true);
      if (typeof principal !== 'string') return c.json(errorBody(principal), principal.status);
      const id = c.req.param('id');
      if (!ID.test(id))
        return c.json({ error: `not an incident id: ${id.slice(0, 64)}`, code: 'E_INPUT' }, 400);
      let json: unknown;
      try {
        json = await c.req.json();
      } catch {
        return c.json({ error: 'the body is not JSON', code: 'E_INPUT' }, 400);
      }
      const body = verdictBody[verb].safeParse(json);
      if (!body.success) return c.json({ error: zodMessage(body.error), code: 'E_INPUT' }, 400);

      const e = await env();
      const incident = await e.state.getIncident(id);
      if (!incident) return c.json({ error: `no incident ${id}`, code: 'E_NOT_FOUND' }, 404);
      if (incident.status !== 'awaiting_approval')
        return c.json(
          { error: `incident ${id} is ${incident.status}, not awaiting approval`, code: 'E_APPROVAL' },
          409,
        );
      // An expired approval can still be rejected (it closes the incident), never approved.
      if (verb === 'approve' && isExpired(incident, e.clock.now()))
        return c.json(
          {
            error: `approval of incident ${id} expired at ${incident.approval?.expiresAt}; reject it, or re-run the job for a new decision`,
            code: 'E_APPROVAL',
          },
          410,
        );

      // Who acted is the name given and the IAM principal that signed the call (audit and incident).
      const input = body.data;
      const by = `${input.by} (${principal})`;
      const result =
        input.verb === 'approve'
          ? await approveIncident(id, e, { by, ...(input.note ? { note: input.note } : {}) })
          : await rejectIncident(id, e, { by, reason: input.reason });
      deps.logger.info(`incident ${verb}`, { incidentId: id, by, status: result.status });
      const out: ApprovalApiResult = {
        status: result.status,
        incident: {
          id: result.incident.id,
          status: result.incident.status,
          ...(result.incident.action ? { action: result.incident.action } : {}),
          summary: result.incident.summary,
        },
        ...(result.diff ? { diff: result.diff } : {}),
      };
      return c.json(out);
    });
  }
  return app;
}

/**
 * Builds the Lambda handler (API Gateway REST or HTTP API proxy events) from its deps.
 *
 * @example
 * export const handler = makeApprovalHandler({ environment, logger });
 */
export function makeApprovalHandler(deps: ApprovalApiDeps) {
  return handle(createApprovalApiApp(deps));
}

/**
 * Whether the signer is on the approver list: the same ARN, or a session of a listed role (people
 * sign in through SSO or AssumeRole, so API Gateway reports `arn:aws:sts::<account>:assumed-role/
 * <role>/<session>` for `arn:aws:iam::<account>:role/[<path>/]<role>`).
 */
export function isApprover(arn: string, approvers: readonly string[]): boolean {
  if (approvers.includes(arn)) return true;
  const session = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  if (!session) return false;
  const [, partition, account, role] = session;
  return approvers.some((a) => {
    const listed = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.+\/)?([^/]+)$/.exec(a);
    return listed !== null && listed[1] === partition && listed[2] === account && listed[3] === role;
  });
}

/** One pending incident as `GET /pending` lists it: enough to decide without another call. */
function pendingView(i: IncidentRecord, now: Date) {
  return {
    ...incidentHeadline(i),
    requestedAt: i.approval?.requestedAt,
    expiresAt: i.approval?.expiresAt,
    expired: isExpired(i, now),
  };
}

/** A healer error raised inside the approval flow (after the checks above: a race) as HTTP. */
function statusOf(error: HealerError): { status: ContentfulStatusCode; code: string; error: string } {
  const message = redact(oneLine(error));
  switch (error.code) {
    case 'E_NOT_FOUND':
      return { status: 404, code: error.code, error: message };
    case 'E_APPROVAL':
    case 'E_LOCKED':
      // Another approver holds the incident, or it stopped being pending meanwhile.
      return { status: 409, code: error.code, error: message };
    case 'E_INPUT':
      return { status: 400, code: error.code, error: message };
    default:
      return { status: 500, code: error.code, error: message };
  }
}

function errorBody(failure: { code: string; error: string }) {
  return { error: failure.error, code: failure.code };
}

function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join('.') || '(body)'}: ${issue?.message ?? 'invalid'}`;
}

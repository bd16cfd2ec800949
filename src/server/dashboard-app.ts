// The dashboard and its JSON API as one Hono app: incidents (list, filters, one page each with the
// evidence, findings, decision trace, validation, row accounting and quarantined rows), the
// approvals queue, the policy's Q-table and versions, and charts. Reads go through injected
// functions; writes (approve, reject) need the bearer token and, from forms, the CSRF cookie.

import { type Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { AuditRecord } from '../core/audit-chain.js';
import { HealerError, oneLine } from '../core/errors.js';
import type { PolicyArtifact } from '../core/policy/artifact.js';
import { incidentHeadline } from '../incident-headline.js';
import type { IncidentRecord } from '../ports.js';
import { type EventIntake, registerEventsApi } from './events-api.js';
import { filterIncidents, type IncidentFilter } from './incident-view.js';
import { approvalsPage, chartsPage, incidentPage, incidentsPage, messagePage, policyPage } from './pages.js';
import { checkBearer, checkForm, newCsrfToken, type WriteAuth } from './write-auth.js';

/** The quarantined rows of one incident, for the preview table. */
export interface QuarantinePreview {
  file: string;
  columns: string[];
  rows: Record<string, unknown>[];
  total: number;
}

/** A policy version the dashboard can show and compare. */
export interface PolicyVersion {
  name: string;
  artifact: PolicyArtifact;
  current: boolean;
}

/** Shadow precision per family (from the governance records), when there are any. */
export interface FamilyPrecision {
  family: string;
  labelled: number;
  precision: number;
  lower95: number;
}

/** What approving or rejecting returned. */
export interface ApprovalOutcome {
  status: string;
  summary: string;
}

/** Everything the dashboard reads and may write, injected by the composition (`healer serve`). */
export interface DashboardDeps {
  listIncidents(): Promise<IncidentRecord[]>;
  getIncident(id: string): Promise<IncidentRecord | undefined>;
  readAudit?(id: string): Promise<AuditRecord[]>;
  quarantinePreview?(incident: IncidentRecord, limit: number): Promise<QuarantinePreview[]>;
  policies(): Promise<PolicyVersion[]>;
  shadowPrecision?(): Promise<FamilyPrecision[]>;
  approvals?: {
    approve(id: string, input: { by?: string; note?: string }): Promise<ApprovalOutcome>;
    reject(id: string, input: { reason: string; by?: string }): Promise<ApprovalOutcome>;
  };
  /** `HEALER_TOKEN`; without it the dashboard is read-only. */
  token?: string;
  /** Autonomy thresholds drawn on the precision chart. */
  autonomyThreshold?: number;
  /** Takes failure events posted to `POST /api/events` (bearer `token` required). */
  events?: EventIntake;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const filterSchema = z
  .object({
    status: z.string().max(64).optional(),
    family: z.string().max(64).optional(),
    pipeline: z.string().max(256).optional(),
    since: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
  })
  .strict();
const approveSchema = z
  .object({ by: z.string().min(1).max(128).optional(), note: z.string().max(2000).optional() })
  .strict();
const rejectSchema = z
  .object({ reason: z.string().min(1).max(2000), by: z.string().min(1).max(128).optional() })
  .strict();
const CSRF_COOKIE = 'healer_csrf';

/**
 * Builds the app. Serve it with `@hono/node-server` (`healer serve`) or call `app.request()` in tests.
 *
 * @example
 * const app = createDashboardApp({ listIncidents, getIncident, policies, token: process.env.HEALER_TOKEN });
 * const res = await app.request('/api/incidents?status=escalated');
 */
export function createDashboardApp(deps: DashboardDeps): Hono {
  const app = new Hono();
  const readOnly = !deps.token || !deps.approvals;

  app.onError((error, c) => {
    const status = error instanceof HealerError ? httpStatusOf(error) : 500;
    if (c.req.path.startsWith('/api/')) return c.json({ error: oneLine(error), code: codeOf(error) }, status);
    return c.html(messagePage('Error', oneLine(error), { readOnly }), status);
  });
  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? c.json({ error: `no route ${c.req.method} ${c.req.path}`, code: 'E_NOT_FOUND' }, 404)
      : c.html(messagePage('Not found', `nothing at ${c.req.path}`, { readOnly }), 404),
  );

  // ---- JSON API ----
  app.get('/api/incidents', async (c) => {
    const filter = filterSchema.safeParse(c.req.query());
    if (!filter.success) return c.json({ error: zodMessage(filter.error), code: 'E_INPUT' }, 400);
    const { limit, ...rest } = filter.data;
    const list = filterIncidents(await deps.listIncidents(), rest).slice(0, limit ?? 500);
    return c.json({ incidents: list.map(summaryOf) });
  });
  app.get('/api/incidents/:id', async (c) => {
    const incident = await find(deps, c.req.param('id'));
    if (!incident) return c.json({ error: `no incident ${c.req.param('id')}`, code: 'E_NOT_FOUND' }, 404);
    const audit = deps.readAudit ? await deps.readAudit(incident.id) : undefined;
    return c.json({ incident, ...(audit ? { audit } : {}) });
  });
  app.get('/api/pending', async (c) => {
    const pending = (await deps.listIncidents()).filter((i) => i.status === 'awaiting_approval');
    return c.json({ incidents: pending.map(summaryOf) });
  });
  registerEventsApi(app, deps);
  for (const verb of ['approve', 'reject'] as const) {
    app.post(`/api/incidents/:id/${verb}`, async (c) => {
      const auth = checkBearer(c.req.header('authorization'), deps.token);
      if (!auth.ok) return c.json({ error: auth.reason, code: 'E_AUTH' }, auth.status);
      const incident = await find(deps, c.req.param('id'));
      if (!incident) return c.json({ error: `no incident ${c.req.param('id')}`, code: 'E_NOT_FOUND' }, 404);
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return c.json({ error: 'the body is not JSON', code: 'E_INPUT' }, 400);
      }
      const outcome = await write(deps, verb, incident.id, body);
      if ('error' in outcome) return c.json({ error: outcome.error, code: 'E_INPUT' }, 400);
      return c.json(outcome);
    });
  }

  // ---- pages ----
  app.get('/', async (c) => {
    const parsed = filterSchema.safeParse(dropEmpty(c.req.query()));
    const filter: IncidentFilter = parsed.success ? parsed.data : {};
    const all = await deps.listIncidents();
    return c.html(
      incidentsPage(all, filterIncidents(all, filter), filter, {
        readOnly,
        error: parsed.success ? undefined : zodMessage(parsed.error),
      }),
    );
  });
  app.get('/incidents/:id', async (c) => {
    const incident = await find(deps, c.req.param('id'));
    if (!incident)
      return c.html(messagePage('Not found', `no incident ${c.req.param('id')}`, { readOnly }), 404);
    const audit = deps.readAudit ? await deps.readAudit(incident.id) : [];
    const preview = deps.quarantinePreview ? await deps.quarantinePreview(incident, 20).catch(() => []) : [];
    return c.html(incidentPage(incident, audit, preview, { readOnly, csrf: csrfFor(c) }));
  });
  app.get('/approvals', async (c) => {
    const pending = (await deps.listIncidents()).filter((i) => i.status === 'awaiting_approval');
    return c.html(approvalsPage(pending, { readOnly, csrf: csrfFor(c) }));
  });
  for (const verb of ['approve', 'reject'] as const) {
    app.post(`/incidents/:id/${verb}`, async (c) => {
      const form = await c.req.parseBody();
      const field = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : undefined);
      const auth: WriteAuth = checkForm(
        { token: field('token'), csrf: field('csrf') },
        getCookie(c, CSRF_COOKIE),
        deps.token,
      );
      if (!auth.ok) return c.html(messagePage('Not allowed', auth.reason, { readOnly }), auth.status);
      const incident = await find(deps, c.req.param('id'));
      if (!incident)
        return c.html(messagePage('Not found', `no incident ${c.req.param('id')}`, { readOnly }), 404);
      const body =
        verb === 'approve'
          ? dropEmpty({ by: field('by'), note: field('note') })
          : dropEmpty({ by: field('by'), reason: field('reason') });
      const outcome = await write(deps, verb, incident.id, body);
      if ('error' in outcome) return c.html(messagePage('Bad request', outcome.error, { readOnly }), 400);
      return c.redirect(`/incidents/${encodeURIComponent(incident.id)}`, 303);
    });
  }
  app.get('/policy', async (c) => {
    const versions = await deps.policies();
    return c.html(policyPage(versions, c.req.query('a'), c.req.query('b'), { readOnly }));
  });
  app.get('/charts', async (c) => {
    const precision = deps.shadowPrecision ? await deps.shadowPrecision() : [];
    return c.html(
      chartsPage(await deps.listIncidents(), precision, deps.autonomyThreshold ?? 0.9, { readOnly }),
    );
  });
  return app;

  function csrfFor(c: Context): string {
    let value = getCookie(c, CSRF_COOKIE);
    if (!value) {
      value = newCsrfToken();
      setCookie(c, CSRF_COOKIE, value, { httpOnly: true, sameSite: 'Strict', path: '/' });
    }
    return value;
  }
}

async function find(deps: DashboardDeps, id: string): Promise<IncidentRecord | undefined> {
  return ID.test(id) ? deps.getIncident(id) : undefined;
}

async function write(
  deps: DashboardDeps,
  verb: 'approve' | 'reject',
  id: string,
  body: unknown,
): Promise<ApprovalOutcome | { error: string }> {
  if (!deps.approvals)
    return { error: 'approvals are not available here (start `healer serve` with --pipelines)' };
  if (verb === 'approve') {
    const input = approveSchema.safeParse(body ?? {});
    if (!input.success) return { error: zodMessage(input.error) };
    return deps.approvals.approve(id, input.data);
  }
  const input = rejectSchema.safeParse(body ?? {});
  if (!input.success) return { error: zodMessage(input.error) };
  return deps.approvals.reject(id, input.data);
}

/** The list view of an incident (the JSON API's list items). */
function summaryOf(i: IncidentRecord) {
  const { id, ...headline } = incidentHeadline(i);
  return {
    id,
    status: i.status,
    ...headline,
    startedAt: i.startedAt,
    durationMs: i.durationMs,
  };
}

function dropEmpty<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}

function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join('.') || '(body)'}: ${issue?.message ?? 'invalid'}`;
}

function codeOf(error: unknown): string {
  return error instanceof HealerError ? error.code : 'E_INTERNAL';
}

function httpStatusOf(error: HealerError): 400 | 404 | 409 | 500 {
  switch (error.code) {
    case 'E_NOT_FOUND':
      return 404;
    case 'E_LOCKED':
      return 409;
    case 'E_INTERNAL':
      return 500;
    default:
      return 400;
  }
}

// `POST /api/events`: failure events pushed to `healer serve` (the Airflow listener plugin posts
// here when `HEALER_URL` is set). Bearer `HEALER_TOKEN` is required; the body is validated by the
// intake's zod schema and handed over as is (for Airflow: written to the spool folder that
// `healer airflow watch` reads), so healer acts on it exactly as on a spooled event, once.

import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { checkBearer } from './write-auth.js';

/** Largest body accepted (an event carries at most 100,000 characters of error text). */
export const MAX_EVENT_BYTES = 256 * 1024;

/** Where posted events go. `schema` is the trust boundary: nothing unparsed reaches `accept`. */
export interface EventIntake<T = unknown> {
  schema: z.ZodType<T>;
  /** Queues the event; `id`: the event id healer will handle it under, `queued`: where it waits. */
  accept(event: T): Promise<{ id: string; queued: string }>;
}

/**
 * Adds the route to the app. Without an intake the route answers 404 after the token check.
 *
 * @example
 * registerEventsApi(app, { token: process.env.HEALER_TOKEN, events: airflowEventIntake(spoolDir) });
 */
export function registerEventsApi(app: Hono, deps: { token?: string; events?: EventIntake }): void {
  app.post(
    '/api/events',
    bodyLimit({
      maxSize: MAX_EVENT_BYTES,
      onError: (c) => c.json({ error: `the body is over ${MAX_EVENT_BYTES} bytes`, code: 'E_INPUT' }, 413),
    }),
    async (c) => {
      const auth = checkBearer(c.req.header('authorization'), deps.token);
      if (!auth.ok) return c.json({ error: auth.reason, code: 'E_AUTH' }, auth.status);
      if (!deps.events)
        return c.json(
          { error: 'no event intake here (start `healer serve` with --airflow-config)', code: 'E_NOT_FOUND' },
          404,
        );
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return c.json({ error: 'the body is not JSON', code: 'E_INPUT' }, 400);
      }
      const parsed = deps.events.schema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return c.json(
          { error: `${issue?.path.join('.') || '(body)'}: ${issue?.message ?? 'invalid'}`, code: 'E_INPUT' },
          400,
        );
      }
      const queued = await deps.events.accept(parsed.data);
      return c.json({ accepted: true, ...queued }, 202);
    },
  );
}

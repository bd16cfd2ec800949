// Who may change things through the dashboard: a bearer token (`HEALER_TOKEN`), compared in
// constant time; forms also carry a CSRF token bound to a cookie. Without a configured token the
// dashboard is read-only: no request can approve or reject.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The outcome of an authorization check: ok, or the HTTP status and why. */
export type WriteAuth = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/** Compares two secrets in constant time (hashing first makes the lengths equal). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Checks an `Authorization: Bearer …` header (the JSON API). */
export function checkBearer(header: string | undefined, token: string | undefined): WriteAuth {
  if (!token)
    return { ok: false, status: 403, reason: 'the dashboard is read-only: HEALER_TOKEN is not set' };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return { ok: false, status: 401, reason: 'missing bearer token' };
  return sameSecret(match[1], token) ? { ok: true } : { ok: false, status: 401, reason: 'wrong token' };
}

/** Checks a form post: the token typed into the form, and the CSRF field against its cookie. */
export function checkForm(
  fields: { token?: string; csrf?: string },
  csrfCookie: string | undefined,
  token: string | undefined,
): WriteAuth {
  if (!token)
    return { ok: false, status: 403, reason: 'the dashboard is read-only: HEALER_TOKEN is not set' };
  if (!csrfCookie || !fields.csrf || !sameSecret(fields.csrf, csrfCookie))
    return {
      ok: false,
      status: 403,
      reason: 'the form is stale or was not sent by this dashboard (CSRF check)',
    };
  if (!fields.token || !sameSecret(fields.token, token))
    return { ok: false, status: 401, reason: 'wrong token' };
  return { ok: true };
}

/** A fresh CSRF token for a browser that has none. */
export function newCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}

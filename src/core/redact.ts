// The one redactor: removes credentials from any text or JSON value before healer records, prints
// or sends it. Applied once where evidence enters the agent, and again on everything that leaves
// through the audit, the state store and the notifiers. Pure and idempotent.

/** What a redacted span is replaced with: the kind of secret, never any part of it. */
export function redactedMark(kind: string): string {
  return `[REDACTED:${kind}]`;
}

const MARK = '[REDACTED';

/**
 * Names whose value is a credential, as a key in `name=value`, `name: value`, JSON or headers. The
 * name must END in one of these words: `db_password`, `aws_secret_access_key`, `oauth_token` and
 * `x-api-key` match; `token_count`, `max_tokens`, `secret_flag` and `author` do not.
 */
const SECRET_NAME = `[A-Za-z0-9_.-]{0,48}?(?:passwd|password|passphrase|pwd|secret|token|api[_.-]?key|apikey|access[_.-]?key|secret[_.-]?key|private[_.-]?key|signing[_.-]?key|routing[_.-]?key|integration[_.-]?key|service[_.-]?key|credentials?|auth|authorization|signature|sig|client[_.-]?secret|session[_.-]?id)`;

/** Whole-key test for JSON object keys (`{"password": "…"}` at any depth). */
const SECRET_KEY = new RegExp(`^[_-]*${SECRET_NAME}$`, 'i');

/** A value made of these characters ends a bare `name=value`. */
const BARE_VALUE = String.raw`[^\s&;,'"()\[\]{}<>|\\]+`;

interface Rule {
  kind: string;
  pattern: RegExp;
  /** Replacement; `$n` groups keep the non-secret context. */
  replace: (match: string, ...groups: string[]) => string;
}

const keepPrefix =
  (kind: string) =>
  (_match: string, prefix: string): string =>
    `${prefix}${redactedMark(kind)}`;

/** Ordered: block and shape rules first, so generic pairs never see half a key. */
const RULES: Rule[] = [
  {
    // PEM blocks; a block cut off by log truncation is removed to the end of the text.
    kind: 'private_key',
    pattern:
      /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
    replace: () => redactedMark('private_key'),
  },
  {
    // userinfo in any URL: scheme://user:password@host (JDBC, postgres, mongodb+srv, amqp, https).
    kind: 'url_password',
    pattern: /\b([a-z][a-z0-9+.-]{1,30}:\/\/[^\s:/@'"<>]*:)(?!\[REDACTED)[^\s@/'"<>]+(?=@)/gi,
    replace: keepPrefix('password'),
  },
  {
    // Oracle thin: jdbc:oracle:thin:scott/tiger@host:1521/SID
    kind: 'jdbc_password',
    pattern: /\b(jdbc:oracle:[a-z]+:[^\s/@:'"]+\/)(?!\[REDACTED)[^\s@'"]+(?=@)/gi,
    replace: keepPrefix('password'),
  },
  {
    kind: 'slack_webhook',
    pattern: /\b(hooks\.slack(?:-gov)?\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9_/-]+/gi,
    replace: keepPrefix('slack_webhook'),
  },
  {
    // Discord, Teams/Office and PagerDuty v1 integration URLs carry their secret in the path.
    kind: 'webhook_token',
    pattern:
      /\b((?:discord(?:app)?\.com\/api\/webhooks|[a-z0-9.-]*webhook\.office\.com\/webhookb2|outlook\.office\.com\/webhook|events\.pagerduty\.com\/integration)\/)[A-Za-z0-9@_/.-]+/gi,
    replace: keepPrefix('webhook_token'),
  },
  {
    kind: 'aws_access_key_id',
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    replace: () => redactedMark('aws_access_key_id'),
  },
  {
    kind: 'github_token',
    pattern:
      /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])/g,
    replace: () => redactedMark('github_token'),
  },
  {
    kind: 'gitlab_token',
    pattern: /(?<![A-Za-z0-9_])glpat-[A-Za-z0-9_-]{20,}/g,
    replace: () => redactedMark('gitlab_token'),
  },
  {
    kind: 'slack_token',
    pattern: /(?<![A-Za-z0-9])xox[abposre]-[A-Za-z0-9-]{10,}|(?<![A-Za-z0-9])xapp-[0-9]-[A-Za-z0-9-]{10,}/g,
    replace: () => redactedMark('slack_token'),
  },
  {
    kind: 'stripe_key',
    pattern:
      /(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|(?<![A-Za-z0-9])whsec_[A-Za-z0-9]{20,}/g,
    replace: () => redactedMark('stripe_key'),
  },
  {
    kind: 'google_api_key',
    pattern: /(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g,
    replace: () => redactedMark('google_api_key'),
  },
  {
    kind: 'openai_key',
    pattern: /(?<![A-Za-z0-9-])sk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}/g,
    replace: () => redactedMark('api_key'),
  },
  {
    kind: 'npm_token',
    pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/g,
    replace: () => redactedMark('npm_token'),
  },
  {
    kind: 'sendgrid_key',
    pattern: /(?<![A-Za-z0-9])SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}/g,
    replace: () => redactedMark('sendgrid_key'),
  },
  {
    kind: 'jwt',
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
    replace: () => redactedMark('jwt'),
  },
  {
    // Authorization: Bearer x / Basic x / Token x, in headers, curl lines and HTTP dumps.
    kind: 'authorization',
    pattern:
      /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|token|digest|negotiate|aws4-hmac-sha256)\s+)?)(?!\[REDACTED|(?:bearer|basic|token|digest|negotiate|aws4-hmac-sha256)\s)[^\s"',]+/gi,
    replace: keepPrefix('credentials'),
  },
  {
    kind: 'bearer',
    pattern: /\b((?:bearer|basic)\s+)(?!\[REDACTED)([A-Za-z0-9._~+/-]{8,}=*)/gi,
    replace: (match, prefix: string, token: string) =>
      tokenish(token) ? `${prefix}${redactedMark('credentials')}` : match,
  },
  {
    // name=value, name: value, "name": "value", NAME='value' (JDBC password=, pwd=, api_key=, token=).
    kind: 'secret_pair',
    pattern: new RegExp(
      String.raw`(?<![A-Za-z0-9_.-])(["']?${SECRET_NAME}["']?\s*(?:=|:(?!//))\s*)(?:"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'|(${BARE_VALUE}))`,
      'gi',
    ),
    replace: (match, prefix: string, dq?: string, sq?: string, bare?: string) => {
      const value = dq ?? sq ?? bare ?? '';
      if (value === '' || value.startsWith(MARK)) return match;
      const name = prefix.replace(/["'\s:=]/g, '').toLowerCase();
      // `key: value` is common prose in logs ("error: token expired"): only a credential-looking
      // value counts there; `name=value` always does. A shell PWD is a path, not a password.
      if (!prefix.includes('=') && dq === undefined && sq === undefined && !tokenish(value)) return match;
      if (name === 'pwd' && value.startsWith('/')) return match;
      // A session or connection number (`session_id=29` in a database's log) is a counter, not a
      // token: a secret worth the name is longer than a few digits.
      if (/session[_.-]?id$/.test(name) && /^\d{1,9}$/.test(value)) return match;
      const mark = redactedMark(secretKind(name));
      if (dq !== undefined) return `${prefix}"${mark}"`;
      if (sq !== undefined) return `${prefix}'${mark}'`;
      return `${prefix}${mark}`;
    },
  },
  {
    // A bare 40-character AWS secret access key (in CSV data, `aws configure` output): random
    // base64, so mixed case with digits and high entropy; git SHA-1s (hex) and paths do not pass.
    kind: 'aws_secret_access_key',
    pattern: /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/g,
    replace: (match) => (looksLikeAwsSecret(match) ? redactedMark('aws_secret_access_key') : match),
  },
];

function secretKind(name: string): string {
  if (/pass|pwd/.test(name)) return 'password';
  if (/secret/.test(name)) return 'secret';
  if (/token/.test(name)) return 'token';
  if (/key/.test(name)) return 'key';
  return 'credentials';
}

/**
 * A token rather than a word: it has a digit or base64 symbols, or capitals inside lower case
 * (`hunter2`, `dXNlcjpwYXNz`, `CorrectHorse`; not `expired`, `VARCHAR`, `timestamp_ntz`, `int64`).
 */
function tokenish(value: string): boolean {
  if (value.length < 6) return false;
  if (/[0-9+/=]/.test(value) && /[A-Za-z]/.test(value)) return true;
  return /[a-z]/.test(value) && /.[A-Z]/.test(value);
}

function looksLikeAwsSecret(value: string): boolean {
  if (!/[a-z]/.test(value) || !/[A-Z]/.test(value) || !/[0-9/+]/.test(value)) return false;
  if (value.includes('//')) return false;
  // Path-like: several slash-separated words.
  if ((value.match(/\//g) ?? []).length > 3) return false;
  return entropy(value) >= 4.2;
}

/** Shannon entropy in bits per character. */
function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Cheap pre-check: text without any of these cannot hold a secret any rule finds. */
const MAYBE_SECRET =
  /[:=]|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|glpat-|xox|xapp-|_live_|_test_|whsec_|AIza|sk-|npm_|SG\.|eyJ|bearer|basic|PRIVATE KEY|[A-Za-z0-9/+]{40}/i;

/**
 * Replaces every credential in `text` with `[REDACTED:<kind>]`, keeping the words around it.
 *
 * @example
 * redact('postgres://etl:hunter2@db:5432/x'); // 'postgres://etl:[REDACTED:password]@db:5432/x'
 */
export function redact(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  let out = text;
  for (const rule of RULES)
    out = out.replace(rule.pattern, rule.replace as (m: string, ...g: string[]) => string);
  return out;
}

/** Whether a JSON object key names a credential (`password`, `aws_secret_access_key`, `x-api-key`). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * Redacts every string in a JSON-like value (objects, arrays, errors); a string under a key that
 * names a credential is replaced whole. Returns a new value; the input is not changed.
 *
 * @example
 * redactDeep({ event: { details: { db_password: 'hunter2' } } }); // db_password: '[REDACTED:password]'
 */
export function redactDeep<T>(value: T): T {
  return walk(value, undefined, new WeakMap()) as T;
}

/** Redacted copies of objects treated as immutable (cached profiles, catalog versions). */
const shared = new WeakMap<object, unknown>();

/**
 * `redactDeep` for an object that is never changed after it is made (a cached measurement): the
 * redacted copy is made once and reused, so a storm of events over one input redacts it once.
 */
export function redactShared<T>(value: T): T {
  if (value === null || typeof value !== 'object') return redactDeep(value);
  const known = shared.get(value);
  if (known !== undefined) return known as T;
  const copy = redactDeep(value);
  shared.set(value, copy);
  return copy;
}

function walk(value: unknown, key: string | undefined, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === 'string') {
    if (key !== undefined && value !== '' && !value.startsWith(MARK) && isSecretKey(key))
      return redactedMark(secretKind(key.toLowerCase()));
    return redact(value);
  }
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value;
  const prior = seen.get(value);
  if (prior !== undefined) return prior;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(walk(item, undefined, seen));
    return out;
  }
  if (value instanceof Error) {
    const copy = new Error(redact(value.message));
    copy.name = value.name;
    return copy;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [k, v] of Object.entries(value)) out[k] = walk(v, k, seen);
  return out;
}

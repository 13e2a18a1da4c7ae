/**
 * Redaction runs before anything is written (audit rows, logs), so a secret never
 * reaches the disk. Two nets: keys whose name says "secret" lose their whole value,
 * and known secret shapes inside any string are cut out wherever they appear.
 * The rules favour few false positives: a value is cut only when its shape is
 * specific (a vendor prefix, a PEM armour, a JWT triple) or its label says so.
 */
export const REDACTED = '[REDACTED]';

/** Lower-cased key with `-`, `_` and `.` removed contains one of these: the value goes. */
const SECRET_KEY_PARTS = [
  'password', 'passphrase', 'passwd', 'secret', 'token', 'apikey', 'authorization',
  'cookie', 'privatekey', 'credential', 'accesskey', 'sessionid', 'mackey', 'signingkey',
  'setupcode', 'recoverykey',
];
const SECRET_KEY_EXACT = new Set(['pwd', 'auth', 'key', 'otp', 'pin']);

interface ValueRule {
  readonly pattern: RegExp;
  /** Replacement; `$1` keeps a harmless prefix such as the scheme or the label. */
  readonly replace: string;
}

const VALUE_RULES: readonly ValueRule[] = [
  // PEM armour, including a block cut off before its END line
  { pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)/g, replace: REDACTED },
  // HTTP credentials as header lines or values
  { pattern: /\b((?:proxy-)?authorization|cookie|set-cookie|x-api-key|x-auth-token)(\s*[:=]\s*)[^\r\n]+/gi, replace: `$1$2${REDACTED}` },
  { pattern: /\b(Bearer|Basic|Digest|Token)\s+[A-Za-z0-9\-._~+/]{8,}=*/g, replace: `$1 ${REDACTED}` },
  // URL userinfo: scheme://user:pass@host
  { pattern: /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, replace: `$1${REDACTED}@` },
  // credentials in query strings and in key=value text
  { pattern: /([?&;](?:api[_-]?key|key|token|access[_-]?token|refresh[_-]?token|id[_-]?token|secret|client[_-]?secret|password|passwd|sig|signature|auth|code|x-amz-signature|x-amz-credential)=)[^&#\s"'<>]*/gi, replace: `$1${REDACTED}` },
  // `label = value` where the label names a secret (aws_secret_access_key, DB_PASSWORD, x.auth_token);
  // a bare number is left alone so counters such as `max_tokens: 512` stay readable.
  { pattern: /\b([A-Za-z0-9_.-]*(?:password|passwd|passphrase|pwd|secret|api[_-]?key|access[_-]?key|private[_-]?key|token|accountkey)[A-Za-z0-9_.-]*)(\s*[=:]\s*)(?!\d+(?:[\s,;&]|$))("[^"]*"|'[^']*'|[^\s,;&"']+)/gi, replace: `$1$2${REDACTED}` },
  // JSON Web Tokens (and JWS/JWE compact forms)
  { pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, replace: REDACTED },
  // vendor keys with a recognisable prefix
  { pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g, replace: REDACTED },
  { pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g, replace: REDACTED },
  { pattern: /\bglpat-[A-Za-z0-9_-]{20,}/g, replace: REDACTED },
  { pattern: /\bsk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)\d\d-)?[A-Za-z0-9_-]{20,}/g, replace: REDACTED },
  { pattern: /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/g, replace: REDACTED },
  { pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, replace: REDACTED },
  { pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g, replace: REDACTED },
  { pattern: /\bhf_[A-Za-z0-9]{30,}/g, replace: REDACTED },
  { pattern: /\bnpm_[A-Za-z0-9]{36}\b/g, replace: REDACTED },
  { pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/g, replace: REDACTED },
  { pattern: /\bya29\.[A-Za-z0-9_-]{20,}/g, replace: REDACTED },
  // Keep's own bearer tokens (see credentials)
  { pattern: /\bkeep_[A-Za-z0-9_-]{32,}/g, replace: REDACTED },
];

/** True when a field with this name must not be written out at all. */
export function isSecretKey(key: string): boolean {
  const norm = key.toLowerCase().replace(/[-_.\s]/g, '');
  if (SECRET_KEY_EXACT.has(norm)) return true;
  // Counters such as `prompt_tokens` are numbers, handled by the caller; the name alone decides here.
  return SECRET_KEY_PARTS.some((part) => norm.includes(part));
}

/** Cuts every known secret shape out of a string. */
export function redactString(text: string): string {
  let out = text;
  for (const rule of VALUE_RULES) out = out.replace(rule.pattern, rule.replace);
  return out;
}

/**
 * A deep copy of `value` with secrets replaced by `REDACTED`. Under a secret-named key,
 * strings, objects and arrays are dropped whole; numbers and booleans stay (a count
 * of `completion_tokens` is not a secret). Bytes become a length note.
 */
export function redact<T>(value: T): T {
  return walk(value, 0) as T;
}

const MAX_DEPTH = 32;

function walk(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (value instanceof Error) return { name: value.name, message: redactString(value.message) };
  if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const secretField = isSecretKey(key) && typeof item !== 'number' && typeof item !== 'boolean' && item != null;
    out[key] = secretField ? REDACTED : walk(item, depth + 1);
  }
  return out;
}

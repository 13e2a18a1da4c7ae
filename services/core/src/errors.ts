/**
 * Every failure Keep reports carries a stable code from one union. Tests, clients and
 * the UI branch on `code`, never on message text; messages are for people.
 */
export const CORE_CODES = [
  // configuration and credentials
  'config.invalid',
  'config.unknown_key',
  'config.unreadable',
  'credential.missing',
  'credential.insecure',
  'credential.invalid',
  // store
  'store.unsafe_settings',
  'store.migration_failed',
  'store.newer_schema',
  // audit chain
  'audit.write_failed',
  'audit.seq_gap',
  'audit.link_broken',
  'audit.hash_mismatch',
  'audit.mac_invalid',
  'audit.unknown_service',
  'audit.time_regression',
  'audit.malformed_row',
  'audit.checkpoint_invalid',
  'audit.checkpoint_mismatch',
  'audit.truncated',
  'audit.rollback',
  'audit.head_invalid',
  'audit.head_missing',
  'audit.head_mismatch',
  // HTTP service kit
  'http.bad_request',
  'http.invalid_body',
  'http.body_too_large',
  'http.unsupported_media_type',
  'http.unauthorized',
  'http.forbidden',
  'http.host_not_allowed',
  'http.origin_not_allowed',
  'http.not_found',
  'http.method_not_allowed',
  'http.not_ready',
  'http.shutting_down',
  'http.internal',
  'http.upstream_unreachable',
  'http.upstream_error',
  // generic
  'io.failed',
  'usage.invalid',
] as const;

export type CoreCode = (typeof CORE_CODES)[number];

/** Services widen the union with their own families (`gguf.*`, `tool.*`, ...). */
export type ReasonCode = CoreCode | `${string}.${string}`;

export interface KeepErrorOptions {
  status?: number;
  cause?: unknown;
  /** Extra, already-safe fields for problem+json and logs. */
  extra?: Record<string, unknown>;
}

/**
 * The one error type Keep throws on bad input or failed checks.
 * `status` is the HTTP status a service answers with; `detail` is one sentence,
 * sentence case, naming what failed and the value, without a final period.
 */
export class KeepError extends Error {
  readonly code: ReasonCode;
  readonly status: number;
  readonly detail: string;
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: ReasonCode, detail: string, options: KeepErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeepError';
    this.code = code;
    this.detail = detail;
    this.status = options.status ?? 400;
    this.extra = options.extra;
  }
}

export function isKeepError(value: unknown): value is KeepError {
  return value instanceof KeepError;
}

/** The message of anything thrown, for wrapping a foreign error in a KeepError. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

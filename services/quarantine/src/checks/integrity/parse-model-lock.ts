import { KeepError, messageOf } from '@keep/core/errors';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { IntegrityPolicy } from './check-integrity.js';

export const LOCK_ERROR_CODES = ['lock.too_large', 'lock.syntax', 'lock.invalid', 'lock.conflict'] as const;
export type LockErrorCode = (typeof LOCK_ERROR_CODES)[number];

/** A lock file Keep will not use; `extra.path` names the offending key when there is one. */
export class LockError extends KeepError {
  override readonly code: LockErrorCode;

  constructor(code: LockErrorCode, detail: string, path?: string) {
    super(code, detail, { status: 422, ...(path === undefined ? {} : { extra: { path } }) });
    this.code = code;
  }
}

/** Parsed lock: model name → pinned SHA-256, and blocked SHA-256 → why. */
export interface ModelLock {
  readonly version: 1;
  readonly pins: ReadonlyMap<string, string>;
  readonly blocked: ReadonlyMap<string, string>;
}

/** Lock files list a few hundred models at most; 1 MiB leaves room and bounds parse time. */
export const MAX_LOCK_BYTES = 1024 * 1024;

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:+@/-]{0,199}$/;
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
// Hugging Face style names (`org/model-Q4_K_M`), no spaces or control characters.
const modelName = z.string().regex(MODEL_NAME, 'must be 1-200 characters of A-Z a-z 0-9 . _ : + @ / -, starting alphanumeric');

const lockSchema = z.object({
  version: z.literal(1),
  pins: z.record(modelName, sha256).default({}),
  blocked: z.array(z.object({
    sha256,
    reason: z.string().min(1).max(500).regex(/^[^\p{Cc}]*$/u, 'must not hold control characters'),
  }).strict()).max(100_000).default([]),
}).strict();

/**
 * Parses `models.lock.yaml` (YAML 1.2, so JSON works too):
 *
 *   version: 1
 *   pins:
 *     qwen2.5-7b-instruct-q4_k_m: "<sha256 hex>"
 *   blocked:
 *     - { sha256: "<sha256 hex>", reason: "Failed the behaviour test on 2026-05-15" }
 *
 * Strict: one document, no duplicate or unknown keys, no YAML warnings, digests in
 * lowercase hex (quote them, or YAML may read an all-digit one as a number). A
 * digest both pinned and blocked, or blocked twice, is refused as `lock.conflict`.
 *
 * @throws LockError `lock.too_large`, `lock.syntax`, `lock.invalid` or `lock.conflict`
 */
export function parseModelLock(text: string): ModelLock {
  if (text.length > MAX_LOCK_BYTES) throw new LockError('lock.too_large', `Cannot parse model lock: it is ${text.length} characters, limit is ${MAX_LOCK_BYTES}`);
  const raw = parseYaml(text);
  refuseDroppedKeys(raw);
  const result = lockSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue === undefined || issue.path.length === 0 ? '(top level)' : issue.path.join('.');
    throw new LockError('lock.invalid', `Invalid model lock at ${JSON.stringify(path)}: ${issue?.message ?? 'schema mismatch'}`, path);
  }
  const pins = new Map(Object.entries(result.data.pins));
  const pinned = new Set(pins.values());
  const blocked = new Map<string, string>();
  for (const [index, entry] of result.data.blocked.entries()) {
    const path = `blocked.${index}.sha256`;
    if (blocked.has(entry.sha256)) throw new LockError('lock.conflict', `Invalid model lock: SHA-256 ${entry.sha256} is blocked twice`, path);
    if (pinned.has(entry.sha256)) throw new LockError('lock.conflict', `Invalid model lock: SHA-256 ${entry.sha256} is both pinned and blocked`, path);
    blocked.set(entry.sha256, entry.reason);
  }
  return { version: 1, pins, blocked };
}

/** The lock as `checkIntegrity` reads it. */
export function integrityPolicyOf(lock: ModelLock): IntegrityPolicy {
  return { pins: lock.pins, blocked: new Set(lock.blocked.keys()) };
}

/** zod's record skips a `__proto__` key instead of refusing it; a pin must never vanish silently. */
function refuseDroppedKeys(raw: unknown): void {
  const pins = typeof raw === 'object' && raw !== null ? (raw as { pins?: unknown }).pins : undefined;
  if (typeof pins !== 'object' || pins === null) return;
  for (const key of Object.keys(pins)) {
    if (!MODEL_NAME.test(key)) throw new LockError('lock.invalid', `Invalid model lock at ${JSON.stringify(`pins.${key}`)}: model name is not allowed`, `pins.${key}`);
  }
}

function parseYaml(text: string): unknown {
  let doc;
  try {
    // Aliases capped: a billion-laughs lock file must not hang the scanner.
    doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    throw new LockError('lock.syntax', `Cannot parse model lock: ${firstLine(messageOf(error))}`);
  }
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem !== undefined) throw new LockError('lock.syntax', `Cannot parse model lock: ${firstLine(problem.message)}`);
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new LockError('lock.syntax', `Cannot parse model lock: ${firstLine(messageOf(error))}`);
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchownSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_DECISIONS } from './audit-row.js';
import type { AuditEvent, AuditWriter } from './append-audit.js';
import type { Store } from '../store/open-store.js';
import type { Clock } from '../clock.js';

/**
 * Events written before any service has opened the store (firstboot runs before them
 * all) wait in `<stateDir>/audit-queue.jsonl`, one JSON object per line. The first
 * service that opens its AuditWriter claims the file by renaming it (only one process
 * wins a rename), appends every event to the chain under its own MAC key, and deletes
 * the claimed file once the rows are durable.
 */
export const AUDIT_QUEUE_FILE = 'audit-queue.jsonl';
const CLAIMED = `${AUDIT_QUEUE_FILE}.claimed-`;
/** A claimed file older than this was left by a process that died mid-drain: adopt it. */
const STALE_CLAIM_MS = 60_000;
const MAX_QUEUE_BYTES = 1024 * 1024;

export function auditQueuePath(stateDir: string): string {
  return join(stateDir, AUDIT_QUEUE_FILE);
}

export interface QueueAuditOptions {
  /** Group owning a newly created queue file (group `keep`, so services can read it). */
  gid?: number;
  clock?: Clock;
}

/**
 * Appends events to the queue, durably (O_APPEND, fsync). Each gets a random `queueId`
 * that travels into the row's details, so a drain interrupted after the append and
 * before the delete never writes an event twice.
 */
export function queueAuditEvents(stateDir: string, events: readonly AuditEvent[], options: QueueAuditOptions = {}): void {
  if (events.length === 0) return;
  const now = (options.clock ?? Date.now)();
  const lines = events.map((event) => `${JSON.stringify({ ...event, queueId: randomBytes(16).toString('hex'), queuedAt: now })}\n`).join('');
  const fd = openSync(auditQueuePath(stateDir), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o640);
  try {
    if (options.gid !== undefined) fchownSync(fd, 0, options.gid);
    const bytes = Buffer.from(lines);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface DrainAuditQueueOptions {
  stateDir: string;
  store: Store;
  audit: AuditWriter;
  clock?: Clock;
}

export interface DrainResult {
  appended: number;
  /** Already in the chain (an earlier drain stopped before deleting its file). */
  skipped: number;
  /** Lines that were not a queued event; counted in one `audit.queue_invalid` row. */
  invalid: number;
}

/**
 * Moves queued events into the chain. Call it once, right after a service creates its
 * AuditWriter; with no queue file it costs one readdir. Never throws for a bad line;
 * a failed append rejects with the writer's `audit.write_failed` and leaves the claimed
 * file for the next start.
 */
export async function drainAuditQueue(options: DrainAuditQueueOptions): Promise<DrainResult> {
  const result: DrainResult = { appended: 0, skipped: 0, invalid: 0 };
  for (const file of claimQueueFiles(options.stateDir, (options.clock ?? Date.now)())) {
    const seen = options.store.prepare("SELECT 1 FROM audit_log WHERE details LIKE ? ESCAPE '\\' LIMIT 1").pluck();
    const pending: Promise<unknown>[] = [];
    const text = readFileSync(file, 'utf8').slice(0, MAX_QUEUE_BYTES);
    for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
      const queued = parseQueued(line);
      if (queued === null) {
        result.invalid += 1;
        continue;
      }
      if (seen.get(`%"queueId":"${queued.queueId}"%`) !== undefined) {
        result.skipped += 1;
        continue;
      }
      const { queueId, queuedAt, ...event } = queued;
      pending.push(options.audit.append({ ...event, details: { ...(event.details ?? {}), queueId, queuedAt } }));
      result.appended += 1;
    }
    await Promise.all(pending);
    unlinkSync(file);
  }
  if (result.invalid > 0) {
    await options.audit.append({ actor: 'system', action: 'audit.queue_invalid', decision: 'error', reason: 'audit.queue_invalid', details: { lines: result.invalid } });
  }
  return result;
}

function claimQueueFiles(stateDir: string, now: number): string[] {
  let names: string[];
  try {
    names = readdirSync(stateDir);
  } catch {
    return [];
  }
  const claimed: string[] = [];
  for (const name of names) {
    const from = join(stateDir, name);
    if (name !== AUDIT_QUEUE_FILE) {
      if (!name.startsWith(CLAIMED)) continue;
      // A rename updates ctime: a recent one is another process's live claim.
      try {
        if (now - statSync(from).ctimeMs < STALE_CLAIM_MS) continue;
      } catch {
        continue;
      }
    }
    const to = join(stateDir, `${CLAIMED}${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      renameSync(from, to);
      claimed.push(to);
    } catch {
      // Another service claimed it first.
    }
  }
  return claimed;
}

interface QueuedEvent extends AuditEvent {
  queueId: string;
  queuedAt: number;
}

function parseQueued(line: string): QueuedEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const text = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 200;
  if (!text(v['actor']) || !text(v['action']) || typeof v['queueId'] !== 'string' || !/^[0-9a-f]{32}$/.test(v['queueId'])) return null;
  if (!AUDIT_DECISIONS.includes(v['decision'] as never) || typeof v['queuedAt'] !== 'number') return null;
  if (v['target'] !== undefined && typeof v['target'] !== 'string') return null;
  if (v['reason'] !== undefined && !text(v['reason'])) return null;
  const details = v['details'];
  if (details !== undefined && (typeof details !== 'object' || details === null || Array.isArray(details))) return null;
  return {
    actor: v['actor'], action: v['action'], decision: v['decision'] as AuditEvent['decision'], queueId: v['queueId'], queuedAt: v['queuedAt'],
    ...(typeof v['target'] === 'string' ? { target: v['target'] } : {}),
    ...(typeof v['reason'] === 'string' ? { reason: v['reason'] } : {}),
    ...(details !== undefined ? { details: details as Record<string, unknown> } : {}),
  };
}

import type { Store } from '../store/open-store.js';
import type { AuditDecision } from './audit-row.js';

/** A row as shown to people and tools: parsed details, no MAC. */
export interface AuditRowView {
  seq: number;
  time: string;
  service: string;
  actor: string;
  action: string;
  target: string;
  decision: AuditDecision;
  reason: string;
  details: unknown;
  hash: string;
}

/** The newest `limit` rows (or those after `afterSeq`), oldest first. */
export function readAuditRows(store: Store, options: { limit: number; afterSeq?: number }): AuditRowView[] {
  const limit = Math.max(1, Math.min(options.limit, 10_000));
  const rows = (options.afterSeq === undefined
    ? store.prepare('SELECT * FROM (SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?) ORDER BY seq').all(limit)
    : store.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?').all(options.afterSeq, limit)) as Record<string, unknown>[];
  return rows.map((row) => ({
    seq: row['seq'] as number,
    time: new Date(row['time'] as number).toISOString(),
    service: row['service'] as string,
    actor: row['actor'] as string,
    action: row['action'] as string,
    target: row['target'] as string,
    decision: row['decision'] as AuditDecision,
    reason: row['reason'] as string,
    details: safeParse(row['details'] as string),
    hash: row['hash'] as string,
  }));
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

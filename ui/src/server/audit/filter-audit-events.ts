/** An audit row as keep-audit's `/v1/events` shows it. */
export interface AuditEventView {
  seq: number;
  time: string;
  service: string;
  actor: string;
  action: string;
  target: string;
  decision: string;
  reason: string;
  details: unknown;
  hash: string;
}

export interface AuditFilter {
  service?: string | undefined;
  decision?: string | undefined;
  /** Case-insensitive substring of action, actor, target or reason. */
  q?: string | undefined;
}

/** Pure: the rows that match every given filter, order kept. */
export function filterAuditEvents(events: readonly AuditEventView[], filter: AuditFilter): AuditEventView[] {
  const q = filter.q?.trim().toLowerCase();
  return events.filter((e) =>
    (filter.service === undefined || e.service === filter.service)
    && (filter.decision === undefined || e.decision === filter.decision)
    && (!q || [e.action, e.actor, e.target, e.reason].some((field) => field.toLowerCase().includes(q))));
}

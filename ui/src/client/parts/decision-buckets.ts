/** Pure: audit decisions counted into `count` equal time buckets spanning the events. */
export const DECISIONS = ['allow', 'deny', 'approval_required', 'info', 'error'] as const;
export type Decision = (typeof DECISIONS)[number];

export interface Bucket {
  start: number;
  end: number;
  counts: Record<Decision, number>;
}

export function bucketDecisions(events: readonly { time: string; decision: string }[], count: number): Bucket[] {
  if (events.length === 0) return [];
  const times = events.map((e) => Date.parse(e.time));
  const first = Math.min(...times);
  const last = Math.max(...times) + 1;
  const width = Math.max(1, (last - first) / count);
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({
    start: first + i * width, end: first + (i + 1) * width,
    counts: { allow: 0, deny: 0, approval_required: 0, info: 0, error: 0 },
  }));
  events.forEach((event, i) => {
    const index = Math.min(count - 1, Math.floor(((times[i] as number) - first) / width));
    const bucket = buckets[index] as Bucket;
    if ((DECISIONS as readonly string[]).includes(event.decision)) bucket.counts[event.decision as Decision]++;
  });
  return buckets;
}

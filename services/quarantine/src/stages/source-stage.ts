import type { ReasonTable } from '../pipeline/reason.js';
import type { Stage, StageOutcome } from '../pipeline/stage.js';
import type { QuarantinePolicy, SourceKind } from '../policy/quarantine-policy.js';

export const SOURCE_REASONS = {
  'source.not_allowed': 'the policy does not accept files from this kind of source',
  'source.bad_origin': 'the origin of an airlock pull is not an https URL',
} as const satisfies ReasonTable;

export interface ModelSource {
  kind: SourceKind;
  /** For airlock pulls: the URL the file was fetched from. */
  origin?: string;
}

/** Whether the policy wants this source signed: always when it says so, and for every pinned origin. */
export function signatureRequired(source: ModelSource, policy: QuarantinePolicy): { required: boolean; keyIds?: readonly string[] } {
  const pin = source.origin === undefined ? undefined : policy.sources.pinned.find((p) => originMatches(source.origin as string, p.prefix));
  if (pin) return pin.keyIds ? { required: true, keyIds: pin.keyIds } : { required: true };
  return { required: policy.sources.requireSignature };
}

/**
 * Segment-aware prefix match: `https://host/models/` matches `https://host/models/x`
 * but `https://host/mod` does not match `https://host/models`; the host must match
 * exactly (no `host.evil` after `host`).
 */
export function originMatches(origin: string, prefix: string): boolean {
  let url: URL;
  let pinned: URL;
  try {
    url = new URL(origin);
    pinned = new URL(prefix);
  } catch {
    return false;
  }
  if (url.protocol !== pinned.protocol || url.host !== pinned.host) return false;
  const base = pinned.pathname.endsWith('/') ? pinned.pathname : `${pinned.pathname}/`;
  return url.pathname === pinned.pathname || url.pathname.startsWith(base);
}

export function sourceStage(policy: QuarantinePolicy): Stage<{ source: ModelSource }> {
  return {
    name: 'source',
    run({ source }): StageOutcome {
      if (!policy.sources.allowed.includes(source.kind)) {
        return { reasons: [{ code: 'source.not_allowed', stage: 'source', detail: `Policy does not accept ${source.kind} sources` }] };
      }
      if (source.kind === 'airlock' && !(source.origin ?? '').startsWith('https://')) {
        return { reasons: [{ code: 'source.bad_origin', stage: 'source', detail: 'An airlock pull must name its https origin' }] };
      }
      const signature = signatureRequired(source, policy);
      return { reasons: [], evidence: { kind: source.kind, ...(source.origin ? { origin: source.origin } : {}), signatureRequired: signature.required } };
    },
  };
}

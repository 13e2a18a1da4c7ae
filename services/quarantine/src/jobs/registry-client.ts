import { KeepError, callService, type ReasonCode } from '@keep/core';

/** What the quarantine tells the registry about a passed job (the registry re-checks all of it). */
export interface PromotionRequest {
  jobId: string;
  name: string;
  stagedPath: string;
  sha256: string;
  format: 'gguf' | 'safetensors';
  source: { kind: string; origin: string | null };
  provenance: { status: string; keyid?: string };
  chatTemplateSha256: string | null;
  evidence: Record<string, unknown>;
  promotedBy: string;
}

export type RequestPromotion = (request: PromotionRequest) => Promise<void>;

/**
 * `POST /v1/promotions` on keep-registry with the quarantine's `registry:promote`
 * token. A refusal keeps the registry's code (`registry.duplicate_name`, …); a
 * registry that is down is `http.upstream_unreachable`.
 */
export function registryPromoter(endpoint: () => string, token: string): RequestPromotion {
  return async (request) => {
    const reply = await callService(endpoint(), { method: 'POST', path: '/v1/promotions', token, body: request, timeoutMs: 30 * 60_000 });
    if (reply.status === 200 || reply.status === 201) return;
    const problem = (reply.body ?? {}) as { code?: string; detail?: string };
    const code: ReasonCode = typeof problem.code === 'string' && /^[a-z_]+\.[a-z_.]+$/.test(problem.code) ? (problem.code as ReasonCode) : 'http.upstream_error';
    throw new KeepError(code, problem.detail ?? `keep-registry answered ${reply.status}`, { status: reply.status >= 500 ? 502 : reply.status });
  };
}

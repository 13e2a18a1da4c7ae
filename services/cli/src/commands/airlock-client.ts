import { KeepError, callService, endpointOf, readCredentialText, type ReasonCode } from '@keep/core';
import type { CliContext } from '../cli-context.js';

/** One call to keep-airlock with the admin token; a problem answer becomes a KeepError with its code. */
export async function callAirlock(context: CliContext, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const token = readCredentialText(context.credentialsDir, 'token.airlock-admin');
  const answer = await callService(endpointOf(context.stateDir, 'keep-airlock'), { method, path, token, ...(body === undefined ? {} : { body }) });
  const payload = (answer.body ?? {}) as Record<string, unknown>;
  if (answer.status >= 400) {
    const code = typeof payload['code'] === 'string' && payload['code'].includes('.') ? payload['code'] as ReasonCode : 'http.upstream_error';
    throw new KeepError(code, typeof payload['detail'] === 'string' ? payload['detail'] : `keep-airlock answered ${answer.status}`, { status: answer.status });
  }
  return payload;
}

import { KeepError, callService, endpointOf, readCredentialText, type ReasonCode } from '@keep/core';
import type { CliContext } from './cli-context.js';

/**
 * A service's problem+json answer as a `KeepError` with the service's own code and
 * extra fields, so keepctl prints and exits on it like any other failure.
 */
export function upstreamError(body: unknown, status: number, service: string): KeepError {
  const answer = (body ?? {}) as Record<string, unknown>;
  const code = (typeof answer['code'] === 'string' && answer['code'].includes('.') ? answer['code'] : 'http.upstream_error') as ReasonCode;
  const detail = typeof answer['detail'] === 'string' ? answer['detail'] : `${service} answered ${status}`;
  const { type: _type, title: _title, status: _status, code: _code, detail: _detail, instance: _instance, ...extra } = answer;
  return new KeepError(code, detail, { status, extra });
}

export interface KeepCall {
  /** Unit name, e.g. `keep-registry`: its endpoint comes from `endpoints.json` or its appliance socket. */
  service: string;
  /** keepctl's credential file holding the token, e.g. `token.registry-admin`. */
  token: string;
  method: string;
  path: string;
  body?: unknown;
  timeoutMs?: number;
}

/** One JSON call to a Keep service with one of keepctl's tokens; any non-2xx answer throws `upstreamError`. */
export async function callKeepService(context: CliContext, call: KeepCall): Promise<Record<string, unknown>> {
  const token = readCredentialText(context.credentialsDir, call.token);
  const reply = await callService(endpointOf(context.stateDir, call.service), {
    method: call.method, path: call.path, token, ...(call.body === undefined ? {} : { body: call.body }), ...(call.timeoutMs === undefined ? {} : { timeoutMs: call.timeoutMs }),
  });
  if (reply.status >= 200 && reply.status < 300) return (reply.body ?? {}) as Record<string, unknown>;
  throw upstreamError(reply.body, reply.status, call.service);
}

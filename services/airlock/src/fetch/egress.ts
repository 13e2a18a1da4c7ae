import type { IncomingMessage } from 'node:http';
import type { SecureContext } from 'node:tls';
import { KeepError, type AuditWriter } from '@keep/core';
import { statusOf, type AirlockCode } from '../airlock-codes.js';
import { decideAnswers, decideEgress, type EgressDecision, type EgressRequest } from '../decide/decide-egress.js';
import type { AirlockPolicy } from '../policy/airlock-policy.js';
import { openUpstream } from './open-upstream.js';

export interface EgressDeps {
  audit: AuditWriter;
  /** The policy in force and the trust store built from it (undefined: the system store). */
  policy: () => { policy: AirlockPolicy; secureContext: SecureContext | undefined };
  resolve: (host: string, policy: AirlockPolicy) => Promise<string[]>;
}

export interface SendInput {
  caller: string;
  action: 'egress.fetch' | 'egress.pull';
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export interface Sent {
  response: IncomingMessage;
  url: URL;
  address: string;
}

/** A refusal with its code, status and the decision that made it. */
export function egressError(code: AirlockCode, detail: string, extra?: Record<string, unknown>): KeepError {
  return new KeepError(code, detail, extra === undefined ? { status: statusOf(code) } : { status: statusOf(code), extra });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** `https://host/path` without query or fragment: what an audit row names (signed queries stay out). */
export function auditTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return url.slice(0, 200).split('?')[0] ?? '';
  }
}

/**
 * Decides (resolving once with the airlock's own DNS when the first pass asks),
 * audits the decision durably, and only then lets the caller act.
 */
export async function decideAndAudit(deps: EgressDeps, request: EgressRequest, caller: string, action: string, details: Record<string, unknown> = {}): Promise<Extract<EgressDecision, { decision: 'allow' }>> {
  const { policy } = deps.policy();
  let decision = decideEgress(request, policy);
  if (decision.decision === 'resolve' && policy.dnsServers.length === 0) {
    decision = { decision: 'deny', code: 'egress.dns_unconfigured', detail: `The policy names no DNS servers, so ${decision.host} cannot be resolved`, host: decision.host, resolved: [] };
  }
  if (decision.decision === 'resolve') decision = decideAnswers(decision, await deps.resolve(decision.host, policy));
  if (decision.decision === 'resolve') throw new TypeError('decideEgress asked to resolve twice');
  const target = request.mode === 'connect' ? request.target : auditTarget(request.target);
  await deps.audit.append({
    actor: caller, action, target, decision: decision.decision, reason: decision.code,
    details: { method: request.method, ...details, resolved: decision.resolved, ...(decision.decision === 'allow' ? { ip: decision.address } : {}) },
  });
  if (decision.decision === 'deny') throw egressError(decision.code, decision.detail, { resolved: decision.resolved });
  return decision;
}

/**
 * Sends a request through the airlock: decide, audit, connect to the checked
 * address, and for each redirect (up to the limit) decide again from scratch,
 * dropping credentials when the host changes and turning 303 into a bodiless GET.
 * Resolves with the final response head; the caller reads the body with its caps.
 */
export async function sendThrough(deps: EgressDeps, input: SendInput): Promise<Sent> {
  let url = input.url;
  let { method, body } = input;
  let headers = { ...input.headers };
  for (let hop = 0; ; hop++) {
    const decision = await decideAndAudit(deps, { mode: 'fetch', target: url, method, headers, ...(body === undefined ? {} : { body }) }, input.caller, input.action, hop > 0 ? { hop } : {});
    const { policy, secureContext } = deps.policy();
    const current = new URL(url);
    const response = await openUpstream({
      url: current, address: decision.address, method, headers, secureContext,
      body: body === undefined ? undefined : Buffer.from(body), timeoutMs: policy.limits.responseTimeoutMs,
    });
    const status = response.statusCode ?? 0;
    if (!REDIRECTS.has(status)) return { response, url: current, address: decision.address };
    response.resume();
    if (hop >= policy.limits.maxRedirects) throw egressError('egress.too_many_redirects', `More than ${policy.limits.maxRedirects} redirects from ${auditTarget(input.url)}`);
    const location = response.headers.location;
    let next: URL;
    try {
      if (location === undefined) throw new Error('no location');
      next = new URL(location, current);
    } catch {
      throw egressError('egress.bad_redirect', `Redirect ${status} from ${current.host} has no usable Location`);
    }
    if (next.host !== current.host) headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.includes(name.toLowerCase())));
    if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      delete headers['content-type'];
    }
    url = next.href;
  }
}

/**
 * Reads a response body as it streams. A declared length over `limit` is refused
 * before a byte is read (`egress.response_too_large`); otherwise the body is cut at
 * `cut` (at most `limit`) and the connection closed, so no more than that is ever
 * read (`truncated: true`).
 */
export async function readCapped(response: IncomingMessage, limit: number, cut: number | undefined, method: string): Promise<{ body: Buffer; truncated: boolean }> {
  const bodyless = method === 'HEAD' || response.statusCode === 204 || response.statusCode === 304;
  const declared = Number(response.headers['content-length'] ?? Number.NaN);
  if (!bodyless && declared > limit) {
    response.destroy();
    throw egressError('egress.response_too_large', `Response declares ${declared} bytes, limit is ${limit}`);
  }
  const cap = Math.min(cut ?? limit, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      if (size + chunk.length > cap) {
        chunks.push(chunk.subarray(0, cap - size));
        response.destroy();
        return { body: Buffer.concat(chunks), truncated: true };
      }
      size += chunk.length;
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof KeepError) throw error;
    throw egressError('egress.upstream_failed', `Response was cut: ${(error as Error).message}`);
  }
  if (!response.complete) throw egressError('egress.upstream_failed', 'Response ended early');
  return { body: Buffer.concat(chunks), truncated: false };
}

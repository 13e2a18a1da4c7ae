import { KeepError, callService, isKeepError } from '@keep/core';
import type { ToolResult } from './run-builtin-tool.js';

/** Where the airlock is and how to ask it; `endpoint` null when it is not running. */
export interface AirlockClient {
  endpoint: () => string | null;
  token: () => string | null;
  timeoutMs: number;
  maxBodyBytes: number;
}

interface FetchReply {
  status?: unknown;
  headers?: unknown;
  body?: unknown;
  truncated?: unknown;
  code?: unknown;
  detail?: unknown;
}

/**
 * `fetch_url` is never fetched here: it goes to keep-airlock's `POST /v1/fetch`
 * (token `airlock:fetch`) as `{url, method: "GET", caller}`, which decides egress
 * itself and answers `{status, headers, body, truncated}`. An airlock that is absent
 * or unreachable is `airlock.unavailable`; one that answers it is disabled is
 * `airlock.disabled`; its own refusals keep the airlock's code.
 */
export async function fetchViaAirlock(client: AirlockClient, url: string, caller: string): Promise<ToolResult> {
  const endpoint = client.endpoint();
  const token = client.token();
  if (endpoint === null || token === null) throw new KeepError('airlock.unavailable', 'The airlock is not running, so nothing can be fetched', { status: 503 });
  let reply;
  try {
    reply = await callService(endpoint, {
      method: 'POST', path: '/v1/fetch', token, body: { url, method: 'GET', caller },
      timeoutMs: client.timeoutMs, maxBytes: client.maxBodyBytes * 2 + 64 * 1024,
    });
  } catch (error) {
    if (isKeepError(error) && error.code === 'http.upstream_unreachable') {
      throw new KeepError('airlock.unavailable', `The airlock cannot be reached: ${error.detail}`, { status: 503, cause: error });
    }
    throw error;
  }
  const body = (reply.body ?? {}) as FetchReply;
  if (reply.status !== 200) {
    const code = typeof body.code === 'string' && /^[a-z_]+\.[a-z_.]+$/.test(body.code) ? body.code as `${string}.${string}` : 'airlock.failed';
    const disabled = code === 'airlock.disabled' || /disabled/.test(code);
    const detail = typeof body.detail === 'string' ? body.detail : `The airlock answered ${reply.status}`;
    throw new KeepError(disabled ? 'airlock.disabled' : code, detail, { status: disabled ? 503 : 502 });
  }
  if (typeof body.status !== 'number' || typeof body.body !== 'string') throw new KeepError('airlock.bad_reply', 'The airlock answered without status and body', { status: 502 });
  const text = Buffer.from(body.body, 'utf8');
  const truncated = body.truncated === true || text.length > client.maxBodyBytes;
  return { content: `HTTP ${body.status}\n\n${text.subarray(0, client.maxBodyBytes).toString('utf8')}`, truncated };
}

import { KeepError, callService, endpointOf, readCredentialText, type ReasonCode } from '@keep/core';
import type { CliContext } from '../cli-context.js';

export type RegistryAccess = 'read' | 'admin';

/**
 * Calls keep-registry the way every client does: the endpoint from `endpoints.json`
 * (dev) or its appliance socket, keepctl's `token.registry-read` or
 * `token.registry-admin`. A problem+json answer becomes a KeepError with the
 * registry's code, so keepctl prints and exits on it like any other failure.
 */
export async function callRegistry(context: CliContext, access: RegistryAccess, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const token = readCredentialText(context.credentialsDir, `token.registry-${access}`);
  const reply = await callService(endpointOf(context.stateDir, 'keep-registry'), { method, path, token, ...(body === undefined ? {} : { body }), timeoutMs: 3_600_000 });
  const answer = (reply.body ?? {}) as Record<string, unknown>;
  if (reply.status >= 200 && reply.status < 300) return answer;
  const code = (typeof answer['code'] === 'string' && answer['code'].includes('.') ? answer['code'] : 'http.upstream_error') as ReasonCode;
  const detail = typeof answer['detail'] === 'string' ? answer['detail'] : `keep-registry answered ${reply.status}`;
  const { type: _type, title: _title, status: _status, code: _code, detail: _detail, instance: _instance, ...extra } = answer;
  throw new KeepError(code, detail, { status: reply.status, extra });
}

/** The path of one model: names and `sha256:` refs are URL-encoded whole. */
export function modelPath(ref: string, suffix = ''): string {
  return `/v1/models/${encodeURIComponent(ref)}${suffix}`;
}

export interface ModelSummary {
  name: string;
  sha256: string;
  format: string;
  size: number;
  state: string;
  containedReason: string | null;
  verifiedAt: number | null;
  verifyOk: boolean | null;
  verifyCode: string | null;
  verifyDetail: string | null;
  promotedAt: number;
  promotedBy: string;
  tensorCount: number;
}

export function humanSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function verifiedText(model: Pick<ModelSummary, 'verifiedAt' | 'verifyOk' | 'verifyCode'>): string {
  if (model.verifiedAt === null) return 'never';
  return `${model.verifyOk ? 'ok' : `FAILED (${model.verifyCode ?? 'unknown'})`} ${new Date(model.verifiedAt).toISOString()}`;
}

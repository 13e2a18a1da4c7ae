import { callKeepService } from '../call-keep-service.js';
import type { CliContext } from '../cli-context.js';

export type RegistryAccess = 'read' | 'admin';

/**
 * Calls keep-registry with keepctl's `token.registry-read` or `token.registry-admin`;
 * promotions and verifies of large models take long, hence the hour.
 */
export function callRegistry(context: CliContext, access: RegistryAccess, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  return callKeepService(context, { service: 'keep-registry', token: `token.registry-${access}`, method, path, body, timeoutMs: 3_600_000 });
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

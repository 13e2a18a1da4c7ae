import { callKeepService } from '../call-keep-service.js';
import type { CliContext } from '../cli-context.js';

/** One call to keep-airlock with the admin token; a problem answer becomes a KeepError with its code. */
export function callAirlock(context: CliContext, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  return callKeepService(context, { service: 'keep-airlock', token: 'token.airlock-admin', method, path, body });
}

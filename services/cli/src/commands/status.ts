import { SERVICES, applianceEndpoint, callService, readEndpoints } from '@keep/core';
import type { CliContext } from '../cli-context.js';
import { EXIT_NEGATIVE, EXIT_OK, type CommandResult } from '../output.js';

interface ServiceStatus {
  service: string;
  endpoint: string;
  health: 'ok' | 'down';
  ready: boolean;
  checks?: unknown;
  error?: string;
}

/**
 * Asks every service for `/health` and `/ready`. In dev the services are those the
 * launcher listed in `endpoints.json`; in the appliance all of them, on their sockets.
 */
export async function status(context: CliContext): Promise<CommandResult> {
  const endpoints = readEndpoints(context.stateDir) ?? Object.fromEntries(SERVICES.map((s) => [s.name, applianceEndpoint(s.name)]));
  const services = await Promise.all(Object.entries(endpoints).map(([service, endpoint]) => probe(service, endpoint)));
  const allReady = services.length > 0 && services.every((s) => s.ready);
  const text = services.length === 0
    ? 'no services are running'
    : services.map((s) => `${s.service.padEnd(16)} ${s.health === 'ok' ? (s.ready ? 'ready' : 'NOT READY') : 'DOWN'}  ${s.endpoint}${s.error ? `  (${s.error})` : ''}`).join('\n');
  return { exitCode: allReady ? EXIT_OK : EXIT_NEGATIVE, json: { ok: allReady, services }, text };
}

async function probe(service: string, endpoint: string): Promise<ServiceStatus> {
  try {
    const health = await callService(endpoint, { path: '/health', timeoutMs: 3000 });
    if (health.status !== 200) return { service, endpoint, health: 'down', ready: false, error: `health answered ${health.status}` };
    const ready = await callService(endpoint, { path: '/ready', timeoutMs: 10_000 });
    const checks = (ready.body as { checks?: unknown } | null)?.checks;
    return { service, endpoint, health: 'ok', ready: ready.status === 200, ...(checks === undefined ? {} : { checks }) };
  } catch (error) {
    return { service, endpoint, health: 'down', ready: false, error: (error as Error).message };
  }
}

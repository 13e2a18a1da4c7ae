import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../atomic-write.js';
import { KeepError, messageOf } from '../errors.js';
import { listenSchema } from '../config/base-config.js';

/** Service name (`keep-audit`) → listener, as clients find them. */
export type Endpoints = Record<string, string>;

const endpointsSchema = z.record(z.string().regex(/^keep-[a-z]+$/), listenSchema);

export const ENDPOINTS_FILE = 'endpoints.json';

/** Where each service listens in the appliance. */
export function applianceEndpoint(service: string): string {
  // The UI is the one service a browser must reach, so it alone keeps a TCP port.
  if (service === 'keep-ui') return 'tcp:127.0.0.1:8480';
  return `unix:/run/keep/${service.replace(/^keep-/, '')}.sock`;
}

/**
 * The dev launcher writes `endpoints.json` in the state dir (ports may be chosen by
 * the kernel in tests); without that file, the appliance's fixed sockets apply.
 */
export function readEndpoints(stateDir: string): Endpoints | null {
  const path = join(stateDir, ENDPOINTS_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KeepError('io.failed', `Cannot read ${path}: ${messageOf(error)}`, { status: 500, cause: error });
  }
  try {
    return endpointsSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new KeepError('config.invalid', `Endpoints file ${path} is malformed: ${messageOf(error)}`, { cause: error });
  }
}

export function writeEndpoints(stateDir: string, endpoints: Endpoints): void {
  writeFileAtomic(join(stateDir, ENDPOINTS_FILE), `${JSON.stringify(endpoints, null, 2)}\n`, 0o644);
}

export function endpointOf(stateDir: string, service: string): string {
  return readEndpoints(stateDir)?.[service] ?? applianceEndpoint(service);
}

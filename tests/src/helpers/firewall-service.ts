/**
 * A keep-firewall child process on a loopback port, sharing a state dir made by
 * `createInferenceState` (or any dev-shaped one): the shipped default tool policy in
 * `<config>/policy/tools.yaml` unless one is there, workspaces under `<state>/vault`.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY_FILE } from '@keep/firewall';
import { forkService, type ForkedService } from './fork-service.js';

export type RunningFirewall = ForkedService;

export interface FirewallPlaces {
  stateDir: string;
  configDir: string;
  credentialsDir: string;
}

export function startFirewall(places: FirewallPlaces): Promise<RunningFirewall> {
  const policy = join(places.configDir, 'policy', 'tools.yaml');
  if (!existsSync(policy)) {
    mkdirSync(join(places.configDir, 'policy'), { recursive: true });
    copyFileSync(DEFAULT_POLICY_FILE, policy);
  }
  return forkService('services/firewall/dist/main.js', places);
}

/** A credential's text from a state dir's credentials folder. */
export function credential(credentialsDir: string, name: string): string {
  return readFileSync(join(credentialsDir, name), 'utf8').trim();
}

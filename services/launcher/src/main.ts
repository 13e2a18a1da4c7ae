import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { ENDPOINTS_FILE, SERVICES, readEnv, writeEndpoints, type Endpoints } from '@keep/core';
import { prepareDevState } from './prepare-state.js';
import { prepareSetupCode } from './setup-code.js';
import { launchService, stopService, type LaunchedService } from './launch-service.js';

const REPO = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 15_000;

/**
 * Dev mode: every built service as a child process on its loopback port, sharing
 * one state dir (`.keep/` or `$KEEP_STATE_DIR`). Nothing restarts silently: if one
 * service dies, the launcher says which and stops the rest.
 */
async function main(): Promise<void> {
  const env = readEnv();
  const state = prepareDevState(resolve(env.stateDir ?? join(REPO, '.keep')));
  const say = (line: string): void => void process.stderr.write(`keep-dev: ${line}\n`);
  say(`state dir ${state.stateDir}${state.created.length > 0 ? ` (created ${state.created.length} credentials)` : ''}`);

  const running: LaunchedService[] = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    stopping = true;
    await Promise.all(running.map((service) => stopService(service, STOP_GRACE_MS)));
    rmSync(join(state.stateDir, ENDPOINTS_FILE), { force: true });
    say('stopped');
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  const setupCode = prepareSetupCode(state.stateDir);

  const endpoints: Endpoints = {};
  for (const entry of SERVICES) {
    const script = join(REPO, entry.main);
    if (!existsSync(script)) continue;
    const listen = `tcp:127.0.0.1:${env.devEphemeralPorts ? 0 : entry.devPort}`;
    try {
      const service = await launchService({
        entry, script, startTimeoutMs: START_TIMEOUT_MS,
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          KEEP_STATE_DIR: state.stateDir,
          KEEP_CONFIG_DIR: state.configDir,
          KEEP_CREDENTIALS_DIR: state.credentialsDir,
          KEEP_LISTEN: listen,
          ...(env.logLevel === undefined ? {} : { KEEP_LOG_LEVEL: env.logLevel }),
        },
      });
      running.push(service);
      endpoints[entry.name] = service.endpoint;
      service.child.once('exit', (code, signal) => {
        if (stopping) return;
        say(`${entry.name} exited unexpectedly (${signal ?? `exit code ${code}`}); stopping everything`);
        void stopAll(1);
      });
      say(`${entry.name} ready on ${service.endpoint}`);
    } catch (error) {
      say((error as Error).message);
      await stopAll(1);
    }
  }
  const ui = endpoints['keep-ui'];
  say(ui ? `open the UI at http://${ui.replace(/^tcp:/, '')}/` : 'the web UI is not built yet; use `npx keepctl status`');
  if (setupCode !== null && ui) {
    say('no admin yet: create the first one in the UI with this one-time setup code');
    say('');
    say(`    setup code: ${setupCode}`);
    say('');
  }
  // Last: whoever waits for endpoints.json (tests, scripts) has seen everything above.
  writeEndpoints(state.stateDir, endpoints);
  say(`${running.length} services running; Ctrl-C stops them`);
}

void main();

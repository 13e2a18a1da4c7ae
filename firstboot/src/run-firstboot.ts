import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeepError, messageOf, queueAuditEvents, writeFileAtomic, type AuditEvent, type Logger } from '@keep/core';
import type { FirstbootConfig } from './config.js';
import type { Executor } from './executor.js';
import type { StepContext, SystemPaths } from './step-context.js';
import { provisionCredentials } from './steps/provision-credentials.js';
import { issueSetupCode } from './steps/issue-setup-code.js';
import { lookupId } from './system/lookup-ids.js';
import { provisionVault, retireSetupKey } from './vault/provision-vault.js';
import { mountVault } from './vault/mount-vault.js';

export interface RunFirstbootOptions {
  config: FirstbootConfig;
  exec: Executor;
  log: Logger;
  paths: SystemPaths;
  clock?: () => number;
}

export type FirstbootOutcome = { readonly ran: false; readonly marker: string } | { readonly ran: true; readonly marker: string; readonly steps: readonly string[] };

/**
 * The marker whose presence means firstboot finished: `<stateDir>/.firstboot-done`.
 * keep-firstboot.service has `ConditionPathExists=!/var/lib/keep/.firstboot-done`.
 */
export function firstbootMarkerPath(stateDir: string): string {
  return join(stateDir, '.firstboot-done');
}

const ACTOR = 'service:keep-firstboot';

/**
 * Provisions the appliance once. With the marker present it does nothing at all.
 * Otherwise it runs every step in order; each one first looks at what is already
 * there and does only what is missing, so a run that failed half way is finished by
 * the next. The marker is written last: a failure leaves none, and throws a
 * `KeepError` whose `extra.step` names the step that failed.
 */
export async function runFirstboot(options: RunFirstbootOptions): Promise<FirstbootOutcome> {
  const { config, log } = options;
  const marker = firstbootMarkerPath(config.stateDir);
  if (existsSync(marker)) {
    log.info('Firstboot already done; nothing to do', { marker });
    return { ran: false, marker };
  }
  const privateDir = join(config.stateDir, 'firstboot');
  mkdirSync(privateDir, { recursive: true, mode: 0o700 });
  chownSync(privateDir, 0, 0);
  chmodSync(privateDir, 0o700);
  let keepGid = 0;
  const events: AuditEvent[] = [];
  const ctx: StepContext = {
    config, exec: options.exec, log, paths: options.paths, privateDir,
    event: (action, details) => events.push({ actor: ACTOR, action, decision: 'info', ...(details ? { details } : {}) }),
  };
  const steps: string[] = [];
  const step = async (name: string, body: () => Promise<void> | void): Promise<void> => {
    log.info('Step', { step: name });
    try {
      await body();
    } catch (error) {
      const code = error instanceof KeepError ? error.code : 'firstboot.step_failed';
      ctx.event('firstboot.step_failed', { step: name, code });
      throw new KeepError(code, `Firstboot step ${name} failed: ${error instanceof KeepError ? error.detail : messageOf(error)}`, { status: 500, cause: error, extra: { step: name } });
    } finally {
      // Whatever happened so far is on record before the next step (or the exit).
      queueAuditEvents(config.stateDir, events.splice(0), { ...(keepGid === 0 ? {} : { gid: keepGid }), ...(options.clock ? { clock: options.clock } : {}) });
    }
    steps.push(name);
  };

  await step('users', () => {
    // Static users and groups from systemd-sysusers, by name: never a hard-coded id.
    keepGid = lookupId('group', 'keep', options.paths.idFiles);
  });
  await step('credentials', () => provisionCredentials(ctx));
  if (config.vault.enabled) {
    let luks: Awaited<ReturnType<typeof provisionVault>> | undefined;
    await step('vault.keys', async () => {
      luks = await provisionVault(ctx);
    });
    await step('vault.mount', () => mountVault(ctx, luks!, keepGid));
    await step('vault.retire-setup-key', () => retireSetupKey(ctx, luks!));
  }
  await step('setup-code', () => issueSetupCode(ctx, { uid: lookupId('user', 'keep-ui', options.paths.idFiles), gid: keepGid }));
  await step('marker', () => {
    ctx.event('firstboot.complete', { steps: steps.length + 1 });
    writeFileAtomic(marker, `${JSON.stringify({ completedAt: new Date((options.clock ?? Date.now)()).toISOString() })}\n`, 0o600);
  });
  log.info('Firstboot complete', { marker });
  return { ran: true, marker, steps };
}

/** What the marker says, for doctor and tests. */
export function readFirstbootMarker(stateDir: string): { completedAt: string } | null {
  try {
    return JSON.parse(readFileSync(firstbootMarkerPath(stateDir), 'utf8')) as { completedAt: string };
  } catch {
    return null;
  }
}

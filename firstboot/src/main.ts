import { KeepError, createLogger, loadConfig, readEnv } from '@keep/core';
import { firstbootConfigSchema } from './config.js';
import { processExecutor } from './executor.js';
import { runFirstboot } from './run-firstboot.js';
import { SYSTEM_ID_FILES } from './system/lookup-ids.js';

/**
 * keep-firstboot: runs once, as root, before the services (keep-firstboot.service).
 * Secrets it makes go to the credstore, the vault header and the console, never here:
 * stdout is the journal.
 */
async function main(): Promise<number> {
  const env = readEnv();
  const { config } = loadConfig({ service: 'firstboot', schema: firstbootConfigSchema, env });
  const log = createLogger({ service: 'keep-firstboot', level: config.logLevel });
  try {
    await runFirstboot({ config, exec: processExecutor, log, paths: { crypttab: '/etc/crypttab', fstab: '/etc/fstab', idFiles: SYSTEM_ID_FILES } });
    return 0;
  } catch (error) {
    const step = error instanceof KeepError ? String(error.extra?.['step'] ?? '') : '';
    log.error('Firstboot failed; no marker written', { step, code: error instanceof KeepError ? error.code : 'firstboot.step_failed' });
    process.stderr.write(`keep-firstboot: ${error instanceof KeepError ? `${error.code}: ${error.detail}` : String(error)}\n`
      + 'keep-firstboot: nothing was marked done. Fix the cause above, then run `systemctl restart keep-firstboot`\n'
      + 'keep-firstboot: (or reboot); finished steps are kept and skipped, the rest resumes. See /usr/lib/keep/docs/image.md.\n');
    return 1;
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  process.stderr.write(`keep-firstboot: cannot start: ${error instanceof KeepError ? `${error.code}: ${error.detail}` : String(error)}\n`);
  process.exit(1);
});

import { chownSync, existsSync, lchownSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateSetupCode, setupCodePath, writeFileAtomic } from '@keep/core';
import type { StepContext } from '../step-context.js';
import { showOnConsole } from '../system/show-on-console.js';

/**
 * The UI's one-time setup code: shown on the console, its SHA-256 stored for keep-ui
 * (owner keep-ui, 0600, which removes it once the first admin exists). The code itself
 * is never written to disk or stdout. Shown first, stored second: a failure in between
 * stores nothing, and the rerun shows a fresh code.
 */
export function issueSetupCode(ctx: StepContext, ui: { uid: number; gid: number }): void {
  const path = setupCodePath(ctx.config.stateDir);
  if (existsSync(path)) return;
  const { code, sha256 } = generateSetupCode();
  showOnConsole(ctx.config.console, [
    '',
    '==== Keep setup code ====',
    'Open http://127.0.0.1:8480 on this machine and enter this code to create the first',
    'administrator. It works once. If this screen shows more than one, the last one is valid.',
    '',
    `    ${code}`,
    '',
    '=========================',
    '',
  ].join('\n'));
  // tmpfiles makes it 0750 keep-ui:keep; firstboot makes it the same way when it runs first.
  mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
  chownSync(dirname(path), ui.uid, ui.gid);
  writeFileAtomic(path, `${sha256}\n`, 0o600);
  lchownSync(path, ui.uid, ui.gid);
  ctx.log.info('Setup code issued; shown on the console', { console: ctx.config.console, digestFile: path });
  ctx.event('firstboot.setup_code_issued', { digestFile: path });
}

import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { KeepError, messageOf } from '@keep/core';

/**
 * Writes text to the console device (or the tty a person watches), never to stdout:
 * stdout is the journal, and a secret there would be on disk for good. The device is
 * opened without becoming our controlling terminal and without creating anything.
 */
export function showOnConsole(console: string, text: string): void {
  let fd: number;
  try {
    fd = openSync(console, constants.O_WRONLY | constants.O_APPEND | constants.O_NOCTTY | constants.O_NOFOLLOW);
  } catch (error) {
    throw new KeepError('firstboot.console_unavailable', `Cannot open console ${console}: ${messageOf(error)}`, { status: 500 });
  }
  try {
    const bytes = Buffer.from(text);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  } finally {
    closeSync(fd);
  }
}

import { constants, lstatSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { KeepError } from '@keep/core';

/** A workspace file name: plain, no directories, no leading dot (hidden partials stay hidden). */
export const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

export interface WorkspaceFile {
  name: string;
  size: number;
  modifiedAt: number;
}

/** `<vault>/workspaces/<user>/`: what the tools read for that user. Created 0700 on first use. */
export function workspaceDir(vaultDir: string, username: string): string {
  const dir = join(vaultDir, 'workspaces', username);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export function checkFileName(name: string): string {
  if (!FILE_NAME.test(name)) throw new KeepError('ui.bad_file_name', `${JSON.stringify(name.slice(0, 80))} is not a plain file name`, { status: 400 });
  return name;
}

/** Regular files only; links and directories someone put there are not shown or counted. */
export function listWorkspace(dir: string): WorkspaceFile[] {
  const files: WorkspaceFile[] = [];
  for (const name of readdirSync(dir)) {
    if (!FILE_NAME.test(name)) continue;
    const stat = lstatSync(join(dir, name));
    if (stat.isFile()) files.push({ name, size: stat.size, modifiedAt: stat.mtimeMs });
  }
  return files.sort((a, b) => a.name.localeCompare(b.name));
}

export const usedBytes = (files: readonly WorkspaceFile[]): number => files.reduce((sum, f) => sum + f.size, 0);

/**
 * Streams `body` into `<dir>/<name>` through a hidden partial file, stopping as soon as
 * the quota would be passed; the partial is removed on any failure. Replacing a file
 * counts only the difference.
 */
export async function writeWorkspaceFile(dir: string, name: string, body: AsyncIterable<Buffer>, quotaBytes: number): Promise<WorkspaceFile> {
  checkFileName(name);
  const files = listWorkspace(dir);
  const replaced = files.find((f) => f.name === name)?.size ?? 0;
  const room = quotaBytes - usedBytes(files) + replaced;
  const partial = join(dir, `.partial-${randomBytes(8).toString('hex')}`);
  const handle = await open(partial, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  let size = 0;
  try {
    try {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > room) throw new KeepError('ui.quota_exceeded', `The workspace has ${Math.max(0, room)} bytes left of its ${quotaBytes}-byte quota`, { status: 413 });
        await handle.write(chunk);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    const target = join(dir, name);
    const existing = lstatOrNull(target);
    if (existing && !existing.isFile()) throw new KeepError('ui.bad_file_name', `${name} exists and is not a regular file`, { status: 409 });
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  return { name, size, modifiedAt: Date.now() };
}

export function deleteWorkspaceFile(dir: string, name: string): void {
  const path = join(dir, checkFileName(name));
  const stat = lstatOrNull(path);
  if (!stat || !stat.isFile()) throw new KeepError('ui.file_not_found', `No file ${name} in the workspace`, { status: 404 });
  rmSync(path);
}

function lstatOrNull(path: string): ReturnType<typeof lstatSync> | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

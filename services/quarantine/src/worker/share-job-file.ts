import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Makes one claimed file readable by a `keep-scan@` worker and nothing else in its job
 * dir. In the appliance the jobs dir is setgid to group `keep-scan` (tmpfiles), so
 * every job dir and file created below it already has that group; the worker runs with
 * `SupplementaryGroups=keep-scan`. Modes decide the rest: each directory from the job
 * dir down to the file becomes 0710 (enter, never list), the file 0640, and every other
 * entry on the way loses its group and other bits. Only chmod, which a file's owner may
 * do inside keep-quarantine's user namespace; a chgrp there fails (the group is not
 * mapped). The file must lie at least one directory below `jobsDir`.
 */
export function shareJobFile(jobsDir: string, file: string): void {
  const parts = relative(jobsDir, file).split(sep);
  if (parts.length < 2 || parts.some((p) => p === '..' || p === '')) throw new Error(`${file} is not inside a job dir of ${jobsDir}`);
  let dir = jobsDir;
  for (const [index, part] of parts.entries()) {
    const next = join(dir, part);
    if (index > 0) closeSiblings(dir, part);
    if (index < parts.length - 1) chmodSync(next, 0o710);
    dir = next;
  }
  chmodSync(file, 0o640);
}

/** Every entry of `dir` but `keep`: no group or other access (links are left alone: chmod would follow them). */
function closeSiblings(dir: string, keep: string): void {
  for (const name of readdirSync(dir)) {
    if (name === keep) continue;
    const path = join(dir, name);
    const stats = lstatSync(path);
    if (stats.isSymbolicLink()) continue;
    chmodSync(path, stats.mode & 0o700);
  }
}

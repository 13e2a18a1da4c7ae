import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The quarantine's folders under `<stateDir>/quarantine`. Writers drop files into
 * `inbox/` (after writing them in `inbox/.partial/`); the watcher claims each by
 * rename into a private `jobs/<id>/`; refused entries move to `rejected/<id>/`
 * until the retention sweep removes them; `staging/` holds files offered to the
 * registry.
 */
export interface QuarantinePaths {
  root: string;
  inbox: string;
  partial: string;
  jobs: string;
  rejected: string;
  staging: string;
}

export function quarantinePaths(stateDir: string): QuarantinePaths {
  const root = join(stateDir, 'quarantine');
  return {
    root,
    inbox: join(root, 'inbox'),
    partial: join(root, 'inbox', '.partial'),
    jobs: join(root, 'jobs'),
    rejected: join(root, 'rejected'),
    staging: join(root, 'staging'),
  };
}

/** Creates what is missing; in the appliance tmpfiles.d already made them with the right owners. */
export function ensureQuarantineDirs(paths: QuarantinePaths): void {
  mkdirSync(paths.root, { recursive: true, mode: 0o750 });
  ensureSetgidDir(paths.inbox);
  ensureSetgidDir(paths.partial);
  for (const dir of [paths.jobs, paths.rejected, paths.staging]) mkdirSync(dir, { recursive: true, mode: 0o750 });
}

/**
 * A 2770 directory, made only when missing: Node's recursive mkdir with the setgid
 * bit in its mode fails with EPERM on an existing directory the caller does not own
 * (the appliance's inbox, root:keep-import from tmpfiles), and mkdir(2) drops that
 * bit anyway, so it is set afterwards.
 */
function ensureSetgidDir(path: string): void {
  if (existsSync(path)) return;
  mkdirSync(path, { recursive: true, mode: 0o770 });
  chmodSync(path, 0o2770);
}

/** Inbox names a job may carry: no dots first (hidden, `.partial`), no separators, no control characters. */
export const SAFE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/;

/** Job ids sort by creation time and are unguessable. */
export function newJobId(now: number, random: Buffer): string {
  return `${now.toString(36).padStart(9, '0')}-${random.toString('hex')}`;
}

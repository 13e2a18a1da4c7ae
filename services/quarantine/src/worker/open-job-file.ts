import { constants, open, realpath, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { jobFilePathProblem } from './job-file-path.js';

/** A job file a `keep-scan@` worker refused to open; it ends without a result (the quarantine records `worker.crashed`). */
export class JobFileError extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(`job file ${JSON.stringify(path.slice(0, 300))}: ${problem}`);
    this.name = 'JobFileError';
  }
}

/**
 * Opens the file a job line names, read-only, the way a worker in `keep-scan@` does:
 * the path passes `jobFilePathProblem`, no directory on the way is a symbolic link
 * (its real path is itself), the last component is not followed (`O_NOFOLLOW`), and
 * what was opened is a regular file of exactly the size the quarantine said.
 */
export async function openJobFile(path: string, size: number, jobsDir: string): Promise<FileHandle> {
  const problem = jobFilePathProblem(path, jobsDir);
  if (problem !== null) throw new JobFileError(path, problem);
  const dir = dirname(path);
  let real: string;
  try {
    real = await realpath(dir);
  } catch (error) {
    throw new JobFileError(path, `its directory cannot be resolved (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (real !== dir) throw new JobFileError(path, 'a directory on the way is a symbolic link');
  let file: FileHandle;
  try {
    file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new JobFileError(path, code === 'ELOOP' ? 'it is a symbolic link' : `it cannot be opened (${code ?? 'error'})`);
  }
  const stats = await file.stat();
  const refusal = !stats.isFile() ? 'it is not a regular file' : stats.size !== size ? `it has ${stats.size} bytes, the job says ${size}` : null;
  if (refusal !== null) {
    await file.close();
    throw new JobFileError(path, refusal);
  }
  return file;
}

import { mkdirSync, renameSync, rmSync, statfsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { KeepError, parseInput, requireScope, type TokenDigests } from '@keep/core';
import type { Quarantine } from '../jobs/quarantine.js';
import { SAFE_FILE_NAME, type QuarantinePaths } from '../jobs/quarantine-paths.js';

export interface UploadRouteDeps {
  quarantine: Quarantine;
  paths: QuarantinePaths;
  tokens: TokenDigests;
  maxBytes: () => number;
}

const uploadQuery = z.strictObject({
  name: z.string().regex(SAFE_FILE_NAME, 'must be a plain file name'),
  // keep-airlock hands over its pulls here and names where the file came from; the
  // source stage then applies the policy for airlock pulls (off unless an admin allows them).
  source: z.enum(['upload', 'airlock']).optional(),
  origin: z.string().max(2048).startsWith('https://').optional(),
}).refine((q) => (q.source === 'airlock') === (q.origin !== undefined), 'origin is required for, and only for, source=airlock');

export const UPLOAD_PATH = '/v1/uploads';

/**
 * `POST /v1/uploads?name=FILE` with an `application/octet-stream` body: streamed to a
 * hidden job dir (never buffered), size-capped while it arrives, fsynced, then the
 * dir is renamed into place and the job starts. A cut connection or an over-size
 * body leaves nothing behind.
 */
export function uploadRoutes(deps: UploadRouteDeps): Router {
  const router = Router();
  router.post('/uploads', requireScope(deps.tokens, 'quarantine:submit'), async (req, res) => {
    const { name, source, origin } = parseInput(uploadQuery, req.query, 'Query');
    if (!req.is('application/octet-stream')) throw new KeepError('http.unsupported_media_type', 'Upload body must be application/octet-stream', { status: 415 });
    const limit = deps.maxBytes();
    const declared = Number(req.get('content-length') ?? Number.NaN);
    if (declared > limit) throw new KeepError('quarantine.upload_too_large', `Upload of ${declared} bytes is over the ${limit}-byte limit`, { status: 413 });
    if (Number.isFinite(declared)) {
      const stats = statfsSync(deps.paths.jobs);
      if (stats.bavail * stats.bsize < 2 * declared) throw new KeepError('quarantine.no_space', 'Not enough free space to take and scan this upload', { status: 507 });
    }
    const jobId = deps.quarantine.newId();
    const partialDir = join(deps.paths.jobs, `.partial-${jobId}`);
    mkdirSync(partialDir, { mode: 0o700 });
    let size = 0;
    try {
      // 0644 inside the 0700 job dir: the unprivileged scan worker re-opens the model through /proc/self/fd.
      const file = await open(join(partialDir, name), 'wx', 0o644);
      try {
        await file.chmod(0o644); // whatever the umask took away
        for await (const chunk of req as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > limit) throw new KeepError('quarantine.upload_too_large', `Upload is over the ${limit}-byte limit`, { status: 413 });
          await file.write(chunk);
        }
        if (Number.isFinite(declared) && size !== declared) throw new KeepError('quarantine.upload_incomplete', `Upload ended after ${size} of ${declared} bytes`, { status: 400 });
        await file.sync();
      } finally {
        await file.close();
      }
      renameSync(partialDir, join(deps.paths.jobs, jobId));
    } catch (error) {
      rmSync(partialDir, { recursive: true, force: true });
      throw error;
    }
    const job = await deps.quarantine.adopt(jobId, name, size, source === 'airlock' && origin !== undefined ? { kind: 'airlock', origin } : { kind: 'upload' });
    res.status(202).json({ job });
  });
  return router;
}

import { Router } from 'express';
import { z } from 'zod';
import { KeepError, parseInput } from '@keep/core';
import type { UiAppDeps } from '../app.js';
import { accountOf, actorOf, requireSignedIn } from '../auth/session-middleware.js';
import { deleteWorkspaceFile, listWorkspace, usedBytes, workspaceDir, writeWorkspaceFile } from '../files/workspace.js';

const nameQuery = z.strictObject({ name: z.string().min(1).max(200) });

export const FILES_PATH = '/api/files';

/** The signed-in person's workspace: list with quota, upload (streamed), delete. */
export function fileRoutes(deps: UiAppDeps): Router {
  const router = Router();
  const dirOf = (res: Parameters<typeof accountOf>[0]): string => workspaceDir(deps.vaultDir, accountOf(res)!.username);

  router.get('/files', requireSignedIn, (_req, res) => {
    const files = listWorkspace(dirOf(res));
    res.json({ files, usedBytes: usedBytes(files), quotaBytes: deps.config.workspaceQuotaBytes });
  });

  router.post('/files', requireSignedIn, async (req, res) => {
    const { name } = parseInput(nameQuery, req.query, 'Query');
    if (!req.is('application/octet-stream')) throw new KeepError('http.unsupported_media_type', 'A file upload must be application/octet-stream', { status: 415 });
    const file = await writeWorkspaceFile(dirOf(res), name, req as AsyncIterable<Buffer>, deps.config.workspaceQuotaBytes);
    await deps.audit.append({ actor: actorOf(res), action: 'ui.file_upload', target: `workspace:${accountOf(res)!.username}/${file.name}`, decision: 'info', reason: 'ok', details: { bytes: file.size } });
    res.status(201).json({ file });
  });

  router.delete('/files/:name', requireSignedIn, async (req, res) => {
    const name = String(req.params['name'] ?? '');
    deleteWorkspaceFile(dirOf(res), name);
    await deps.audit.append({ actor: actorOf(res), action: 'ui.file_delete', target: `workspace:${accountOf(res)!.username}/${name}`, decision: 'info', reason: 'ok' });
    res.json({ deleted: name });
  });
  return router;
}

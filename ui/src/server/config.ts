import { z } from 'zod';
import { listenSchema, serviceConfig } from '@keep/core';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** keep-ui's configuration: `/etc/keep/ui.yaml`. */
export const uiConfigSchema = serviceConfig('ui', {
  listen: listenSchema.default('tcp:127.0.0.1:8480')
    .describe('Listener: loopback TCP only (`tcp:127.0.0.1:8480`); the browser is the one client'),
  vaultDir: z.string().startsWith('/').optional()
    .describe('The vault holding each user\'s workspace and chat history (default `<stateDir>/vault`, that is `/var/lib/keep/vault`)'),
  sessionIdleMs: z.number().int().min(60_000).max(7 * 86_400_000).default(30 * 60_000)
    .describe('A session unused this long ends (ms)'),
  sessionMaxMs: z.number().int().min(60_000).max(90 * 86_400_000).default(7 * 86_400_000)
    .describe('A session ends this long after sign-in however busy (ms)'),
  workspaceQuotaBytes: z.number().int().min(MiB).max(1024 * GiB).default(2 * GiB)
    .describe('Bytes each user\'s workspace may hold'),
  maxModelUploadBytes: z.number().int().min(MiB).max(1024 * GiB).default(256 * GiB)
    .describe('Largest model an admin may upload through the UI (the quarantine has its own limit too)'),
  chatMaxTokens: z.number().int().min(16).max(131_072).optional()
    .describe('Longest answer (tokens) asked of the model per chat round; unset, keep-inference\'s default shrunk to the room the prompt leaves'),
  backoffBaseMs: z.number().int().min(100).max(60_000).default(1000)
    .describe('Wait after the first failed sign-in of an account; doubles with each further failure'),
  backoffCapMs: z.number().int().min(1000).max(300_000).default(30_000)
    .describe('Longest wait between sign-in attempts of one account: a cap, never a lock-out'),
});

export type UiConfig = z.output<typeof uiConfigSchema>;

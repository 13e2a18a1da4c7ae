import { z } from 'zod';
import { serviceConfig } from '@keep/core';

const GiB = 1024 ** 3;

/** keep-registry's configuration: `/etc/keep/registry.yaml`. */
export const registryConfigSchema = serviceConfig('registry', {
  stagingDir: z.string().startsWith('/').optional()
    .describe('The only directory promotions are copied from (default `<stateDir>/quarantine/staging`); paths are checked after resolving links'),
  verifyEveryMs: z.number().int().min(1000).max(30 * 86_400_000).default(86_400_000)
    .describe('Period of the scheduled re-hash of every stored model (ms); a failure contains the model and is audited'),
  maxModelBytes: z.number().int().positive().max(1024 * GiB).default(256 * GiB)
    .describe('Largest model file a promotion may copy'),
});

export type RegistryConfig = z.output<typeof registryConfigSchema>;

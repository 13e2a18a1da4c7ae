import { z } from 'zod';
import { serviceConfig } from '@keep/core';

/** keep-airlock's configuration: `/etc/keep/airlock.yaml`. Egress rules live in the policy file. */
export const airlockConfigSchema = serviceConfig('airlock', {
  policyFile: z.string().startsWith('/').default('/etc/keep/policy/airlock.yaml')
    .describe('The egress policy (allowlist, DNS servers, trusted CAs, limits); a missing file allows nothing'),
  quarantineEndpoint: z.string().optional()
    .describe('Where pulls are handed over (default: the quarantine from `endpoints.json`, else `unix:/run/keep/quarantine.sock`)'),
  pullRetries: z.number().int().min(0).max(20).default(3)
    .describe('Times a cut download is resumed with a Range request before the pull fails'),
});

export type AirlockConfig = z.output<typeof airlockConfigSchema>;

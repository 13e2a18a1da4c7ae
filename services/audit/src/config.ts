import { z } from 'zod';
import { serviceConfig } from '@keep/core';

/** keep-audit's configuration: `/etc/keep/audit.yaml`. */
export const auditConfigSchema = serviceConfig('audit', {
  checkpointEveryRows: z.number().int().min(1).max(1_000_000).default(1000)
    .describe('Sign a checkpoint once this many rows were appended since the last one'),
  checkpointEveryMs: z.number().int().min(100).max(3_600_000).default(5000)
    .describe('Sign a checkpoint at least this often while rows keep coming (ms)'),
  headFile: z.string().startsWith('/').optional()
    .describe('Head file outside the store (default `<stateDir>/audit/head.json`)'),
});

export type AuditConfig = z.output<typeof auditConfigSchema>;

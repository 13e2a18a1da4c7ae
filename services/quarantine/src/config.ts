import { z } from 'zod';
import { serviceConfig } from '@keep/core';

const GiB = 1024 ** 3;

/** keep-quarantine's configuration: `/etc/keep/quarantine.yaml`. What it accepts is policy, in its own file. */
export const quarantineConfigSchema = serviceConfig('quarantine', {
  policyFile: z.string().startsWith('/').optional()
    .describe('The quarantine policy (formats, sources, signatures, limits); default `<config dir>/policy/quarantine.yaml`; a missing file means the safe defaults'),
  maxConcurrentJobs: z.number().int().min(1).max(16).default(2)
    .describe('Scans running at once; more jobs wait in order'),
  sweepEveryMs: z.number().int().min(500).max(3_600_000).default(30_000)
    .describe('Full inbox sweep period, besides inotify events'),
  keepRejectedDays: z.number().min(0).max(365).default(7)
    .describe('Days a rejected file is kept (for an admin to look at) before removal; 0 removes at once'),
  uploadMaxBytes: z.number().int().positive().max(1024 * GiB).default(256 * GiB)
    .describe('Largest streamed upload accepted'),
  worker: z.strictObject({
    mode: z.enum(['child', 'socket']).default('child')
      .describe('Where scan workers run: `child` (dev: keep-quarantine\'s own child process, dropped to uid 65534 when started as root) or `socket` (the appliance: one `keep-scan@` unit per job, started by connecting to `socket`; keep-quarantine.service sets `KEEP_SCAN_WORKER_MODE=socket`, which overrides this key)'),
    socket: z.string().startsWith('/').default('/run/keep/scan.sock')
      .describe('`keep-scan.socket`\'s path, used in `socket` mode'),
  }).default({ mode: 'child', socket: '/run/keep/scan.sock' })
    .describe('The scan worker'),
});

export type QuarantineConfig = z.output<typeof quarantineConfigSchema>;

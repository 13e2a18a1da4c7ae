import { z } from 'zod';
import { serviceConfig } from '@keep/core';

/** keep-firewall's configuration: `/etc/keep/firewall.yaml`. What tools may do is policy, in its own file. */
export const firewallConfigSchema = serviceConfig('firewall', {
  policyFile: z.string().startsWith('/').optional()
    .describe('The tool policy; default `<config dir>/policy/tools.yaml`; a missing file allows no tool at all'),
  vaultDir: z.string().startsWith('/').optional()
    .describe('The vault root (default `<stateDir>/vault`); each user\'s workspace is `<vaultDir>/workspaces/<user>/`'),
  maxOutputBytes: z.number().int().min(1024).max(4 * 1024 * 1024).default(64 * 1024)
    .describe('Largest tool result handed back to the model'),
  maxReadBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024)
    .describe('Bytes read from one file (read_file, search_files) and largest write_file content'),
  maxEntries: z.number().int().min(1).max(1_000_000).default(1000)
    .describe('Directory entries listed by list_dir, or visited by search_files'),
  toolTimeoutMs: z.number().int().min(100).max(300_000).default(10_000)
    .describe('Wall time a search or a fetch may take'),
});

export type FirewallConfig = z.output<typeof firewallConfigSchema>;

import { z } from 'zod';
import { loadYamlFile } from '@keep/core/load-config';

/** Where a file came from; the source stage decides whether that origin is allowed. */
export const SOURCE_KINDS = ['inbox', 'upload', 'bundle', 'airlock', 'cli'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

const GiB = 1024 ** 3;

const pinnedSourceSchema = z.strictObject({
  prefix: z.string().min(1).max(2048).describe('Origin prefix (an airlock URL such as `https://example.org/models/`); segment-aware'),
  keyIds: z.array(z.string().min(1).max(128)).max(64).optional()
    .describe('Only signatures by these trusted keys count for this origin (default: any trusted key)'),
});

/**
 * The quarantine's policy: `/etc/keep/policy/quarantine.yaml` (keepctl scan
 * `--policy`). Every default is the safe one; a missing file means all defaults.
 */
export const quarantinePolicySchema = z.strictObject({
  sources: z.strictObject({
    allowed: z.array(z.enum(SOURCE_KINDS)).max(SOURCE_KINDS.length).default(['inbox', 'upload', 'bundle', 'cli'])
      .describe('Source kinds accepted at all; airlock pulls are added by an admin'),
    requireSignature: z.boolean().default(false)
      .describe('Require a verified signature from every source (default: unsigned local files and bundles pass, recorded as unsigned)'),
    pinned: z.array(pinnedSourceSchema).max(256).default([])
      .describe('Origins that must always come signed'),
  }).default({ allowed: ['inbox', 'upload', 'bundle', 'cli'], requireSignature: false, pinned: [] }),
  formats: z.array(z.enum(['gguf', 'safetensors'])).min(1).max(2).default(['gguf', 'safetensors'])
    .describe('Model formats accepted; everything else (pickle, PyTorch zip, unknown) is refused'),
  lockFile: z.string().startsWith('/').default('/etc/keep/policy/models.lock.yaml')
    .describe('Hash pins and blocked hashes; a missing file pins nothing'),
  keysDir: z.string().startsWith('/').default('/etc/keep/keys')
    .describe('Trusted Ed25519 public keys (`<keyid>.pub`, PEM) for detached signatures'),
  weights: z.strictObject({
    minEntropyBitsPerByte: z.number().min(0).max(8).optional()
      .describe('Refuse a tensor whose byte entropy is below this (evidence only when unset)'),
    maxAbsValue: z.number().positive().optional()
      .describe('Refuse a float tensor or block scale whose magnitude exceeds this (evidence only when unset)'),
  }).default({}),
  yara: z.strictObject({
    enabled: z.boolean().default(true).describe('Run the YARA pass over the whole file'),
    extraRulesFile: z.string().startsWith('/').optional().describe('More YARA rules, compiled with the defaults'),
  }).default({ enabled: true }),
  promotion: z.strictObject({
    mode: z.enum(['manual', 'auto']).default('manual')
      .describe('`manual`: a passed job waits for an admin to promote it; `auto`: every passed job is offered to the registry at once'),
  }).default({ mode: 'manual' }),
  behaviour: z.strictObject({
    enabled: z.boolean().default(true)
      .describe('Load every GGUF that passed the other checks into the engine, compare its chat template rendering and put it through the canary prompts'),
    timeoutMs: z.number().int().min(1000).max(3_600_000).default(300_000)
      .describe('The behaviour test running longer refuses the file (`behaviour.timeout`); large models on slow CPUs need more'),
    maxTokens: z.number().int().min(16).max(1024).default(64)
      .describe('Tokens generated per canary reply (greedy); more catches later misbehaviour and costs time on every scan'),
  }).default({ enabled: true, timeoutMs: 300_000, maxTokens: 64 }),
  limits: z.strictObject({
    maxFileBytes: z.number().int().positive().max(1024 * GiB).default(256 * GiB).describe('Largest model file accepted'),
    workerTimeoutMs: z.number().int().min(1000).max(24 * 3_600_000).default(2 * 3_600_000)
      .describe('A scan worker running longer is killed and the file refused (`worker.timeout`)'),
    workerMemoryMiB: z.number().int().min(128).max(65_536).default(1024)
      .describe('Data-segment limit of a scan worker; exceeding it is `worker.crashed`. The behaviour test needs the engine\'s context and any weights llama.cpp repacks (Q4_0 on AVX2) in it; mmapped weights do not count'),
  }).default({ maxFileBytes: 256 * GiB, workerTimeoutMs: 2 * 3_600_000, workerMemoryMiB: 1024 }),
});

export type QuarantinePolicy = z.output<typeof quarantinePolicySchema>;

export const DEFAULT_POLICY_FILE = '/etc/keep/policy/quarantine.yaml';

/** The policy at `file`; when `missingOk`, a missing file is the defaults. */
export function loadQuarantinePolicy(file: string, missingOk: boolean): QuarantinePolicy {
  return loadYamlFile(file, quarantinePolicySchema, { missingOk });
}

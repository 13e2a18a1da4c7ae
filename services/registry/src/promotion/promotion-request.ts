import { z } from 'zod';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

/**
 * What the quarantine sends to promote a job's file. Strict: an unknown key is a 400.
 * The registry trusts none of it blindly: it copies `stagedPath` itself, re-hashes
 * the copy against `sha256`, and for GGUF recomputes the chat-template hash.
 */
export const promotionRequestSchema = z.strictObject({
  jobId: z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/),
  name: z.string().min(1).max(128),
  stagedPath: z.string().min(2).max(4096).startsWith('/'),
  sha256,
  format: z.enum(['gguf', 'safetensors']),
  source: z.strictObject({ kind: z.string().min(1).max(64), origin: z.string().max(2048).nullable() }),
  provenance: z.strictObject({ status: z.string().min(1).max(64), keyid: z.string().min(1).max(256).optional() }),
  chatTemplateSha256: sha256.nullable(),
  evidence: z.record(z.string(), z.unknown()),
  promotedBy: z.string().min(1).max(256),
});

export type PromotionRequest = z.output<typeof promotionRequestSchema>;

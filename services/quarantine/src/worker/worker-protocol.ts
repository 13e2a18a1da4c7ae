import { z } from 'zod';
import { STAGE_NAMES } from '../pipeline/reason.js';

/**
 * What the service tells a scan worker (one JSON line). A child worker gets the file
 * itself as fd 3 and no `file`; a `keep-scan@` worker gets `file`, the path of the
 * claimed file below the jobs dir and its size, and opens it itself (`openJobFile`).
 */
export const workerJobSchema = z.strictObject({
  file: z.strictObject({ path: z.string().min(1).max(4096), size: z.number().int().nonnegative() }).optional(),
  fileName: z.string().min(1).max(255),
  formats: z.array(z.enum(['gguf', 'safetensors'])).min(1),
  yara: z.strictObject({ enabled: z.boolean(), extraRules: z.string().max(1024 * 1024).optional() }),
  maxFileBytes: z.number().int().positive(),
  weights: z.strictObject({ minEntropyBitsPerByte: z.number().optional(), maxAbsValue: z.number().optional() }),
  behaviour: z.strictObject({ enabled: z.boolean(), timeoutMs: z.number().int().positive(), maxTokens: z.number().int().positive().max(4096) }),
});
export type WorkerJob = z.output<typeof workerJobSchema>;

const reasonSchema = z.strictObject({
  code: z.string().regex(/^[a-z0-9_]+\.[a-z0-9_.]+$/).max(80),
  stage: z.enum(STAGE_NAMES),
  detail: z.string().max(1000),
});

export const stageReportSchema = z.strictObject({
  stage: z.enum(STAGE_NAMES),
  status: z.enum(['passed', 'rejected', 'skipped']),
  ms: z.number().nonnegative(),
  detail: z.string().max(1000).optional(),
});
export type StageReport = z.output<typeof stageReportSchema>;

/** Evidence a worker reports: numbers and short strings only, so it can go into a row and the UI. */
const evidenceSchema = z.record(z.string().max(200), z.unknown()).refine((v) => JSON.stringify(v).length <= 4 * 1024 * 1024, 'evidence too large');

export const workerResultSchema = z.strictObject({
  t: z.literal('result'),
  format: z.enum(['gguf', 'safetensors', 'pickle', 'pytorch_zip', 'zip', 'numpy', 'unknown']),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  reasons: z.array(reasonSchema).max(1000),
  stages: z.array(stageReportSchema).max(20),
  evidence: evidenceSchema,
});
export type WorkerResult = z.output<typeof workerResultSchema>;

export const workerProgressSchema = z.strictObject({
  t: z.literal('progress'),
  stage: z.enum(STAGE_NAMES),
  bytes: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type WorkerProgress = z.output<typeof workerProgressSchema>;

export const workerMessageSchema = z.discriminatedUnion('t', [workerResultSchema, workerProgressSchema]);

import type { Reason, ReasonTable } from '../pipeline/reason.js';
import type { Stage, StageOutcome } from '../pipeline/stage.js';
import type { GgufHeader } from '../formats/parse-gguf.js';
import { GgufStrings } from '../formats/gguf-strings.js';
import { scanChatTemplate } from '../checks/chat-template/scan-chat-template.js';
import { scanMetadataStrings, type MetadataValue } from '../checks/metadata/scan-metadata-strings.js';
import { layoutFromGguf, layoutFromSafetensors, type TensorFinding } from '../checks/tensor-values/index.js';
import { scanFileOnce } from '../scan/scan-once.js';
import type { WorkerFileContext } from '../worker/worker-context.js';

export const WEIGHT_POLICY_REASONS = {
  'weights.low_entropy': 'a tensor\'s byte entropy is below the policy minimum (padding or a payload posing as weights)',
  'weights.out_of_range': 'a float value or block scale is larger in magnitude than the policy allows',
} as const satisfies ReasonTable;

/** How often the one pass reports progress. */
const PROGRESS_BYTES = 64 * 1024 * 1024;
/** Per-tensor evidence kept in the job row; beyond this many tensors only the totals are. */
const MAX_TENSOR_EVIDENCE = 4096;

/**
 * Everything that looks inside a structurally valid file: the chat template (SSTI
 * shapes, its hash and the hash of fixed messages rendered with it), payloads hidden
 * in metadata strings, and one pass over every byte that computes the SHA-256 while
 * checking every tensor (NaN/Inf in values and block scales, zero padding) and
 * gathering weight statistics, which refuse only where the policy sets a bound.
 */
export const staticStage: Stage<WorkerFileContext> = {
  name: 'static',
  async run(context): Promise<StageOutcome> {
    const { structure } = context;
    if (structure === null) throw new TypeError('static stage needs a parsed structure');
    const reasons: Reason[] = [];
    const evidence: Record<string, unknown> = {};
    if (structure.kind === 'gguf') {
      // The default template and every named one (`tokenizer.chat_template.tool_use`): llama.cpp renders them all.
      const templates: Record<string, unknown> = {};
      for (const [key, { value }] of structure.header.metadata) {
        if (key !== 'tokenizer.chat_template' && !key.startsWith('tokenizer.chat_template.')) continue;
        if (typeof value !== 'string') {
          reasons.push({ code: 'template.parse_error', stage: 'static', detail: `${key.slice(0, 80)} is not a string` });
          continue;
        }
        const verdict = scanChatTemplate(value);
        reasons.push(...verdict.reasons.map((r) => (key === 'tokenizer.chat_template' ? r : { ...r, detail: `${key.slice(0, 80)}: ${r.detail}` })));
        templates[key.slice(0, 120)] = { sha256: verdict.templateSha256, renderedSha256: verdict.renderedSha256 };
        if (key === 'tokenizer.chat_template') context.chatTemplate = { templateSha256: verdict.templateSha256, rendered: verdict.rendered, renderedWithoutSystem: verdict.renderedWithoutSystem };
      }
      if (Object.keys(templates).length > 0) evidence['chatTemplates'] = templates;
      reasons.push(...scanMetadataStrings(ggufStrings(structure.header)));
    } else {
      reasons.push(...scanMetadataStrings(Object.entries(structure.parse.metadata)));
    }
    const layout = structure.kind === 'gguf' ? layoutFromGguf(structure.header, context.size) : layoutFromSafetensors(structure.parse, context.size);
    let reported = 0;
    const onProgress = (bytes: number): void => {
      // A progress line per chunk would be thousands of lines for the service to parse.
      if (bytes - reported < PROGRESS_BYTES && bytes < context.size) return;
      reported = bytes;
      context.progress('static', bytes);
    };
    const pass = await scanFileOnce(context.fd, layout, { onProgress, hasher: context.hasher });
    context.sha256 = pass.sha256;
    reasons.push(...pass.reasons, ...weightPolicy(pass.tensors, context.job.weights));
    evidence['tensors'] = pass.tensors.length;
    // Chunks each thread read once they shared the ring: how the one pass split the reading.
    evidence['reads'] = pass.reads;
    evidence['weights'] = pass.tensors.slice(0, MAX_TENSOR_EVIDENCE).map(tensorEvidence);
    return { reasons, evidence };
  },
};

/** Every string value and string array, keyed by its metadata key (the parser refuses arrays of arrays). */
function ggufStrings(header: GgufHeader): [string, MetadataValue][] {
  const entries: [string, MetadataValue][] = [];
  for (const [key, { value }] of header.metadata) {
    if (typeof value === 'string') entries.push([key, value]);
    else if (value instanceof GgufStrings) entries.push([key, value.toArray()]);
  }
  return entries;
}

function weightPolicy(tensors: readonly TensorFinding[], bounds: { minEntropyBitsPerByte?: number | undefined; maxAbsValue?: number | undefined }): Reason[] {
  const reasons: Reason[] = [];
  for (const tensor of tensors) {
    if (bounds.minEntropyBitsPerByte !== undefined && tensor.end > tensor.start && tensor.entropy < bounds.minEntropyBitsPerByte) {
      reasons.push({ code: 'weights.low_entropy', stage: 'static', detail: `Tensor ${label(tensor.name)} has ${tensor.entropy.toFixed(2)} bits/byte, the policy minimum is ${bounds.minEntropyBitsPerByte}` });
    }
    const stats = tensor.stats;
    if (bounds.maxAbsValue !== undefined && stats && Math.max(Math.abs(stats.min), Math.abs(stats.max)) > bounds.maxAbsValue) {
      reasons.push({ code: 'weights.out_of_range', stage: 'static', detail: `Tensor ${label(tensor.name)} has ${tensor.statsOf} up to ${Math.max(Math.abs(stats.min), Math.abs(stats.max))}, the policy bound is ${bounds.maxAbsValue}` });
    }
  }
  return reasons.slice(0, 100);
}

function tensorEvidence(t: TensorFinding): Record<string, unknown> {
  const round = (n: number): number => Math.round(n * 1e6) / 1e6;
  return {
    name: t.name.slice(0, 128), type: t.type, bytes: t.end - t.start, entropy: round(t.entropy), statsOf: t.statsOf,
    ...(t.stats ? { min: round(t.stats.min), max: round(t.stats.max), mean: round(t.stats.mean), std: round(t.stats.std) } : {}),
  };
}

function label(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
}

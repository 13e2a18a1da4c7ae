import type { ReasonTable } from '../pipeline/reason.js';
import type { Stage, StageOutcome } from '../pipeline/stage.js';
import { FormatError } from '../formats/format-error.js';
import { parseGguf } from '../formats/parse-gguf.js';
import { parseSafetensors } from '../formats/parse-safetensors.js';
import { sniffFormat } from '../checks/format/sniff-format.js';
import { formatGate, formatNote } from '../checks/format/format-gate.js';
import { readRange, type ParsedStructure, type WorkerFileContext } from '../worker/worker-context.js';

export const FORMAT_POLICY_REASONS = {
  'format.not_allowed': 'the file is a model format the policy does not accept',
  'format.too_large': 'the file is larger than the policy allows',
} as const satisfies ReasonTable;

/** Enough for every magic and a small header in one read; larger headers are read as the parser asks. */
const SNIFF_BYTES = 64 * 1024;

/**
 * Decides the format by content (pickle family, PyTorch zip and unknown formats
 * refused, whatever the name says), then parses the whole header with the strict
 * parser, reading only the header region however large the file is.
 */
export const formatStage: Stage<WorkerFileContext> = {
  name: 'format',
  async run(context): Promise<StageOutcome> {
    const { size, job } = context;
    if (size > job.maxFileBytes) {
      return { reasons: [{ code: 'format.too_large', stage: 'format', detail: `${size} bytes, the policy allows ${job.maxFileBytes}` }] };
    }
    const prefix = await readRange(context.file, 0, Math.min(size, SNIFF_BYTES));
    const sniffed = sniffFormat(prefix, size);
    context.format = sniffed.format;
    const refused = formatGate(sniffed, job.fileName);
    if (refused.length > 0) return { reasons: refused, evidence: { format: sniffed.format } };
    if (sniffed.format !== 'gguf' && sniffed.format !== 'safetensors') {
      return { reasons: [{ code: 'format.not_allowed', stage: 'format', detail: `${sniffed.format} is not a model format` }] };
    }
    if (!job.formats.includes(sniffed.format)) {
      return { reasons: [{ code: 'format.not_allowed', stage: 'format', detail: `Policy does not accept ${sniffed.format}` }], evidence: { format: sniffed.format } };
    }
    try {
      context.structure = await parseStructure(context, sniffed.format, prefix);
    } catch (error) {
      if (error instanceof FormatError) return { reasons: [{ code: error.code, stage: 'format', detail: error.detail }], evidence: { format: sniffed.format } };
      throw error;
    }
    const note = formatNote(sniffed, job.fileName);
    return { reasons: [], evidence: { format: sniffed.format, ...summarize(context.structure), ...(note ? { note } : {}) } };
  },
};

/**
 * Grows the prefix as the parser asks (at least doubling, so a 10 MB header takes a
 * handful of reads); only the bytes past what was read already are read.
 */
async function parseStructure(context: WorkerFileContext, format: 'gguf' | 'safetensors', first: Uint8Array): Promise<ParsedStructure> {
  let prefix = first;
  for (;;) {
    const parsed = format === 'gguf' ? parseGguf(prefix, context.size) : parseSafetensors(prefix, context.size);
    if (parsed.kind === 'header') return 'header' in parsed ? { kind: 'gguf', header: parsed.header } : { kind: 'safetensors', parse: parsed };
    const want = Math.min(context.size, Math.max(parsed.atLeast, prefix.length * 2));
    const next = new Uint8Array(want);
    next.set(prefix);
    let filled = prefix.length;
    while (filled < want) {
      const { bytesRead } = await context.file.read(next, filled, want - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    // The parsers ask only for bytes the file has; a file that shrank under us must not loop.
    if (filled === prefix.length) throw new FormatError(`${format}.truncated`, 'The header runs past the end of the file');
    prefix = next.subarray(0, filled);
  }
}

function summarize(structure: ParsedStructure): Record<string, unknown> {
  if (structure.kind === 'safetensors') {
    return { tensors: structure.parse.tensors.length, headerBytes: structure.parse.dataStart, metadataKeys: Object.keys(structure.parse.metadata).length };
  }
  const { header } = structure;
  const architecture = header.metadata.get('general.architecture')?.value;
  const name = header.metadata.get('general.name')?.value;
  return {
    ggufVersion: header.version, tensors: header.tensors.length, headerBytes: header.dataStart, metadataKeys: header.metadata.size,
    ...(typeof architecture === 'string' ? { architecture: architecture.slice(0, 64) } : {}),
    ...(typeof name === 'string' ? { modelName: name.slice(0, 128) } : {}),
  };
}

import type { CliContext } from '../cli-context.js';
import { EXIT_OK, type CommandResult } from '../output.js';
import { callRegistry, humanSize, modelPath, verifiedText, type ModelSummary } from './models-client.js';

/** `keepctl models show NAME`: one model's manifest row, tensors counted (all of them with --json). */
export async function modelsShow(context: CliContext, ref: string): Promise<CommandResult> {
  const answer = await callRegistry(context, 'read', 'GET', modelPath(ref));
  const model = answer['model'] as ModelSummary & { source: unknown; provenance: unknown; chatTemplateSha256: string | null; jobId: string | null };
  const text = [
    `name        ${model.name}`,
    `sha256      ${model.sha256}`,
    `state       ${model.state}${model.containedReason ? ` (${model.containedReason})` : ''}`,
    `format      ${model.format}, ${humanSize(model.size)}, ${model.tensorCount} tensors`,
    `template    ${model.chatTemplateSha256 ?? 'none'}`,
    `source      ${JSON.stringify(model.source)}`,
    `provenance  ${JSON.stringify(model.provenance)}`,
    `promoted    ${new Date(model.promotedAt).toISOString()} by ${model.promotedBy} (job ${model.jobId ?? '-'})`,
    `verified    ${verifiedText(model)}${model.verifyOk === false && model.verifyDetail ? `: ${model.verifyDetail}` : ''}`,
  ].join('\n');
  return { exitCode: EXIT_OK, json: { ok: true, model }, text };
}

import type { CliContext } from '../cli-context.js';
import { EXIT_OK, type CommandResult } from '../output.js';
import { callRegistry, modelPath } from './models-client.js';

/** `keepctl models contain NAME --reason TEXT`: inference refuses the model until it is released. */
export async function modelsContain(context: CliContext, ref: string, reason: string): Promise<CommandResult> {
  const answer = await callRegistry(context, 'admin', 'POST', modelPath(ref, '/contain'), { reason });
  const model = answer['model'] as { name: string };
  return { exitCode: EXIT_OK, json: { ok: true, model }, text: `${model.name}: contained (${reason})` };
}

import type { CliContext } from '../cli-context.js';
import { EXIT_OK, type CommandResult } from '../output.js';
import { callRegistry, modelPath } from './models-client.js';

/** `keepctl models rm NAME`: removes the catalog row, then the stored file. */
export async function modelsRm(context: CliContext, ref: string): Promise<CommandResult> {
  const answer = await callRegistry(context, 'admin', 'DELETE', modelPath(ref));
  return { exitCode: EXIT_OK, json: { ok: true, ...answer }, text: `${String(answer['deleted'])}: deleted` };
}

import { isKeepError } from '@keep/core/errors';
import type { CliContext } from '../cli-context.js';
import { EXIT_NEGATIVE, EXIT_OK, type CommandResult } from '../output.js';
import { callRegistry, modelPath } from './models-client.js';

/** `keepctl models release NAME`: back to active after a verify that passes; exit 1 when it fails. */
export async function modelsRelease(context: CliContext, ref: string): Promise<CommandResult> {
  try {
    const answer = await callRegistry(context, 'admin', 'POST', modelPath(ref, '/release'));
    const model = answer['model'] as { name: string };
    return { exitCode: EXIT_OK, json: { ok: true, ...answer }, text: `${model.name}: verified and released` };
  } catch (error) {
    if (!isKeepError(error) || error.code !== 'registry.verify_failed') throw error;
    return { exitCode: EXIT_NEGATIVE, json: { ok: false, error: { code: error.code, detail: error.detail }, ...error.extra }, text: `${ref}: still contained: ${error.detail}` };
  }
}

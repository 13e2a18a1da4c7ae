import { KeepError } from '@keep/core/errors';
import type { CliContext } from '../cli-context.js';
import { EXIT_NEGATIVE, EXIT_OK, type CommandResult } from '../output.js';
import { callRegistry, modelPath } from './models-client.js';

interface Verdict { name: string; ok: boolean; code: string; detail: string; tensor?: string; contained: boolean }

/**
 * `keepctl models verify NAME` or `--all`: the registry re-hashes the file and every
 * tensor. Exit 1 when any model fails (the registry has contained it).
 */
export async function modelsVerify(context: CliContext, ref: string | undefined, all: boolean): Promise<CommandResult> {
  if ((ref === undefined) === !all) throw new KeepError('usage.invalid', 'usage: keepctl models verify NAME | --all');
  const results = all
    ? ((await callRegistry(context, 'admin', 'POST', '/v1/verify'))['results'] as Verdict[])
    : [(await callRegistry(context, 'admin', 'POST', modelPath(ref as string, '/verify'))) as unknown as Verdict];
  const ok = results.every((r) => r.ok);
  const text = results.length === 0
    ? 'no models promoted'
    : results.map((r) => `${r.name}: ${r.ok ? 'ok' : `FAILED ${r.code}${r.tensor ? ` in tensor ${r.tensor}` : ''}: ${r.detail}${r.contained ? ' (now contained)' : ''}`}`).join('\n');
  return { exitCode: ok ? EXIT_OK : EXIT_NEGATIVE, json: { ok, results }, text };
}

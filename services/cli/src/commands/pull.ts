import { endpointOf, readCredentialText } from '@keep/core';
import { followEvents, progressBar } from '../follow-events.js';
import type { CliContext } from '../cli-context.js';
import { EXIT_NEGATIVE, EXIT_OK, type CommandResult } from '../output.js';
import { callAirlock } from './airlock-client.js';

interface PullView { id: string; url: string; name: string; state: string; bytes: number; total: number | null; jobId: string | null; code: string | null; detail: string | null }
type PullEvent = { type: 'state'; pull: PullView } | { type: 'progress'; bytes: number; total: number | null };

/**
 * `keepctl pull URL [--name NAME]`: asks the airlock to download a model from an
 * allowlisted source into the quarantine, and follows it with a progress bar.
 * Exit 0 once the quarantine has the file (its job id is printed), 1 if the pull failed.
 */
export async function pull(context: CliContext, url: string, name: string | undefined): Promise<CommandResult> {
  const started = await callAirlock(context, 'POST', '/v1/pulls', { url, ...(name === undefined ? {} : { name }), actor: 'keepctl' });
  let view = started['pull'] as PullView;
  const bar = progressBar();
  const endpoint = endpointOf(context.stateDir, 'keep-airlock');
  const token = readCredentialText(context.credentialsDir, 'token.airlock-admin');
  await followEvents<PullEvent>('keep-airlock', endpoint, token, `/v1/pulls/${encodeURIComponent(view.id)}/events`, (event) => {
    if (event.type === 'state') view = event.pull;
    else bar('pull', event.bytes, event.total);
  });
  bar.done();
  const done = view.state === 'done';
  const text = done ? `${view.name}: pulled ${view.bytes} bytes, quarantine job ${view.jobId}` : `${view.name}: pull FAILED ${view.code}: ${view.detail}`;
  return { exitCode: done ? EXIT_OK : EXIT_NEGATIVE, json: { ok: done, pull: view }, text };
}

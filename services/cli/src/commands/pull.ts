import { request } from 'node:http';
import { KeepError, endpointOf, parseListenAddress, readCredentialText } from '@keep/core';
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
  const tty = process.stderr.isTTY === true;
  await follow(context, view.id, (event) => {
    if (event.type === 'state') view = event.pull;
    else if (tty) {
      const fraction = event.total ? Math.min(1, event.bytes / event.total) : 0;
      const filled = Math.round(fraction * 30);
      process.stderr.write(`\rpull     [${'#'.repeat(filled)}${' '.repeat(30 - filled)}] ${event.total ? `${(fraction * 100).toFixed(0).padStart(3)}%` : `${event.bytes} bytes`}`);
    }
  });
  if (tty) process.stderr.write('\n');
  const done = view.state === 'done';
  const text = done ? `${view.name}: pulled ${view.bytes} bytes, quarantine job ${view.jobId}` : `${view.name}: pull FAILED ${view.code}: ${view.detail}`;
  return { exitCode: done ? EXIT_OK : EXIT_NEGATIVE, json: { ok: done, pull: view }, text };
}

function follow(context: CliContext, id: string, onEvent: (event: PullEvent) => void): Promise<void> {
  const endpoint = endpointOf(context.stateDir, 'keep-airlock');
  const address = parseListenAddress(endpoint);
  const target = address.kind === 'unix' ? { socketPath: address.path } : { host: address.host, port: address.port };
  const token = readCredentialText(context.credentialsDir, 'token.airlock-admin');
  return new Promise((resolve, reject) => {
    const req = request({ ...target, path: `/v1/pulls/${encodeURIComponent(id)}/events`, headers: { host: 'localhost', authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new KeepError('http.upstream_error', `keep-airlock answered ${res.statusCode} for the pull's events`, { status: 502 }));
        return;
      }
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        pending += text;
        for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
          const data = pending.slice(0, end).split('\n').find((line) => line.startsWith('data: '));
          pending = pending.slice(end + 2);
          if (data) onEvent(JSON.parse(data.slice(6)) as PullEvent);
        }
      });
      res.on('end', resolve);
    });
    req.on('error', (error: NodeJS.ErrnoException) => reject(new KeepError('http.upstream_unreachable', `Cannot reach keep-airlock at ${endpoint}: ${error.code ?? error.message}`, { status: 502 })));
    req.end();
  });
}

import { createReadStream, statSync } from 'node:fs';
import { request } from 'node:http';
import { basename, resolve } from 'node:path';
import { KeepError, endpointOf, readCredentialText } from '@keep/core';
import type { CliContext } from '../cli-context.js';
import { upstreamError } from '../call-keep-service.js';
import { followEvents, progressBar, readJson, targetOf } from '../follow-events.js';
import { EXIT_NEGATIVE, EXIT_OK, type CommandResult } from '../output.js';

interface JobView { id: string; state: string; fileName: string; sha256: string | null; reasons: { code: string; stage: string; detail: string }[] }
type JobEvent = { type: 'state'; job: JobView } | { type: 'progress'; stage: string; bytes: number; total: number };

/**
 * `keepctl import FILE`: streams the file to the quarantine (the upload lands in its
 * own job dir, exactly like an inbox drop) and follows the job's events to the end,
 * with a progress bar on a terminal. Exit 0 when the model passed (or was promoted),
 * 1 when it was rejected.
 */
export async function importModel(context: CliContext, file: string): Promise<CommandResult> {
  const path = resolve(file);
  const size = statSync(path).size;
  const endpoint = endpointOf(context.stateDir, 'keep-quarantine');
  const token = readCredentialText(context.credentialsDir, 'token.quarantine-submit');
  const bar = progressBar();
  const uploaded = await upload(endpoint, token, path, size, (sent) => bar('upload', sent, size));
  let job = uploaded;
  await followEvents<JobEvent>('keep-quarantine', endpoint, token, `/v1/jobs/${uploaded.id}/events`, (event) => {
    if (event.type === 'progress') bar(event.stage, event.bytes, event.total);
    else job = event.job;
  });
  bar.done();
  const passed = job.state === 'passed' || job.state === 'promoted';
  const lines = [`${basename(path)}: job ${job.id} ${job.state.toUpperCase()}${job.sha256 ? ` (sha256 ${job.sha256})` : ''}`];
  for (const reason of job.reasons) lines.push(`  ${reason.code} [${reason.stage}] ${reason.detail}`);
  return { exitCode: passed ? EXIT_OK : EXIT_NEGATIVE, json: { ok: passed, job }, text: lines.join('\n') };
}

function upload(endpoint: string, token: string, path: string, size: number, onSent: (bytes: number) => void): Promise<JobView> {
  return new Promise((done, fail) => {
    const req = request({
      ...targetOf(endpoint), method: 'POST', path: `/v1/uploads?name=${encodeURIComponent(basename(path))}`,
      headers: { host: 'localhost', authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': String(size) },
    }, (res) => void readJson(res).then((body) => {
      if (res.statusCode === 202) done((body as { job: JobView }).job);
      else fail(upstreamError(body, res.statusCode ?? 0, 'keep-quarantine'));
    }, fail));
    req.on('error', (error: NodeJS.ErrnoException) => fail(new KeepError('http.upstream_unreachable', `Cannot reach keep-quarantine at ${endpoint}: ${error.code ?? error.message}`, { status: 502 })));
    let sent = 0;
    createReadStream(path).on('data', (chunk) => onSent((sent += chunk.length))).pipe(req);
  });
}

import { createReadStream, statSync } from 'node:fs';
import { request, type IncomingMessage, type RequestOptions } from 'node:http';
import { basename, resolve } from 'node:path';
import { KeepError, endpointOf, parseListenAddress, readCredentialText, type ReasonCode } from '@keep/core';
import type { CliContext } from '../cli-context.js';
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
  await followEvents(endpoint, token, uploaded.id, (event) => {
    if (event.type === 'progress') bar(event.stage, event.bytes, event.total);
    else job = event.job;
  });
  bar.done();
  const passed = job.state === 'passed' || job.state === 'promoted';
  const lines = [`${basename(path)}: job ${job.id} ${job.state.toUpperCase()}${job.sha256 ? ` (sha256 ${job.sha256})` : ''}`];
  for (const reason of job.reasons) lines.push(`  ${reason.code} [${reason.stage}] ${reason.detail}`);
  return { exitCode: passed ? EXIT_OK : EXIT_NEGATIVE, json: { ok: passed, job }, text: lines.join('\n') };
}

function target(endpoint: string): RequestOptions {
  const address = parseListenAddress(endpoint);
  return address.kind === 'unix' ? { socketPath: address.path } : { host: address.host, port: address.port };
}

function upload(endpoint: string, token: string, path: string, size: number, onSent: (bytes: number) => void): Promise<JobView> {
  return new Promise((done, fail) => {
    const req = request({
      ...target(endpoint), method: 'POST', path: `/v1/uploads?name=${encodeURIComponent(basename(path))}`,
      headers: { host: 'localhost', authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': String(size) },
    }, (res) => void readJson(res).then((body) => {
      if (res.statusCode === 202) done((body as { job: JobView }).job);
      else fail(problem(body, res.statusCode ?? 0));
    }, fail));
    req.on('error', (error: NodeJS.ErrnoException) => fail(new KeepError('http.upstream_unreachable', `Cannot reach keep-quarantine at ${endpoint}: ${error.code ?? error.message}`, { status: 502 })));
    let sent = 0;
    createReadStream(path).on('data', (chunk) => onSent((sent += chunk.length))).pipe(req);
  });
}

function followEvents(endpoint: string, token: string, jobId: string, onEvent: (event: JobEvent) => void): Promise<void> {
  return new Promise((done, fail) => {
    const req = request({ ...target(endpoint), path: `/v1/jobs/${jobId}/events`, headers: { host: 'localhost', authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        void readJson(res).then((body) => fail(problem(body, res.statusCode ?? 0)), fail);
        return;
      }
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        pending += text;
        for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
          const data = pending.slice(0, end).split('\n').find((line) => line.startsWith('data: '));
          pending = pending.slice(end + 2);
          if (data) onEvent(JSON.parse(data.slice(6)) as JobEvent);
        }
      });
      res.on('end', done);
    });
    req.on('error', fail);
    req.end();
  });
}

async function readJson(res: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of res) text += String(chunk);
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

function problem(body: unknown, status: number): KeepError {
  const answer = (body ?? {}) as { code?: string; detail?: string };
  const code = (answer.code?.includes('.') ? answer.code : 'http.upstream_error') as ReasonCode;
  return new KeepError(code, answer.detail ?? `keep-quarantine answered ${status}`, { status });
}

/** A one-line bar on a terminal's stderr; plain stage lines otherwise, so logs stay readable. */
function progressBar(): ((stage: string, bytes: number, total: number) => void) & { done: () => void } {
  const tty = process.stderr.isTTY === true;
  let lastStage = '';
  const draw = (stage: string, bytes: number, total: number): void => {
    const fraction = total > 0 ? Math.min(1, bytes / total) : 1;
    if (tty) {
      const filled = Math.round(fraction * 30);
      process.stderr.write(`\r${stage.padEnd(8)} [${'#'.repeat(filled)}${' '.repeat(30 - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`);
    } else if (stage !== lastStage) {
      process.stderr.write(`${stage}...\n`);
    }
    lastStage = stage;
  };
  return Object.assign(draw, { done: () => void (tty && process.stderr.write('\n')) });
}

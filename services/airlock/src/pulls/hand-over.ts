import { createReadStream } from 'node:fs';
import { request } from 'node:http';
import { KeepError, parseListenAddress } from '@keep/core';

/**
 * Streams a finished download to the quarantine's upload endpoint with source
 * `airlock` and its origin URL, and returns the quarantine's job id. The quarantine
 * writes it into a private job dir and scans it like any inbox file.
 */
export function handOver(endpoint: string, token: string, file: string, size: number, name: string, origin: string): Promise<string> {
  const address = parseListenAddress(endpoint);
  const target = address.kind === 'unix' ? { socketPath: address.path } : { host: address.host, port: address.port };
  const query = new URLSearchParams({ name, source: 'airlock', origin });
  return new Promise((resolve, reject) => {
    const req = request({
      ...target, agent: false, method: 'POST', path: `/v1/uploads?${query.toString()}`,
      headers: { host: 'localhost', authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': String(size) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => void (text.length < 65_536 && (text += chunk)));
      res.on('end', () => {
        let body: { job?: { id?: string }; code?: string; detail?: string } = {};
        try {
          body = JSON.parse(text) as typeof body;
        } catch {
          // not JSON: reported below
        }
        if (res.statusCode === 202 && typeof body.job?.id === 'string') resolve(body.job.id);
        else reject(new KeepError('egress.pull_failed', `The quarantine refused the hand-over (${res.statusCode}): ${body.code ?? ''} ${body.detail ?? ''}`.trim(), { status: 502 }));
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => reject(new KeepError('egress.pull_failed', `Cannot reach the quarantine at ${endpoint}: ${error.code ?? error.message}`, { status: 502 })));
    createReadStream(file).on('error', (error) => req.destroy(error)).pipe(req);
  });
}

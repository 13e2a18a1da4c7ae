import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { KeepError, type AuditWriter, type Clock, type Logger } from '@keep/core';
import { auditTarget, egressError, sendThrough, type EgressDeps } from '../fetch/egress.js';
import { handOver } from './hand-over.js';
import type { PullStore, PullView } from './pull-store.js';

export type PullEvent = { type: 'state'; pull: PullView } | { type: 'progress'; pullId: string; bytes: number; total: number | null };

export interface PullsDeps {
  store: PullStore;
  egress: EgressDeps;
  audit: AuditWriter;
  clock: Clock;
  log: Logger;
  /** `<stateDir>/quarantine/inbox/.partial`: downloads grow here, invisible to the inbox watcher. */
  partialDir: string;
  quarantine: () => { endpoint: string; token: string };
  retries: number;
  /** Whether egress is open now: a pull stops when an admin disables the airlock or sets the latch. */
  isOpen: () => boolean;
}

/** Codes worth another attempt with a Range request; a policy refusal is final. */
const TRANSIENT = new Set(['egress.upstream_failed', 'egress.timeout']);

/**
 * Model downloads: an admin names a URL; the file streams through the same egress
 * decision into `inbox/.partial/`, resumes with `Range` (and `If-Range` on the ETag)
 * after a cut, and when complete is handed to the quarantine with its origin. A pull
 * that cannot finish removes its partial file: it fails cleanly, never half-lands.
 */
export class Pulls {
  readonly events = new EventEmitter();

  constructor(private readonly deps: PullsDeps) {
    this.events.setMaxListeners(0);
  }

  start(url: string, name: string, actor: string): PullView {
    const id = `${this.deps.clock().toString(36)}-${randomBytes(6).toString('hex')}`;
    const pull = this.deps.store.create({ id, url, name, createdBy: actor });
    void this.#run(pull, actor);
    return pull;
  }

  #publish(event: PullEvent): void {
    this.events.emit(event.type === 'state' ? event.pull.id : event.pullId, event);
  }

  async #run(pull: PullView, actor: string): Promise<void> {
    mkdirSync(this.deps.partialDir, { recursive: true, mode: 0o2770 });
    const file = join(this.deps.partialDir, `airlock-${pull.id}-${pull.name}`);
    try {
      const size = await this.#download(pull, actor, file);
      const { endpoint, token } = this.deps.quarantine();
      const jobId = await handOver(endpoint, token, file, size, pull.name, pull.url);
      await this.deps.audit.append({ actor, action: 'egress.pull', target: auditTarget(pull.url), decision: 'info', reason: 'ok', details: { pull: pull.id, job: jobId, bytes: size } });
      this.#publish({ type: 'state', pull: this.deps.store.finish(pull.id, { state: 'done', jobId }) });
    } catch (error) {
      const failure = error instanceof KeepError ? error : new KeepError('egress.pull_failed', `Pull failed: ${(error as Error).message}`);
      this.deps.log.warn('Pull failed', { pull: pull.id, code: failure.code });
      await this.deps.audit.append({ actor, action: 'egress.pull', target: auditTarget(pull.url), decision: 'error', reason: failure.code, details: { pull: pull.id } }).catch(() => undefined);
      this.#publish({ type: 'state', pull: this.deps.store.finish(pull.id, { state: 'failed', code: failure.code, detail: failure.detail }) });
    } finally {
      rmSync(file, { force: true });
    }
  }

  /** Downloads into `file`, resuming after transient failures; resolves with the final size. */
  async #download(pull: PullView, actor: string, file: string): Promise<number> {
    const handle = await open(file, 'w', 0o640);
    let have = 0;
    let total: number | null = null;
    let etag: string | undefined;
    let lastReport = 0;
    try {
      for (let attempt = 0; ; attempt++) {
        if (!this.deps.isOpen()) throw egressError('airlock.contained', 'Egress was closed during the download');
        const headers: Record<string, string> = have > 0 ? { range: `bytes=${have}-`, ...(etag ? { 'if-range': etag } : {}) } : {};
        try {
          const { response } = await sendThrough(this.deps.egress, { caller: actor, action: 'egress.pull', url: pull.url, method: 'GET', headers, body: undefined });
          const status = response.statusCode ?? 0;
          const limit = this.deps.egress.policy().policy.limits.maxPullBytes;
          if (status === 200 && have > 0) {
            have = 0; // the server ignored the range or the file changed: start over
            await handle.truncate(0);
          } else if (status === 206) {
            const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(String(response.headers['content-range'] ?? ''));
            if (!range || Number(range[1]) !== have) throw egressError('egress.pull_failed', `Resume answered ${String(response.headers['content-range'])} for a request from byte ${have}`);
          } else if (status !== 200) {
            response.resume();
            throw egressError('egress.pull_failed', `${new URL(pull.url).host} answered ${status}`);
          }
          etag = typeof response.headers.etag === 'string' && !response.headers.etag.startsWith('W/') ? response.headers.etag : undefined;
          const length = Number(response.headers['content-length'] ?? Number.NaN);
          total = Number.isFinite(length) ? have + length : null;
          if (total !== null && total > limit) {
            response.destroy();
            throw egressError('egress.response_too_large', `Download is ${total} bytes, limit is ${limit}`);
          }
          for await (const chunk of response as AsyncIterable<Buffer>) {
            if (have + chunk.length > limit) {
              response.destroy();
              throw egressError('egress.response_too_large', `Download passed ${limit} bytes`);
            }
            await handle.write(chunk, 0, chunk.length, have);
            have += chunk.length;
            if (this.deps.clock() - lastReport > 200) {
              lastReport = this.deps.clock();
              if (!this.deps.isOpen()) {
                response.destroy();
                throw egressError('airlock.contained', 'Egress was closed during the download');
              }
              this.deps.store.progress(pull.id, have, total);
              this.#publish({ type: 'progress', pullId: pull.id, bytes: have, total });
            }
          }
          if (!response.complete || (total !== null && have !== total)) throw egressError('egress.upstream_failed', `Download was cut at ${have} bytes`);
          await handle.sync();
          this.deps.store.progress(pull.id, have, have);
          this.#publish({ type: 'progress', pullId: pull.id, bytes: have, total: have });
          return have;
        } catch (error) {
          const code = error instanceof KeepError ? error.code : 'egress.upstream_failed';
          if (!TRANSIENT.has(code) || attempt >= this.deps.retries) throw error instanceof KeepError ? error : egressError('egress.upstream_failed', (error as Error).message);
          this.deps.log.info('Resuming pull', { pull: pull.id, from: have, attempt: attempt + 1 });
        }
      }
    } finally {
      await handle.close();
    }
  }
}

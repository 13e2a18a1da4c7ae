import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AUDIT_MIGRATIONS, AuditWriter, createLogger, ensureCredentials, generateSetupCode, listen, migrate, openStore,
  readHexKey, setupCodePath, storePath, type Store,
} from '@keep/core';
import { createUiApp } from '../app.js';
import { ChatHistory } from '../chat/chat-history.js';
import { PendingApprovals } from '../chat/pending-approvals.js';
import { uiConfigSchema, type UiConfig } from '../config.js';
import { UI_MIGRATIONS } from '../store/ui-schema.js';
import { Upstream } from '../upstream/upstream.js';
import { loadServiceTokens } from '../upstream/service-tokens.js';

export interface UiFixture {
  dir: string;
  store: Store;
  base: string;
  port: number;
  setupCode: string;
  /** The approvals running chat turns wait on. */
  approvals: PendingApprovals;
  /** The test's clock: move it to expire sessions or end a backoff. */
  clock: { now: number };
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** A real keep-ui app over a real keep.db in a temp dir, on 127.0.0.1 with a kernel port. */
export async function startUi(overrides: Partial<Record<keyof UiConfig, unknown>> = {}): Promise<UiFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'keep-ui-test-'));
  const credentials = join(dir, 'credentials');
  ensureCredentials(credentials);
  const clientDir = join(dir, 'client');
  mkdirSync(join(clientDir, 'assets'), { recursive: true });
  writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>Keep</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(clientDir, 'assets', 'app.js'), 'export {};\n');
  mkdirSync(join(dir, 'ui'), { recursive: true });
  const { code, sha256 } = generateSetupCode();
  writeFileSync(setupCodePath(dir), `${sha256}\n`);
  const config = uiConfigSchema.parse({ stateDir: dir, listen: 'tcp:127.0.0.1:0', backoffBaseMs: 1000, backoffCapMs: 4000, ...overrides });
  const clock = { now: Date.now() };
  const store = openStore(storePath(dir));
  migrate(store, 'audit', AUDIT_MIGRATIONS);
  migrate(store, 'ui', UI_MIGRATIONS);
  const audit = new AuditWriter({ store, service: 'ui', macKey: readHexKey(credentials, 'mac.ui'), clock: () => clock.now });
  const approvals = new PendingApprovals();
  let server: Server;
  const open = async (): Promise<number> => {
    const app = createUiApp({
      config, store, audit, clock: () => clock.now, log: createLogger({ service: 'keep-ui', level: 'error' }),
      upstream: new Upstream(dir, loadServiceTokens(credentials)), chats: new ChatHistory(join(dir, 'vault')), approvals,
      clientDir, vaultDir: join(dir, 'vault'), configDir: join(dir, 'config'), setupCodeFile: setupCodePath(dir), isDraining: () => false,
    });
    server = (await listen(app, { kind: 'tcp', host: '127.0.0.1', port: 0 })).server;
    return (server.address() as AddressInfo).port;
  };
  const close = (): Promise<void> => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  const fixture: UiFixture = {
    dir, store, clock, approvals, setupCode: code, port: 0, base: '',
    restart: async () => {
      await close();
      fixture.port = await open();
      fixture.base = `http://127.0.0.1:${fixture.port}`;
    },
    close: async () => {
      await close();
      await audit.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  fixture.port = await open();
  fixture.base = `http://127.0.0.1:${fixture.port}`;
  return fixture;
}

/** A cookie jar and CSRF token per simulated browser. */
export class Browser {
  cookies = new Map<string, string>();
  csrf = '';

  constructor(private readonly ui: UiFixture) {}

  async request(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; csrf?: string | null } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0) headers['cookie'] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method !== 'GET' && options.csrf !== null) headers['x-csrf-token'] = options.csrf ?? this.csrf;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.ui.base}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = (pair as string).split('=') as [string, string];
      if (/Max-Age=0/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async json<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; res: Response }> {
    const res = await this.request(method, path, body === undefined ? {} : { body });
    const parsed = (await res.json()) as T & { csrf?: string };
    if (typeof parsed.csrf === 'string') this.csrf = parsed.csrf;
    return { status: res.status, body: parsed, res };
  }
}

export const PASSPHRASE = 'a long enough passphrase for tests';

/** A browser that created the first admin (`owner`) with the setup code and is signed in. */
export async function signedInAdmin(ui: UiFixture): Promise<Browser> {
  const admin = new Browser(ui);
  await admin.json('GET', '/api/session');
  const done = await admin.json('POST', '/api/setup', { code: ui.setupCode, username: 'owner', passphrase: PASSPHRASE });
  if (done.status !== 201) throw new Error(`setup failed: ${JSON.stringify(done.body)}`);
  return admin;
}

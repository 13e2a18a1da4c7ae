import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUDIT_MIGRATIONS, ensureCredentials, migrate, openStore } from '@keep/core';
import { isolatedNodeCommand } from '@keep/quarantine';

const PROBE = fileURLToPath(new URL('./helpers/isolation-probe.js', import.meta.url));
const asRoot = process.getuid?.() === 0;

interface ProbeReport { uid: number; gid: number; groups: number[]; env: string[]; files: Record<string, string>; network: string; handedOver: string }

test('the scan worker\'s isolation opens neither the store nor a credential, has no network and no environment', { skip: asRoot ? false : 'dropping to an unprivileged uid needs root (CI runs as root; the appliance uses keep-scan@ units)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-isolation-'));
  chmodSync(dir, 0o755); // traversable, so only the files' own modes can stop the worker
  const server = createServer((_req, res) => res.end('reached'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const storeFile = join(dir, 'keep.db');
    const store = openStore(storeFile);
    migrate(store, 'audit', AUDIT_MIGRATIONS);
    store.close();
    const credentials = join(dir, 'credentials');
    ensureCredentials(credentials);
    chmodSync(credentials, 0o755);
    const control = join(dir, 'readable.txt');
    writeFileSync(control, 'anyone may read this', { mode: 0o644 });
    const model = join(dir, 'model.gguf');
    writeFileSync(model, 'GGUF', { mode: 0o600 });
    const files = [storeFile, join(credentials, 'mac.quarantine'), join(credentials, 'audit.signing-key'), join(credentials, 'token.registry-promote'), model, control];

    const report = await runProbe(model, { files, port: (server.address() as { port: number }).port });
    assert.equal(report.uid, 65534);
    assert.equal(report.gid, 65534);
    assert.deepEqual(report.groups.filter((g) => g !== 65534), [], 'no supplementary groups (getgroups may list the egid)');
    assert.deepEqual(report.env, [], 'no environment: no credential directory, no state dir');
    assert.equal(report.files[storeFile], 'EACCES', 'the store cannot be opened');
    for (const credential of files.slice(1, 4)) assert.equal(report.files[credential], 'EACCES', `${credential} cannot be opened`);
    assert.equal(report.files[model], 'EACCES', 'even its own job file only by the fd it was handed');
    assert.equal(report.handedOver, 'GGUF', 'the fd it was handed is readable');
    assert.equal(report.files[control], 'opened', 'control: the probe does report a file it can open');
    assert.notEqual(report.network, 'connected', 'no route to a loopback server');
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

function runProbe(handOver: string, targets: { files: string[]; port: number }): Promise<ProbeReport> {
  const [command, ...args] = isolatedNodeCommand(PROBE, 256);
  const fd = openSync(handOver, 'r');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: {}, cwd: '/', stdio: ['pipe', 'pipe', 'pipe', fd] });
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('close', (code) => {
      closeSync(fd);
      if (code !== 0) reject(new Error(`probe exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as ProbeReport);
    });
    child.stdin?.end(JSON.stringify(targets));
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadMacKeys, loadSigningKey, openStore, publicKeyOf, readHeadFile, verifyAudit } from '@keep/core';
import { createChainFixture } from './helpers/chain-fixture.js';

const BURST = fileURLToPath(new URL('./helpers/append-burst.js', import.meta.url));
const ROUNDS = 20;

/** Starts the burst writer, kills it with SIGKILL after `delayMs` of appending, returns what it reported durable. */
function burstUntilKilled(stateDir: string, delayMs: number): Promise<Map<number, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BURST, stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const reported = new Map<number, string>();
    let buffered = '';
    let stderr = '';
    let started = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [seq, hash] = line.split(' ');
        reported.set(Number(seq), hash ?? '');
      }
      if (!started) {
        started = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`burst writer ended by itself: ${stderr}`));
      else resolve(reported);
    });
  });
}

test('appends whose promise resolved survive SIGKILL at a random moment, 20 rounds, and the chain verifies', async () => {
  const fixture = createChainFixture();
  fixture.store.close();
  try {
    let total = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const reported = await burstUntilKilled(fixture.stateDir, 20 + Math.floor(Math.random() * 300));
      assert.ok(reported.size > 0, `round ${round}: the writer reported appends`);
      const store = openStore(fixture.db);
      try {
        const lookup = store.prepare('SELECT hash FROM audit_log WHERE seq = ?').pluck();
        for (const [seq, hash] of reported) assert.equal(lookup.get(seq), hash, `round ${round}: seq ${seq} resolved but is missing or different`);
        const result = verifyAudit({
          store, macKeys: loadMacKeys(fixture.credentialsDir), publicKey: publicKeyOf(loadSigningKey(fixture.credentialsDir)), head: readHeadFile(fixture.headFile),
        });
        assert.equal(result.valid, true, `round ${round}: ${result.code} ${result.detail}`);
        assert.ok(result.entries >= total + reported.size, `round ${round}: chain has ${result.entries} rows`);
        total = result.entries;
      } finally {
        store.close();
      }
    }
  } finally {
    fixture.cleanup();
  }
});

/**
 * A `fetch_url` tool call end to end: keepctl chat (core's chat loop) → real
 * keep-inference with a scripted model that calls the tool → real keep-firewall
 * (approval by a person, then execution) → real keep-airlock in its own network
 * namespace → the world's HTTPS server. The page's text comes back to the model.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { callService, openStore, storePath, writeEndpoints } from '@keep/core';
import { createWorld, isRoot, WORLD_IP, type World } from './airlock/netns-world.js';
import { startFirewall, type RunningFirewall } from './helpers/firewall-service.js';
import { KEEPCTL, runKeepctl } from './helpers/run-keepctl.js';
import { addCatalogModel, createInferenceState, startInference, type InferenceState, type RunningInference } from './inference-fixture.js';
import { buildScriptedGguf } from './models/index.js';

const PAGE = 'https://models.world.example/models/text';
const skip = !isRoot();
if (skip) process.stderr.write('\n*** airlock-chat-fetch: SKIPPED: the airlock runs in a network namespace, which needs root ***\n\n');

let state: InferenceState;
let world = undefined as unknown as World;
let inference: RunningInference | undefined;
let firewall: RunningFirewall | undefined;

before(async () => {
  if (skip) return;
  state = createInferenceState({ threads: 1, contextSize: 8192, promptTokensCap: 6144, defaultTemperature: 0 });
  const script = ['<tool_call>', `\n${JSON.stringify({ name: 'fetch_url', arguments: { url: PAGE } })}\n`, '</tool_call>'];
  addCatalogModel(state.stateDir, 'fetcher', { bytes: buildScriptedGguf({ script, contextLength: 8192 }) });
  world = await createWorld({
    policy: { rules: [{ host: 'models.world.example', pathPrefixes: ['/models'] }] },
    dns: { 'models.world.example': [[WORLD_IP]] },
    state: { stateDir: state.stateDir, credentialsDir: state.credentialsDir },
  });
  [inference, firewall] = await Promise.all([startInference(state), startFirewall(state)]);
  writeEndpoints(state.stateDir, { 'keep-inference': inference.endpoint, 'keep-firewall': firewall.endpoint, 'keep-airlock': `unix:${world.socket}` });
});

after(async () => {
  await Promise.all([inference?.stop(), firewall?.stop()]);
  if (world !== undefined) await world.close();
  if (state !== undefined) rmSync(state.stateDir, { recursive: true, force: true });
});

function chat(): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [KEEPCTL, 'chat', 'fetcher', '--user', 'alice', '--json', '--state', state.stateDir], { env: { PATH: process.env['PATH'] }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdin.end('Fetch the page for me\n');
  const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  return new Promise((resolve) => child.once('exit', (status) => {
    clearTimeout(timer);
    resolve({ status, stdout, stderr });
  }));
}

test('a fetch_url tool call goes chat loop → firewall → airlock → world, and the page goes back to the model', { skip }, async () => {
  const enabled = await callService(`unix:${world.socket}`, { method: 'POST', path: '/v1/state', token: world.token('token.airlock-admin'), body: { enabled: true } });
  assert.equal(enabled.status, 200);
  const running = chat();
  let finished = false;
  void running.then(() => (finished = true));
  const answered = new Set<string>();
  while (!finished) {
    const pending = runKeepctl(['approvals', 'list', '--status', 'pending', '--json', '--state', state.stateDir]);
    for (const approval of (pending.json as { approvals?: { id: string }[] } | null)?.approvals ?? []) {
      if (answered.has(approval.id)) continue;
      answered.add(approval.id);
      // A person grants the first fetch and refuses the model's repeats.
      const verb = answered.size === 1 ? 'grant' : 'revoke';
      assert.equal(runKeepctl(['approvals', verb, approval.id, '--json', '--state', state.stateDir]).status, 0);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const done = await running;
  assert.equal(done.status, 0, done.stderr);
  const result = JSON.parse(done.stdout) as { tools: { tool: string; code: string }[]; messages: { role: string; content: string | null }[] };
  assert.equal(result.tools[0]?.tool, 'fetch_url');
  assert.equal(result.tools[0]?.code, 'approval.granted');
  const page = result.messages.find((m) => m.role === 'tool')?.content ?? '';
  assert.match(page, /hello from the world to models\.world\.example/);

  const store = openStore(storePath(state.stateDir), { readonly: true });
  try {
    const rows = store.prepare(`SELECT actor, decision, reason, details FROM audit_log WHERE service = 'airlock' AND action = 'egress.fetch'`).all() as { actor: string; decision: string; details: string }[];
    assert.equal(rows.length, 1, 'one fetch reached the airlock: the refused repeats stopped at the firewall');
    assert.equal(rows[0]?.decision, 'allow');
    assert.match(rows[0]?.actor ?? '', /^airlock:fetch\//);
    assert.equal((JSON.parse(rows[0]?.details ?? '{}') as { ip: string }).ip, WORLD_IP);
  } finally {
    store.close();
  }
});

/**
 * Real chats with scripted models through keepctl chat (core's chat loop), real
 * keep-inference and real keep-firewall: a tool call that is allowed and whose result
 * goes back to the model, one that is denied, one that waits for a person and runs
 * after the grant while grants with the caller's own principal are refused; then the
 * audit chain verifies and shows all of it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { callService, loadMacKeys, loadSigningKey, openStore, publicKeyOf, storePath, verifyAudit, writeEndpoints } from '@keep/core';
import { credential, startFirewall } from './helpers/firewall-service.js';
import { KEEPCTL, runKeepctl } from './helpers/run-keepctl.js';
import { addCatalogModel, createInferenceState, startInference } from './inference-fixture.js';
import { buildScriptedGguf, TOOL_CALL_SCRIPT } from './models/index.js';

const call = (name: string, args: Record<string, string>): string[] => ['<tool_call>', `\n${JSON.stringify({ name, arguments: args })}\n`, '</tool_call>'];

interface ChatJson {
  ok: boolean;
  session: string;
  messages: { role: string; content: string | null; tool_call_id?: string }[];
  tools: { tool: string; decision: string; code: string; approvalId?: string }[];
}

function keepctlChat(stateDir: string, model: string): { done: Promise<{ status: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [KEEPCTL, 'chat', model, '--user', 'alice', '--json', '--state', stateDir], { env: { PATH: process.env['PATH'] }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdin.end('Please use your tool\n');
  const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  return { done: new Promise((resolve) => child.once('exit', (status) => {
    clearTimeout(timer);
    resolve({ status, stdout, stderr });
  })) };
}

test('chats with scripted models: an allowed call feeds the model, a denied one returns the denial, an approval runs after a human grant', async () => {
  const state = createInferenceState({ threads: 1, contextSize: 8192, promptTokensCap: 6144, defaultTemperature: 0 });
  const scripted = (script: readonly string[]) => ({ bytes: buildScriptedGguf({ script, contextLength: 8192 }) });
  addCatalogModel(state.stateDir, 'reader', scripted(TOOL_CALL_SCRIPT));
  addCatalogModel(state.stateDir, 'escaper', scripted(call('read_file', { path: '../bob/secret.txt' })));
  addCatalogModel(state.stateDir, 'writer', scripted(call('write_file', { path: 'report.txt', content: 'written by the model' })));
  const workspace = join(state.stateDir, 'vault', 'workspaces', 'alice');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(join(state.stateDir, 'vault', 'workspaces', 'bob'), { recursive: true });
  writeFileSync(join(workspace, 'notes.txt'), 'hello from the notes\n');
  writeFileSync(join(state.stateDir, 'vault', 'workspaces', 'bob', 'secret.txt'), 'bob secret\n');
  const [inference, firewall] = await Promise.all([startInference(state), startFirewall(state)]);
  try {
    writeEndpoints(state.stateDir, { 'keep-inference': inference.endpoint, 'keep-firewall': firewall.endpoint });

    const reader = await keepctlChat(state.stateDir, 'reader').done;
    assert.equal(reader.status, 0, reader.stderr);
    const read = JSON.parse(reader.stdout) as ChatJson;
    assert.deepEqual(read.tools.map((t) => [t.tool, t.decision, t.code]), [['read_file', 'allow', 'ok'], ['read_file', 'allow', 'ok'], ['read_file', 'allow', 'ok']]);
    const toolMessages = read.messages.filter((m) => m.role === 'tool');
    assert.deepEqual(toolMessages.map((m) => m.content), new Array(3).fill('hello from the notes\n'));
    // Each result went back to the model: inference took the history with it and replied again.
    assert.deepEqual(read.messages.map((m) => m.role), ['user', 'assistant', 'tool', 'assistant', 'tool', 'assistant', 'tool', 'assistant']);

    const escaper = await keepctlChat(state.stateDir, 'escaper').done;
    const escaped = JSON.parse(escaper.stdout) as ChatJson;
    assert.deepEqual(escaped.tools.map((t) => [t.tool, t.decision, t.code]), new Array(3).fill(['read_file', 'deny', 'path.traversal']));
    assert.match(escaped.messages[2]?.content ?? '', /^The firewall refused this call \(path\.traversal\)/);
    assert.ok(!escaper.stdout.includes('bob secret'));

    // The writer waits; a person answers each request: self-grants refused, the first granted, later ones denied.
    const writer = keepctlChat(state.stateDir, 'writer');
    const grantor = credential(state.credentialsDir, 'token.firewall-grantor');
    const callerToken = credential(state.credentialsDir, 'token.firewall-caller');
    const answered = new Set<string>();
    const selfGrants: [number, string][] = [];
    let finished = false;
    void writer.done.then(() => (finished = true));
    while (!finished) {
      const pending = await callService(firewall.endpoint, { path: '/v1/approvals?status=pending', token: grantor });
      for (const approval of (pending.body as { approvals: { id: string; caller: string }[] }).approvals) {
        if (answered.has(approval.id)) continue;
        answered.add(approval.id);
        if (answered.size === 1) {
          const own = await callService(firewall.endpoint, { method: 'POST', path: `/v1/approvals/${approval.id}/grant`, token: grantor, body: { principal: approval.caller } });
          const ownToken = await callService(firewall.endpoint, { method: 'POST', path: `/v1/approvals/${approval.id}/grant`, token: callerToken, body: { principal: 'user:alice' } });
          for (const reply of [own, ownToken]) selfGrants.push([reply.status, (reply.body as { code: string }).code]);
          const granted = runKeepctl(['approvals', 'grant', approval.id, '--json', '--state', state.stateDir]);
          assert.equal(granted.status, 0, granted.stdout);
        } else {
          assert.equal(runKeepctl(['approvals', 'revoke', approval.id, '--json', '--state', state.stateDir]).status, 0);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const written = await writer.done;
    assert.equal(written.status, 0, written.stderr);
    assert.deepEqual(selfGrants, [[403, 'approval.self_grant'], [403, 'approval.self_grant']]);
    const wrote = JSON.parse(written.stdout) as ChatJson;
    assert.deepEqual(wrote.tools.map((t) => t.code), ['approval.granted', 'approval.denied', 'approval.denied']);
    assert.equal(readFileSync(join(workspace, 'report.txt'), 'utf8'), 'written by the model');
    assert.match(written.stderr, /keepctl approvals grant apr_/);
    const listed = runKeepctl(['approvals', 'list', '--json', '--session', wrote.session, '--state', state.stateDir]);
    assert.deepEqual((listed.json as { approvals: { status: string }[] }).approvals.map((a) => a.status).sort(), ['denied', 'denied', 'used']);
  } finally {
    await Promise.all([inference.stop(), firewall.stop()]);
  }
  const store = openStore(storePath(state.stateDir), { readonly: true });
  try {
    const result = verifyAudit({ store, macKeys: loadMacKeys(state.credentialsDir), publicKey: publicKeyOf(loadSigningKey(state.credentialsDir)), head: null });
    assert.equal(result.valid, true, `${result.code} ${result.detail}`);
    const rows = store.prepare("SELECT action, decision, reason FROM audit_log WHERE service = 'firewall'").all() as { action: string; decision: string; reason: string }[];
    const seen = new Set(rows.map((r) => `${r.action} ${r.decision} ${r.reason}`));
    for (const row of ['tool.decide allow ok', 'tool.execute info ok', 'tool.decide deny path.traversal', 'tool.approval_requested approval_required approval.required',
      'tool.approval_grant deny approval.self_grant', 'tool.approval_grant allow approval.granted', 'tool.decide allow approval.granted', 'tool.approval_deny deny approval.denied']) {
      assert.ok(seen.has(row), `audit has no "${row}"`);
    }
  } finally {
    store.close();
    rmSync(state.stateDir, { recursive: true, force: true });
  }
});

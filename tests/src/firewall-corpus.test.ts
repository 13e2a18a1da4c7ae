/**
 * The attack corpus through the firewall's real shell (facts from a real workspace
 * with links, a real keep.db for approvals, the real audit chain, the executor), the
 * scenarios that need state (bursts, approvals replayed, self-grants, swaps after the
 * check), and part of the corpus through `keepctl firewall check` as a process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isKeepError, loadMacKeys, loadSigningKey, publicKeyOf, verifyAudit } from '@keep/core';
import {
  DEFAULT_POLICY_FILE, auditExpiredApprovals, decideApproval, decideToolCall, gatherFacts, handleToolCall, runBuiltinTool, type ToolCall,
} from '@keep/firewall';
import { ATTACKS, LEGITIMATE, placeArgs, type CorpusCall } from './corpus/firewall-corpus.js';
import { createFirewallFixture, type FirewallFixture } from './helpers/firewall-fixture.js';
import { KEEPCTL } from './helpers/run-keepctl.js';

const toCall = (entry: CorpusCall, fixture: Pick<FirewallFixture, 'vault' | 'workspace'>, session = 's1'): ToolCall => ({
  tool: entry.tool, args: placeArgs(entry.args, fixture.vault, fixture.workspace),
  user: entry.user ?? 'alice', caller: entry.caller ?? `chat:${session}`, session: entry.session ?? session,
});

test('the attack corpus is 100% denied with the expected codes and the legitimate calls are 100% allowed', async () => {
  assert.ok(ATTACKS.length >= 40, `corpus has ${ATTACKS.length} attacks`);
  const fixture = createFirewallFixture();
  try {
    const wrong: string[] = [];
    for (const entry of ATTACKS) {
      const outcome = await handleToolCall(fixture.deps, toCall(entry, fixture, `attack-${ATTACKS.indexOf(entry)}`));
      if (outcome.decision !== 'deny' || outcome.code !== entry.expect) wrong.push(`${entry.name}: ${outcome.decision} ${outcome.code}, expected ${entry.expect}`);
      if (outcome.result !== undefined) wrong.push(`${entry.name}: ran`);
    }
    for (const entry of LEGITIMATE) {
      const outcome = await handleToolCall(fixture.deps, toCall(entry, fixture, `legit-${LEGITIMATE.indexOf(entry)}`));
      if (outcome.decision !== 'allow' || outcome.result === undefined || outcome.result.error !== undefined) wrong.push(`${entry.name}: ${outcome.decision} ${outcome.code} ${JSON.stringify(outcome.result)}`);
    }
    assert.deepEqual(wrong, []);
    const read = await handleToolCall(fixture.deps, toCall(LEGITIMATE[0] as CorpusCall, fixture, 'again'));
    assert.equal(read.result?.content, 'hello from the notes\n');
    const search = await handleToolCall(fixture.deps, { tool: 'search_files', args: { path: '.', query: 'secret' }, user: 'alice', caller: 'chat:q', session: 'q' });
    // Neither the hard link nor the links to other workspaces are searched.
    assert.equal(search.result?.content, 'No matches');

    // Every denial is in the chain with its code, and the chain verifies.
    await fixture.deps.audit.flush();
    const codes = new Set((fixture.store.prepare("SELECT reason FROM audit_log WHERE service = 'firewall' AND decision = 'deny'").pluck().all() as string[]));
    for (const entry of ATTACKS) assert.ok(codes.has(entry.expect), `no audited deny with ${entry.expect}`);
    assertChainValid(fixture);
  } finally {
    await fixture.close();
  }
});

test('a burst past the session rate limit is denied with rate.limited, other sessions unaffected', async () => {
  const fixture = createFirewallFixture();
  try {
    const call: ToolCall = { tool: 'read_file', args: { path: 'notes.txt' }, user: 'alice', caller: 'chat:burst', session: 'burst' };
    const decisions: string[] = [];
    for (let i = 0; i < 62; i++) decisions.push((await handleToolCall(fixture.deps, call)).code);
    assert.deepEqual(decisions.slice(0, 60), new Array(60).fill('ok'));
    assert.deepEqual(decisions.slice(60), ['rate.limited', 'rate.limited']);
    assert.equal((await handleToolCall(fixture.deps, { ...call, caller: 'chat:other', session: 'other' })).code, 'ok');
    fixture.advance(61_000);
    assert.equal((await handleToolCall(fixture.deps, call)).code, 'ok');
  } finally {
    await fixture.close();
  }
});

test('approvals: bound to the exact arguments and session, single use, never granted by the caller, expiring', async () => {
  const fixture = createFirewallFixture();
  try {
    const write = (content: string, over: Partial<ToolCall> = {}): ToolCall => ({ tool: 'write_file', args: { path: 'out.txt', content }, user: 'alice', caller: 'chat:s1', session: 's1', ...over });
    const asked = await handleToolCall(fixture.deps, write('first'));
    assert.equal(asked.decision, 'approval_required');
    const id = asked.approval?.id as string;
    const grant = (principal: string, scope = 'firewall:grantor') => decideApproval(fixture.deps, { id, outcome: 'granted', principal, scope });
    await assert.rejects(grant('chat:s1'), (e: unknown) => isKeepError(e) && e.code === 'approval.self_grant');
    await assert.rejects(grant('user:alice', 'firewall:caller'), (e: unknown) => isKeepError(e) && e.code === 'approval.self_grant');
    assert.equal((await handleToolCall(fixture.deps, write('first', { approval: id }))).code, 'approval.pending');
    assert.equal((await grant('user:alice')).status, 'granted');
    await assert.rejects(grant('user:alice'), (e: unknown) => isKeepError(e) && e.code === 'approval.not_pending');

    assert.equal((await handleToolCall(fixture.deps, write('changed', { approval: id }))).code, 'approval.args_changed');
    assert.equal((await handleToolCall(fixture.deps, write('first', { approval: id, session: 's2', caller: 'chat:s2' }))).code, 'approval.session_mismatch');
    assert.equal((await handleToolCall(fixture.deps, write('first', { approval: 'apr_unknown' }))).code, 'approval.unknown');
    const ran = await handleToolCall(fixture.deps, write('first', { approval: id }));
    assert.equal(ran.code, 'approval.granted');
    assert.equal(readFileSync(join(fixture.workspace, 'out.txt'), 'utf8'), 'first');
    assert.equal((await handleToolCall(fixture.deps, write('first', { approval: id }))).code, 'approval.used');

    // A grant written into the store by the caller itself is still refused at decide time.
    const sneaky = await handleToolCall(fixture.deps, write('second'));
    fixture.store.prepare("UPDATE firewall_approvals SET status = 'granted', decided_by = 'chat:s1' WHERE id = ?").run(sneaky.approval?.id);
    assert.equal((await handleToolCall(fixture.deps, write('second', { approval: sneaky.approval?.id as string }))).code, 'approval.self_grant');

    const late = await handleToolCall(fixture.deps, write('third'));
    fixture.advance(601_000);
    await assert.rejects(decideApproval(fixture.deps, { id: late.approval?.id as string, outcome: 'granted', principal: 'user:alice', scope: 'firewall:grantor' }),
      (e: unknown) => isKeepError(e) && e.code === 'approval.expired');
    assert.equal((await handleToolCall(fixture.deps, write('third', { approval: late.approval?.id as string }))).code, 'approval.expired');
    // Expiries nobody asked about are recorded by the sweep, once each.
    assert.equal(await auditExpiredApprovals(fixture.store, fixture.deps.audit, fixture.deps.clock()), 2);
    assert.equal(await auditExpiredApprovals(fixture.store, fixture.deps.audit, fixture.deps.clock()), 0);
    await fixture.deps.audit.flush();
    const reasons = new Set(fixture.store.prepare("SELECT reason FROM audit_log WHERE service = 'firewall'").pluck().all() as string[]);
    for (const code of ['approval.required', 'approval.self_grant', 'approval.granted', 'approval.args_changed', 'approval.used', 'approval.expired']) assert.ok(reasons.has(code), code);
    assertChainValid(fixture);
  } finally {
    await fixture.close();
  }
});

test('a directory swapped for a link, or a hard link made, after the decision is caught when the executor opens it', async () => {
  const fixture = createFirewallFixture();
  try {
    mkdirSync(join(fixture.workspace, 'swap'));
    writeFileSync(join(fixture.workspace, 'swap', 'file.txt'), 'inside\n');
    writeFileSync(join(fixture.stateDir, 'outside', 'file.txt'), 'outside\n');
    const policy = fixture.deps.policy.current.compiled;
    const call: ToolCall = { tool: 'read_file', args: { path: 'swap/file.txt' }, user: 'alice', caller: 'chat:t', session: 't' };
    const decided = decideToolCall(call, policy, gatherFacts(call, policy, { vaultDir: fixture.vault }), Date.now(), { caller: 0, session: 0 });
    assert.equal(decided.decision, 'allow');
    renameSync(join(fixture.workspace, 'swap'), join(fixture.workspace, 'swapped'));
    symlinkSync(join(fixture.stateDir, 'outside'), join(fixture.workspace, 'swap'));
    const limits = fixture.deps.limits;
    assert.throws(() => runBuiltinTool('read_file', {}, fixture.workspace, ['swap', 'file.txt'], limits, Date.now), (e: unknown) => isKeepError(e) && e.code === 'path.symlink');

    writeFileSync(join(fixture.workspace, 'plain.txt'), 'plain\n');
    const plain: ToolCall = { ...call, args: { path: 'plain.txt' } };
    assert.equal(decideToolCall(plain, policy, gatherFacts(plain, policy, { vaultDir: fixture.vault }), Date.now(), { caller: 0, session: 0 }).decision, 'allow');
    linkSync(join(fixture.workspace, 'plain.txt'), join(fixture.stateDir, 'outside', 'plain-link.txt'));
    assert.throws(() => runBuiltinTool('read_file', {}, fixture.workspace, ['plain.txt'], limits, Date.now), (e: unknown) => isKeepError(e) && e.code === 'path.hardlink');
  } finally {
    await fixture.close();
  }
});

test('when the audit write fails the call fails and nothing runs', async () => {
  const fixture = createFirewallFixture();
  try {
    fixture.deps.alwaysAllow.add({ tool: 'write_file', user: 'alice', argsSha256: null, createdBy: 'admin:test' }, Date.now());
    const call: ToolCall = { tool: 'write_file', args: { path: 'never.txt', content: 'x' }, user: 'alice', caller: 'chat:a', session: 'a' };
    await fixture.deps.audit.close();
    await assert.rejects(handleToolCall(fixture.deps, call), (e: unknown) => isKeepError(e) && e.code === 'audit.write_failed');
    assert.equal(existsSync(join(fixture.workspace, 'never.txt')), false);
  } finally {
    await fixture.close();
  }
});

test('keepctl firewall check decides corpus calls offline with exit codes 0, 1 and 2', async () => {
  const fixture = createFirewallFixture();
  try {
    const check = (input: string, args: string[] = []) => spawnSync(process.execPath, [KEEPCTL, 'firewall', 'check', '--json', '--workspace', fixture.workspace, ...args], {
      input, encoding: 'utf8', env: { PATH: process.env['PATH'] }, timeout: 30_000,
    });
    const sample = [...ATTACKS.filter((_, i) => i % 9 === 0), ...LEGITIMATE.slice(0, 2)].filter((e) => e.user === undefined);
    for (const entry of sample) {
      const call = { tool: entry.tool, args: placeArgs(entry.args, fixture.vault, fixture.workspace), caller: entry.caller ?? 'chat:cli', session: entry.session ?? 'cli' };
      const run = check(JSON.stringify(call));
      const out = JSON.parse(run.stdout) as { decision: string; code: string; rule: string };
      if (entry.expect === 'allow') {
        assert.equal(run.status, 0, `${entry.name}: ${run.stdout}`);
        assert.equal(out.decision, 'allow');
      } else {
        assert.equal(run.status, 1, `${entry.name}: ${run.stdout}`);
        assert.equal(out.code, entry.expect, entry.name);
      }
    }
    const write = check(JSON.stringify({ tool: 'write_file', args: { path: 'n.txt', content: 'x' }, caller: 'c', session: 's' }));
    assert.equal(write.status, 1);
    assert.equal((JSON.parse(write.stdout) as { decision: string }).decision, 'approval_required');
    assert.equal(check('not json').status, 2);
    const strict = check(JSON.stringify({ tool: 'read_file', args: { path: 'notes.txt' } }), ['--policy', join(fixture.stateDir, 'no-such-policy.yaml')]);
    assert.equal(strict.status, 1);
    assert.equal((JSON.parse(strict.stdout) as { code: string }).code, 'tool.unknown');
    assert.ok(DEFAULT_POLICY_FILE.endsWith('tools.yaml'));
  } finally {
    await fixture.close();
  }
});

function assertChainValid(fixture: FirewallFixture): void {
  const result = verifyAudit({ store: fixture.store, macKeys: loadMacKeys(fixture.credentialsDir), publicKey: publicKeyOf(loadSigningKey(fixture.credentialsDir)), head: null });
  assert.equal(result.valid, true, `${result.code} ${result.detail}`);
}

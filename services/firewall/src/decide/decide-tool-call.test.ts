import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePolicy } from '../policy/compile-policy.js';
import { toolsPolicySchema } from '../policy/policy-schema.js';
import { decideToolCall } from './decide-tool-call.js';
import type { ApprovalFacts, Facts, PathFacts, ToolCall } from './decision-types.js';

const WS = '/v/workspaces/alice';
const policy = compilePolicy(toolsPolicySchema.parse({
  tools: {
    read_file: {
      risk: 'low', approval: 'never',
      args: { path: { type: 'path', roots: ['docs', 'notes'], expect: 'file' } },
      rateLimit: { perSession: { max: 2, windowMs: 1000 } },
      rules: [
        { id: 'secrets', effect: 'deny', path: { arg: 'path', under: 'docs/secret' } },
        { id: 'drafts', effect: 'approval', path: { arg: 'path', under: 'notes/drafts' } },
      ],
    },
    write_file: {
      risk: 'high', approval: 'required',
      args: { path: { type: 'path', roots: ['.'] }, content: { type: 'string', maxLength: 10, multiline: true } },
      rules: [{ id: 'no-env', effect: 'deny', arg: { name: 'content', contains: 'TOKEN=' } }],
    },
    set_level: { risk: 'low', approval: 'never', args: { level: { type: 'integer', min: 1, max: 5 }, mode: { type: 'string', oneOf: ['a', 'b'], required: false } } },
  },
}));

const file = (relative: string, over: Partial<PathFacts> = {}): PathFacts => ({
  relative, symlinkAt: -1, realAncestor: `${WS}/${relative}`, existingDepth: relative.split('/').length, kind: 'file', nlink: 1, ...over,
});
const facts = (paths: Record<string, PathFacts> = {}, over: Partial<Facts> = {}): Facts => ({
  workspace: WS, workspaceReal: WS, paths, argsSha256: 'a'.repeat(64), approval: null, alwaysAllow: null, airlock: 'unavailable', ...over,
});
const call = (tool: string, args: unknown, over: Partial<ToolCall> = {}): ToolCall => ({ tool, args, caller: 'chat:s1', session: 's1', user: 'alice', ...over });
const none = { caller: 0, session: 0 };
const decide = (c: ToolCall, f: Facts, counters = none, now = 1000) => decideToolCall(c, policy, f, now, counters);

test('decideToolCall() allows a listed tool inside its roots and names the rule', () => {
  assert.deepEqual(decide(call('read_file', { path: 'docs/a.txt' }), facts({ path: file('docs/a.txt') })), { decision: 'allow', rule: 'tools.read_file', code: 'ok', reason: 'Allowed by policy' });
});

test('decideToolCall() checks in a fixed order: shape, tool, args, paths, rules, rate, approval', () => {
  assert.equal(decide(call('nope', { path: '../x' }, { user: 'Bad' }), facts()).code, 'user.invalid');
  assert.equal(decide(call('nope', { path: '../x' }), facts()).code, 'tool.unknown');
  assert.equal(decide(call('read_file', { path: '../x', extra: 1 }), facts()).code, 'args.unknown');
  assert.equal(decide(call('read_file', { path: 'other/a' }), facts()).code, 'path.outside_root');
  assert.equal(decide(call('read_file', { path: 'docs-evil/a' }), facts()).code, 'path.outside_root');
  assert.equal(decide(call('read_file', { path: 'docs/secret/k' }), facts({ path: file('docs/secret/k') }), { caller: 0, session: 99 }).code, 'rule.deny');
  assert.equal(decide(call('read_file', { path: 'docs/a' }), facts({ path: file('docs/a') }), { caller: 0, session: 2 }).code, 'rate.limited');
});

test('decideToolCall() reads the facts: links, link counts, real paths, kinds, missing facts', () => {
  const c = call('read_file', { path: 'docs/a' });
  assert.equal(decide(c, facts({ path: file('docs/a', { symlinkAt: 0 }) })).code, 'path.symlink');
  assert.equal(decide(c, facts({ path: file('docs/a', { realAncestor: '/etc/a' }) })).code, 'path.outside_workspace');
  assert.equal(decide(c, facts({ path: file('docs/a', { realAncestor: `${WS}/notes/a` }) })).code, 'path.symlink');
  assert.equal(decide(c, facts({ path: file('docs/a', { nlink: 2 }) })).code, 'path.hardlink');
  assert.equal(decide(c, facts({ path: file('docs/a', { kind: 'dir' }) })).code, 'path.not_file');
  assert.equal(decide(c, facts({ path: file('docs/a', { kind: 'missing', existingDepth: 1, realAncestor: `${WS}/docs` }) })).code, 'path.not_found');
  assert.equal(decide(c, facts({ path: file('docs/b') })).code, 'facts.stale');
  assert.equal(decide(c, facts({}, { workspaceReal: null })).code, 'workspace.missing');
});

test('decideToolCall() checks arguments as typed data', () => {
  assert.equal(decide(call('set_level', { level: 3 }), facts()).code, 'ok');
  assert.equal(decide(call('set_level', { level: '3' }), facts()).code, 'args.invalid');
  assert.equal(decide(call('set_level', { level: 3.5 }), facts()).code, 'args.invalid');
  assert.equal(decide(call('set_level', { level: 9 }), facts()).code, 'args.out_of_range');
  assert.equal(decide(call('set_level', { level: 1, mode: 'c' }), facts()).code, 'args.not_allowed');
  assert.equal(decide(call('set_level', { level: 1, mode: 'a' }), facts()).code, 'ok');
});

const approval = (over: Partial<ApprovalFacts> = {}): ApprovalFacts => ({
  id: 'apr_1', tool: 'write_file', argsSha256: 'a'.repeat(64), session: 's1', caller: 'chat:s1', status: 'granted', decidedBy: 'user:alice', expiresAt: 5000, ...over,
});

test('decideToolCall() binds a grant to tool, argument hash and session, refuses self-grants, expiry and reuse', () => {
  const w = (over: Partial<ToolCall> = {}) => call('write_file', { path: 'out.txt', content: 'hi' }, over);
  const f = (a: ApprovalFacts | null, over: Partial<Facts> = {}) => facts({ path: file('out.txt', { kind: 'missing', existingDepth: 0, realAncestor: WS }) }, { approval: a, ...over });
  assert.equal(decide(w(), f(null)).code, 'approval.required');
  assert.equal(decide(w(), f(null)).decision, 'approval_required');
  assert.equal(decide(w({ approval: 'apr_1' }), f(approval())).code, 'approval.granted');
  assert.equal(decide(w({ approval: 'apr_1' }), f(approval({ argsSha256: 'b'.repeat(64) }))).code, 'approval.args_changed');
  assert.equal(decide(w({ approval: 'apr_1' }), f(approval({ tool: 'read_file' }))).code, 'approval.args_changed');
  assert.equal(decide(w({ approval: 'apr_1' }), f(approval({ session: 's2' }))).code, 'approval.session_mismatch');
  assert.equal(decide(w({ approval: 'apr_1' }), f(approval({ decidedBy: 'chat:s1' }))).code, 'approval.self_grant');
  assert.equal(decide(w({ approval: 'apr_1' }), f(approval({ status: 'used' }))).code, 'approval.used');
  assert.equal(decide(w({ approval: 'apr_1' }), f(approval({ status: 'pending' }))).code, 'approval.pending');
  assert.equal(decide(w({ approval: 'apr_1' }), f(approval()), none, 6000).code, 'approval.expired');
  assert.equal(decide(w({ approval: 'apr_2' }), f(approval())).code, 'approval.unknown');
  assert.equal(decide(w(), f(null, { alwaysAllow: 'aa_1' })).code, 'approval.always_allow');
});

test('decideToolCall() never lets an always-allow rule or a grant override a deny', () => {
  const path = { path: file('out.txt', { kind: 'missing', existingDepth: 0, realAncestor: WS }) };
  const env = call('write_file', { path: 'out.txt', content: 'TOKEN=x' }, { approval: 'apr_1' });
  assert.equal(decide(env, facts(path, { alwaysAllow: 'aa_1', approval: approval() })).code, 'rule.deny');
  const draft = call('read_file', { path: 'notes/drafts/a' });
  assert.equal(decide(draft, facts({ path: file('notes/drafts/a') })).code, 'approval.required');
});

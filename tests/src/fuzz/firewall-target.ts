/**
 * The firewall's fuzz target: mutated JSON tool calls (seeded with the attack corpus
 * and the legitimate calls) through the pure `decideToolCall` with the shipped
 * policy, facts built from the canonical paths alone (what the policy expects is there).
 * A finding: an exception, a code outside the union, or an allow whose path argument
 * resolves outside the workspace or carries a NUL, a backslash or percent-encoding.
 */
import { posix } from 'node:path';
import {
  DEFAULT_POLICY_FILE, canonicalPath, decideToolCall, loadPolicy, type Facts, type PathFacts, type ToolCall,
} from '@keep/firewall';
import { ATTACKS, LEGITIMATE } from '../corpus/firewall-corpus.js';
import type { FuzzTarget } from './fuzz-targets.js';

/** The oracle's own error (fuzz-targets.ts imports this file, so its class is not imported back). */
class FirewallOracleViolation extends Error {
  override readonly name = 'OracleViolation';
}

const WS = '/fuzz/vault/workspaces/alice';
const policy = loadPolicy(DEFAULT_POLICY_FILE).compiled;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

export const FIREWALL_TARGET: FuzzTarget = {
  name: 'firewall',
  seeds: () => [...ATTACKS, ...LEGITIMATE].map((entry) => encoder.encode(JSON.stringify({
    tool: entry.tool, args: entry.args, user: entry.user ?? 'alice', caller: entry.caller ?? 'chat:f', session: entry.session ?? 'f',
  }).replaceAll('{ws}', WS).replaceAll('{vault}', '/fuzz/vault'))),
  check(input) {
    let call: ToolCall;
    try {
      call = JSON.parse(decoder.decode(input)) as ToolCall;
    } catch {
      return 'unparseable';
    }
    if (call === null || typeof call !== 'object') return 'not_an_object';
    const paths: Record<string, PathFacts> = {};
    const args = call.args !== null && typeof call.args === 'object' ? call.args as Record<string, unknown> : {};
    // Facts as if what the policy expects were there: a file for read_file, a directory for list_dir.
    const tool = typeof call.tool === 'string' ? policy.tools.get(call.tool) : undefined;
    for (const arg of tool?.args ?? []) {
      const value = args[arg.name];
      if (arg.spec.type !== 'path' || typeof value !== 'string') continue;
      const path = canonicalPath(value, WS, arg.spec.maxLength);
      if (!path.ok) continue;
      const kind = arg.spec.expect === 'file' ? 'file' : arg.spec.expect === 'dir' ? 'dir' : 'missing';
      const depth = kind === 'missing' ? path.segments.length - 1 : path.segments.length;
      paths[arg.name] = { relative: path.relative, symlinkAt: -1, realAncestor: [WS, ...path.segments.slice(0, Math.max(0, depth))].join('/'), existingDepth: Math.max(0, depth), kind, nlink: 1 };
    }
    const facts: Facts = { workspace: WS, workspaceReal: WS, paths, argsSha256: '0'.repeat(64), approval: null, alwaysAllow: null, airlock: 'available' };
    const decision = decideToolCall(call, policy, facts, 0, { caller: 0, session: 0 });
    if (!/^[a-z_]+\.[a-z_]+$|^ok$/.test(decision.code)) throw new FirewallOracleViolation(`code ${decision.code} is not a reason code`);
    const path = args['path'];
    if (decision.decision === 'allow' && typeof path === 'string') {
      const resolved = posix.resolve(WS, path);
      if (resolved !== WS && !resolved.startsWith(`${WS}/`)) throw new FirewallOracleViolation(`allowed ${JSON.stringify(path)}, which resolves to ${resolved}`);
      if (/[\0\\]|%[0-9a-f]{2}/i.test(path)) throw new FirewallOracleViolation(`allowed ${JSON.stringify(path)}`);
    }
    return `${decision.decision}:${decision.code}`;
  },
};

import { canonicalPath, isUnder } from '../paths/canonical-path.js';
import type { CompiledPolicy, CompiledTool, IndexedRule } from '../policy/compile-policy.js';
import { checkArg } from './check-arg.js';
import type { Counters, Decision, DecisionCode, Facts, PathFacts, ToolCall } from './decision-types.js';

/** A user name: what names a workspace directory, so nothing a path could abuse. */
export const USER_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const PRINCIPAL = /^[\x21-\x7e]{1,256}$/;
/** Tools the airlock executes; they cannot run while it is unreachable. */
const AIRLOCK_TOOLS: ReadonlySet<string> = new Set(['fetch_url']);

/**
 * The firewall's decision, pure: no fs, clock, network or state; everything it needs
 * is passed in. One fixed order, the first failing check decides:
 * 1 call shape, 2 tool listed (default deny), 3 arguments as typed data,
 * 4 paths (canonical form, policy roots, links and real paths from `facts`),
 * 5 policy rules (a deny rule wins over everything after it), 6 airlock reachable,
 * 7 rate limits per caller and per session, 8 approval (always-allow, a grant bound to
 * tool + argument hash + session, never granted by the caller itself).
 */
export function decideToolCall(call: ToolCall, policy: CompiledPolicy, facts: Facts, now: number, counters: Counters): Decision {
  if (typeof call.tool !== 'string' || typeof call.caller !== 'string' || typeof call.session !== 'string'
    || !PRINCIPAL.test(call.caller) || !PRINCIPAL.test(call.session) || (call.approval !== undefined && typeof call.approval !== 'string')) {
    return deny('call', 'call.invalid', 'Call must name tool, caller and session as printable strings');
  }
  if (typeof call.user !== 'string' || !USER_PATTERN.test(call.user)) return deny('call', 'user.invalid', 'User must be 1-64 lowercase letters, digits, `_` or `-`');
  const tool = policy.tools.get(call.tool);
  if (tool === undefined) return deny('default', 'tool.unknown', `Tool ${call.tool.slice(0, 64)} is not in the policy`);
  const base = `tools.${tool.name}`;
  const args = call.args;
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return deny(base, 'args.invalid', 'Arguments must be a JSON object');
  const values = args as Record<string, unknown>;
  for (const key of Object.keys(values)) {
    if (!tool.argNames.has(key)) return deny(base, 'args.unknown', `Argument ${key.slice(0, 64)} is not declared for ${tool.name}`);
  }
  for (const arg of tool.args) {
    const value = values[arg.name];
    if (value === undefined) {
      if (arg.spec.required) return deny(`${base}.args.${arg.name}`, 'args.missing', `Argument ${arg.name} is required`);
      continue;
    }
    const problem = checkArg(arg, value);
    if (problem !== null) return deny(`${base}.args.${arg.name}`, problem.code, problem.reason);
  }
  const segmentsByArg = new Map<string, string[]>();
  for (const arg of tool.args) {
    const value = values[arg.name];
    if (arg.spec.type !== 'path' || typeof value !== 'string') continue;
    const where = `${base}.args.${arg.name}`;
    const path = canonicalPath(value, facts.workspace, arg.spec.maxLength);
    if (!path.ok) return deny(where, path.code, path.reason);
    if (!arg.roots.some((root) => isUnder(path.segments, root))) return deny(where, 'path.outside_root', `Path ${path.relative} is outside the roots the policy allows`);
    if (facts.workspaceReal === null) return deny(where, 'workspace.missing', `Workspace of ${call.user} does not exist`);
    const found = facts.paths[arg.name];
    if (found === undefined || found.relative !== path.relative) return deny(where, 'facts.stale', `No facts for ${path.relative}`);
    const problem = checkPathFacts(found, path.segments, facts.workspaceReal, arg.spec.expect);
    if (problem !== null) return deny(where, problem[0], problem[1]);
    segmentsByArg.set(arg.name, path.segments);
  }
  const matched = matchRules(tool, values, segmentsByArg);
  if (matched.deny !== null) {
    const { rule } = matched.deny;
    return deny(`${base}.rules.${rule.id}`, 'rule.deny', rule.reason ?? `Rule ${rule.id} denies this call`);
  }
  if (AIRLOCK_TOOLS.has(tool.name) && facts.airlock === 'unavailable') return deny(base, 'airlock.unavailable', 'The airlock is not running, so nothing can be fetched');
  const limits = tool.policy.rateLimit;
  if (limits.perCaller !== undefined && counters.caller >= limits.perCaller.max) {
    return deny(`${base}.rateLimit.perCaller`, 'rate.limited', `Caller made ${counters.caller} calls of ${tool.name} within ${limits.perCaller.windowMs} ms, limit is ${limits.perCaller.max}`);
  }
  if (limits.perSession !== undefined && counters.session >= limits.perSession.max) {
    return deny(`${base}.rateLimit.perSession`, 'rate.limited', `Session made ${counters.session} calls of ${tool.name} within ${limits.perSession.windowMs} ms, limit is ${limits.perSession.max}`);
  }
  const approvalRule = matched.approval === null ? base : `${base}.rules.${matched.approval.rule.id}`;
  if (tool.policy.approval === 'never' && matched.approval === null) return { decision: 'allow', rule: base, code: 'ok', reason: 'Allowed by policy' };
  if (facts.alwaysAllow !== null) return { decision: 'allow', rule: `always-allow.${facts.alwaysAllow}`, code: 'approval.always_allow', reason: 'Allowed by an always-allow rule' };
  if (call.approval === undefined) return { decision: 'approval_required', rule: approvalRule, code: 'approval.required', reason: `${tool.name} needs a grant by another principal` };
  return checkApproval(call as ToolCall & { approval: string; caller: string; session: string }, tool, facts, now, approvalRule);
}

function checkPathFacts(found: PathFacts, segments: readonly string[], workspaceReal: string, expect: string): [DecisionCode, string] | null {
  if (found.symlinkAt >= 0) return ['path.symlink', `Component ${found.symlinkAt + 1} of the path is a symbolic link`];
  const expected = found.existingDepth === 0 ? workspaceReal : `${workspaceReal}/${segments.slice(0, found.existingDepth).join('/')}`;
  if (found.realAncestor !== expected) {
    const inside = found.realAncestor === workspaceReal || found.realAncestor.startsWith(`${workspaceReal}/`);
    return inside ? ['path.symlink', 'The path resolves through a link'] : ['path.outside_workspace', 'The path resolves outside the workspace'];
  }
  if (found.kind === 'symlink') return ['path.symlink', 'The path is a symbolic link'];
  if (found.kind === 'other') return ['path.special', 'The path is not a regular file or directory'];
  if (found.kind === 'file' && found.nlink > 1) return ['path.hardlink', `The file has ${found.nlink} hard links`];
  if (expect === 'file' || expect === 'dir') {
    if (found.kind === 'missing') return ['path.not_found', 'Nothing exists at the path'];
    if (expect === 'file' && found.kind !== 'file') return ['path.not_file', 'The path is not a regular file'];
    if (expect === 'dir' && found.kind !== 'dir') return ['path.not_dir', 'The path is not a directory'];
  }
  if (expect === 'new-or-file' && found.kind === 'dir') return ['path.not_file', 'The path is a directory'];
  return null;
}

/** The first deny rule and the first approval rule that match, by their order in the policy. */
function matchRules(tool: CompiledTool, values: Record<string, unknown>, segmentsByArg: ReadonlyMap<string, string[]>): { deny: IndexedRule | null; approval: IndexedRule | null } {
  let denyRule: IndexedRule | null = null;
  let approvalRule: IndexedRule | null = null;
  const consider = (indexed: IndexedRule): void => {
    if (indexed.rule.effect === 'deny') {
      if (denyRule === null || indexed.index < denyRule.index) denyRule = indexed;
    } else if (approvalRule === null || indexed.index < approvalRule.index) approvalRule = indexed;
  };
  for (const [arg, root] of tool.pathRules) {
    const segments = segmentsByArg.get(arg);
    if (segments === undefined) continue;
    let node = root;
    node.rules.forEach(consider);
    for (const segment of segments) {
      const child = node.children.get(segment);
      if (child === undefined) break;
      node = child;
      node.rules.forEach(consider);
    }
  }
  for (const [arg, byValue] of tool.equalsRules) {
    const value = values[arg];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') byValue.get(value)?.forEach(consider);
  }
  for (const scan of tool.scanRules) {
    const value = values[scan.arg];
    if (typeof value === 'string' && scan.test(value)) consider(scan.indexed);
  }
  return { deny: denyRule, approval: approvalRule };
}

function checkApproval(call: ToolCall & { approval: string; caller: string; session: string }, tool: CompiledTool, facts: Facts, now: number, rule: string): Decision {
  const approval = facts.approval;
  if (approval === null || approval.id !== call.approval) return deny(rule, 'approval.unknown', 'The approval cited does not exist');
  if (approval.tool !== tool.name || approval.argsSha256 !== facts.argsSha256) return deny(rule, 'approval.args_changed', 'The approval was given for another tool or other arguments');
  if (approval.session !== call.session) return deny(rule, 'approval.session_mismatch', 'The approval belongs to another session');
  if (approval.status === 'denied') return deny(rule, 'approval.denied', 'The approval was denied');
  if (approval.status === 'used') return deny(rule, 'approval.used', 'The approval was single use and is spent');
  if (now >= approval.expiresAt) return deny(rule, 'approval.expired', 'The approval expired');
  if (approval.status === 'pending') return { decision: 'approval_required', rule, code: 'approval.pending', reason: 'The approval is still waiting for a grant' };
  if (approval.decidedBy === null || approval.decidedBy === call.caller || approval.decidedBy === approval.caller) {
    return deny(rule, 'approval.self_grant', 'The approval was granted by the caller itself');
  }
  return { decision: 'allow', rule, code: 'approval.granted', reason: `Granted by ${approval.decidedBy}` };
}

function deny(rule: string, code: DecisionCode, reason: string): Decision {
  return { decision: 'deny', rule, code, reason };
}

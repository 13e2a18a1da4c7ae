import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { KeepError, canonicalJson, isKeepError, messageOf, type AuditWriter, type Clock } from '@keep/core';
import type { AlwaysAllowStore } from './approvals/always-allow-store.js';
import type { ApprovalStore } from './approvals/approval-store.js';
import { USER_PATTERN, decideToolCall } from './decide/decide-tool-call.js';
import type { Counters, Decision, ToolCall } from './decide/decision-types.js';
import type { RateCounters } from './decide/rate-counters.js';
import { fetchViaAirlock, type AirlockClient } from './exec/fetch-via-airlock.js';
import { runBuiltinTool, type ExecutorLimits, type ToolResult } from './exec/run-builtin-tool.js';
import { gatherFacts, workspaceOf } from './facts/gather-facts.js';
import { canonicalPath } from './paths/canonical-path.js';
import type { CompiledTool } from './policy/compile-policy.js';
import type { PolicyHolder } from './policy/policy-holder.js';

export interface ToolCallDeps {
  policy: PolicyHolder;
  approvals: ApprovalStore;
  alwaysAllow: AlwaysAllowStore;
  rate: RateCounters;
  audit: AuditWriter;
  clock: Clock;
  vaultDir: string;
  limits: ExecutorLimits;
  airlock: AirlockClient;
  /** Off for the bench's "decision only" figure; the service always executes. */
  execute?: boolean;
}

export interface ToolCallOutcome extends Decision {
  id: string;
  result?: ToolResult & { error?: { code: string; detail: string } };
  approval?: { id: string; expiresAt: number; argsSha256: string };
}

/**
 * One tool call end to end: gather facts and counters, decide (pure), record the
 * decision durably in the audit chain, and only then run an allowed call. An audit
 * write that fails fails the call (`audit.write_failed`), and nothing runs.
 */
export async function handleToolCall(deps: ToolCallDeps, call: ToolCall): Promise<ToolCallOutcome> {
  const loaded = deps.policy.current;
  const policy = loaded.compiled;
  const now = deps.clock();
  ensureWorkspace(deps.vaultDir, call.user);
  const facts = gatherFacts(call, policy, {
    vaultDir: deps.vaultDir,
    approval: (id) => deps.approvals.facts(id),
    alwaysAllow: (tool, user, sha) => deps.alwaysAllow.match(tool, user, sha),
    airlock: deps.airlock.endpoint() === null ? 'unavailable' : 'available',
  });
  const tool = typeof call.tool === 'string' ? policy.tools.get(call.tool) : undefined;
  const keys = rateKeys(tool, call);
  const counters: Counters = tool === undefined ? { caller: 0, session: 0 } : {
    caller: tool.policy.rateLimit.perCaller ? deps.rate.count(keys.caller, tool.policy.rateLimit.perCaller.windowMs, now) : 0,
    session: tool.policy.rateLimit.perSession ? deps.rate.count(keys.session, tool.policy.rateLimit.perSession.windowMs, now) : 0,
  };
  let decision: Decision = decideToolCall(call, policy, facts, now, counters);
  const id = `call_${randomBytes(12).toString('base64url')}`;
  if (decision.code === 'approval.granted' && typeof call.approval === 'string' && deps.approvals.get(call.approval, now)?.singleUse === true) {
    // Spent before anything runs: two racing re-submissions cannot both use one grant.
    if (!deps.approvals.consume(call.approval, now)) decision = { decision: 'deny', rule: decision.rule, code: 'approval.used', reason: 'The approval was single use and is spent' };
  }
  let approval: ToolCallOutcome['approval'];
  if (decision.code === 'approval.required' && tool !== undefined) {
    const created = deps.approvals.create({
      tool: tool.name, args: canonicalJson(call.args), argsSha256: facts.argsSha256, session: String(call.session), caller: String(call.caller),
      user: String(call.user), risk: tool.policy.risk, expiresAt: now + policy.approvalTtlMs,
    }, now);
    approval = { id: created.id, expiresAt: created.expiresAt, argsSha256: created.argsSha256 };
  } else if (typeof call.approval === 'string' && facts.approval !== null) {
    approval = { id: facts.approval.id, expiresAt: facts.approval.expiresAt, argsSha256: facts.approval.argsSha256 };
  }
  const actor = `caller:${String(call.caller).slice(0, 256)}`;
  const target = typeof call.tool === 'string' ? call.tool.slice(0, 64) : '';
  try {
    await deps.audit.append({
      actor, action: approval !== undefined && decision.code === 'approval.required' ? 'tool.approval_requested' : 'tool.decide', target,
      decision: decision.decision, reason: decision.code,
      details: { id, rule: decision.rule, user: String(call.user).slice(0, 64), session: String(call.session).slice(0, 256), argsSha256: facts.argsSha256, approval: approval?.id, policySha256: loaded.sha256 },
    });
  } catch (error) {
    if (approval !== undefined && decision.code === 'approval.required') deps.approvals.revoke(approval.id, 'service:keep-firewall', now);
    throw isKeepError(error) ? error : new KeepError('audit.write_failed', `Cannot audit the decision: ${messageOf(error)}`, { status: 500 });
  }
  if (tool !== undefined && decision.decision !== 'deny') {
    deps.rate.record(keys.caller, now);
    deps.rate.record(keys.session, now);
  }
  const outcome: ToolCallOutcome = { id, ...decision, ...(approval === undefined ? {} : { approval }) };
  if (decision.decision !== 'allow' || tool === undefined || deps.execute === false) return outcome;
  return execute(deps, call, tool, facts.workspaceReal ?? '', outcome, actor);
}

async function execute(deps: ToolCallDeps, call: ToolCall, tool: CompiledTool, workspaceReal: string, outcome: ToolCallOutcome, actor: string): Promise<ToolCallOutcome> {
  const args = call.args as Record<string, unknown>;
  const started = deps.clock();
  try {
    let result: ToolResult;
    if (tool.name === 'fetch_url') {
      result = await fetchViaAirlock(deps.airlock, String(args['url']), String(call.caller));
    } else {
      const pathArg = tool.args.find((a) => a.spec.type === 'path');
      const maxLength = pathArg?.spec.type === 'path' ? pathArg.spec.maxLength : 4096;
      const path = pathArg === undefined ? null : canonicalPath(String(args[pathArg.name]), workspaceOf(deps.vaultDir, String(call.user)), maxLength);
      if (path === null || !path.ok) throw new KeepError('exec.no_executor', `No executor for tool ${tool.name}`, { status: 501 });
      result = runBuiltinTool(tool.name, args, workspaceReal, path.segments, deps.limits, deps.clock);
    }
    await deps.audit.append({ actor, action: 'tool.execute', target: tool.name, decision: 'info', reason: 'ok', details: { id: outcome.id, bytes: Buffer.byteLength(result.content), truncated: result.truncated, ms: deps.clock() - started } });
    return { ...outcome, result };
  } catch (error) {
    const keepError = isKeepError(error) ? error : new KeepError('exec.failed', messageOf(error), { status: 500 });
    if (keepError.code === 'audit.write_failed') throw keepError;
    const refused = keepError.code.startsWith('airlock.') || keepError.code.startsWith('path.');
    await deps.audit.append({ actor, action: 'tool.execute', target: tool.name, decision: refused ? 'deny' : 'error', reason: keepError.code, details: { id: outcome.id, ms: deps.clock() - started } });
    if (refused) return { ...outcome, decision: 'deny', code: keepError.code as Decision['code'], reason: keepError.detail };
    return { ...outcome, result: { content: `Error: ${keepError.detail}`, truncated: false, error: { code: keepError.code, detail: keepError.detail } } };
  }
}

/** A user's workspace is made on first use, private to the service (the vault's `workspaces/` must exist). */
function ensureWorkspace(vaultDir: string, user: unknown): void {
  if (typeof user !== 'string' || !USER_PATTERN.test(user)) return;
  const workspace = workspaceOf(vaultDir, user);
  if (existsSync(workspace)) return; // the common case, without the cost of a thrown EEXIST
  try {
    mkdirSync(workspace, { mode: 0o700 });
  } catch {
    // exists already, or cannot be made: the facts say so and decide denies
  }
}

function rateKeys(tool: CompiledTool | undefined, call: ToolCall): { caller: string; session: string } {
  const name = tool?.name ?? '';
  return { caller: `${name}\u0000c\u0000${String(call.caller)}`, session: `${name}\u0000s\u0000${String(call.session)}` };
}

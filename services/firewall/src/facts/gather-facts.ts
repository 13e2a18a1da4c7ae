import { createHash } from 'node:crypto';
import { lstatSync, realpathSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '@keep/core';
import { USER_PATTERN } from '../decide/decide-tool-call.js';
import type { ApprovalFacts, Facts, PathFacts, ToolCall } from '../decide/decision-types.js';
import { canonicalPath } from '../paths/canonical-path.js';
import type { CompiledPolicy } from '../policy/compile-policy.js';

export interface FactSources {
  /** `<vault>`: workspaces live in `<vault>/workspaces/<user>`. */
  vaultDir: string;
  /** The workspace itself, instead of `<vaultDir>/workspaces/<user>` (keepctl firewall check). */
  workspace?: string;
  approval?: (id: string) => ApprovalFacts | null;
  alwaysAllow?: (tool: string, user: string, argsSha256: string) => string | null;
  airlock?: 'available' | 'unavailable';
}

/** The workspace directory of `user` (already checked against USER_PATTERN). */
export function workspaceOf(vaultDir: string, user: string): string {
  return join(vaultDir, 'workspaces', user);
}

/**
 * The thin shell around `decideToolCall`: for each path argument the policy declares,
 * walks the canonical path component by component with lstat (never following a link),
 * records the first link, the real path of the deepest existing ancestor, what is at
 * the path and its link count; plus the argument hash, the cited approval and any
 * always-allow rule. Whatever it cannot work out it leaves out, and decide denies.
 */
export function gatherFacts(call: ToolCall, policy: CompiledPolicy, sources: FactSources): Facts {
  const user = typeof call.user === 'string' && USER_PATTERN.test(call.user) ? call.user : null;
  const workspace = sources.workspace ?? (user === null ? join(sources.vaultDir, 'workspaces', '-') : workspaceOf(sources.vaultDir, user));
  const workspaceReal = user === null ? null : realOrNull(workspace);
  const paths: Record<string, PathFacts> = {};
  const tool = typeof call.tool === 'string' ? policy.tools.get(call.tool) : undefined;
  const args = call.args !== null && typeof call.args === 'object' && !Array.isArray(call.args) ? call.args as Record<string, unknown> : null;
  if (tool !== undefined && args !== null && workspaceReal !== null) {
    for (const arg of tool.args) {
      const value = args[arg.name];
      if (arg.spec.type !== 'path' || typeof value !== 'string') continue;
      const path = canonicalPath(value, workspace, arg.spec.maxLength);
      if (path.ok) paths[arg.name] = pathFacts(workspaceReal, path.segments, path.relative);
    }
  }
  let argsSha256 = '';
  try {
    argsSha256 = createHash('sha256').update(canonicalJson(call.args ?? null)).digest('hex');
  } catch {
    // not encodable: decide refuses such arguments anyway
  }
  const approval = typeof call.approval === 'string' && sources.approval ? sources.approval(call.approval) : null;
  const alwaysAllow = user !== null && typeof call.tool === 'string' && sources.alwaysAllow ? sources.alwaysAllow(call.tool, user, argsSha256) : null;
  return { workspace, workspaceReal, paths, argsSha256, approval, alwaysAllow, airlock: sources.airlock ?? 'unavailable' };
}

/** Walks `segments` below the real workspace root with lstat. */
export function pathFacts(workspaceReal: string, segments: readonly string[], relative: string): PathFacts {
  let current = workspaceReal;
  let existingDepth = 0;
  let stats: Stats | null = lstatOrNull(current);
  for (const segment of segments) {
    if (stats === null || !stats.isDirectory()) break;
    const next = `${current}/${segment}`;
    const nextStats = lstatOrNull(next);
    if (nextStats === null) {
      stats = null;
      break;
    }
    existingDepth += 1;
    current = next;
    stats = nextStats;
    if (nextStats.isSymbolicLink()) {
      return { relative, symlinkAt: existingDepth - 1, realAncestor: realOrNull(current) ?? current, existingDepth, kind: 'symlink', nlink: nextStats.nlink };
    }
  }
  const complete = existingDepth === segments.length && stats !== null;
  const kind: PathFacts['kind'] = !complete || stats === null ? 'missing' : stats.isFile() ? 'file' : stats.isDirectory() ? 'dir' : 'other';
  return { relative, symlinkAt: -1, realAncestor: realOrNull(current) ?? current, existingDepth, kind, nlink: complete && stats ? stats.nlink : 0 };
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function realOrNull(path: string): string | null {
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
}

import type { PathCode } from '../paths/canonical-path.js';

/** A tool call as it arrives: untrusted, so every field is checked before use. */
export interface ToolCall {
  readonly tool: unknown;
  readonly args: unknown;
  /** The principal asking: the chat session (`chat:<id>`). */
  readonly caller: unknown;
  readonly session: unknown;
  /** Whose workspace the call runs in. */
  readonly user: unknown;
  /** An approval id, when re-submitting after a grant. */
  readonly approval?: unknown;
}

/** What the shell found on disk for one path argument. */
export interface PathFacts {
  /** The workspace-relative path the facts are about, as `canonicalPath` made it. */
  readonly relative: string;
  /** Index of the first component that is a symbolic link, or -1. */
  readonly symlinkAt: number;
  /** Real path of the deepest existing ancestor (or of the path itself). */
  readonly realAncestor: string;
  /** How many leading segments exist. */
  readonly existingDepth: number;
  readonly kind: 'file' | 'dir' | 'symlink' | 'missing' | 'other';
  readonly nlink: number;
}

/** An approval as the store holds it, for the call that cites it. */
export interface ApprovalFacts {
  readonly id: string;
  readonly tool: string;
  readonly argsSha256: string;
  readonly session: string;
  readonly caller: string;
  readonly status: 'pending' | 'granted' | 'denied' | 'used';
  readonly decidedBy: string | null;
  readonly expiresAt: number;
}

export interface Facts {
  /** Absolute lexical path of the user's workspace (`<vault>/workspaces/<user>`). */
  readonly workspace: string;
  /** Its real path, or null when it does not exist. */
  readonly workspaceReal: string | null;
  readonly paths: Readonly<Record<string, PathFacts>>;
  /** SHA-256 of `canonicalJson(args)`; what approvals bind to. */
  readonly argsSha256: string;
  /** The approval the call cites (null when none or not found). */
  readonly approval: ApprovalFacts | null;
  /** An "always allow" rule matches this call (id), or null. */
  readonly alwaysAllow: string | null;
  /** Whether the airlock is reachable at all, for tools it executes. */
  readonly airlock: 'available' | 'unavailable';
}

/** Calls already counted in the tool's windows, for this caller and this session. */
export interface Counters {
  readonly caller: number;
  readonly session: number;
}

export type DecisionCode =
  | 'ok' | 'approval.granted' | 'approval.always_allow' | 'approval.required'
  | 'call.invalid' | 'user.invalid' | 'tool.unknown' | 'workspace.missing'
  | 'args.invalid' | 'args.unknown' | 'args.missing' | 'args.too_long' | 'args.too_short' | 'args.pattern'
  | 'args.not_allowed' | 'args.out_of_range' | 'args.control_char' | 'args.flag_injection'
  | 'url.invalid' | 'url.scheme' | 'url.credentials'
  | PathCode | 'path.symlink' | 'path.hardlink' | 'path.outside_root' | 'path.not_found' | 'path.not_file' | 'path.not_dir' | 'path.special' | 'facts.stale'
  | 'rule.deny' | 'rate.limited' | 'airlock.unavailable' | 'airlock.disabled'
  | 'approval.unknown' | 'approval.pending' | 'approval.denied' | 'approval.expired' | 'approval.used'
  | 'approval.args_changed' | 'approval.session_mismatch' | 'approval.self_grant';

export interface Decision {
  readonly decision: 'allow' | 'deny' | 'approval_required';
  /** Which part of the policy decided: `tools.read_file`, `tools.read_file.rules.secrets`, `default`. */
  readonly rule: string;
  readonly code: DecisionCode;
  readonly reason: string;
}

/** @keep/firewall: the tool firewall's pure parts, for keepctl's offline check, tests and benches. */
export { firewallConfigSchema, type FirewallConfig } from './config.js';
export { toolsPolicySchema, toolPolicySchema, type ToolsPolicy, type ToolPolicy, type ArgSpec } from './policy/policy-schema.js';
export { compilePolicy, type CompiledPolicy } from './policy/compile-policy.js';
export { loadPolicy, type LoadedPolicy } from './policy/load-policy.js';
export { PolicyHolder } from './policy/policy-holder.js';
export { canonicalPath, type CanonicalPath } from './paths/canonical-path.js';
export { decideToolCall, USER_PATTERN } from './decide/decide-tool-call.js';
export type { ToolCall, Facts, PathFacts, Counters, Decision, DecisionCode, ApprovalFacts } from './decide/decision-types.js';
export { RateCounters } from './decide/rate-counters.js';
export { gatherFacts, pathFacts, workspaceOf, type FactSources } from './facts/gather-facts.js';
export { APPROVAL_MIGRATIONS } from './approvals/approval-schema.js';
export { ApprovalStore, type ApprovalView } from './approvals/approval-store.js';
export { AlwaysAllowStore } from './approvals/always-allow-store.js';
export { handleToolCall, type ToolCallDeps, type ToolCallOutcome } from './handle-tool-call.js';
export { createFirewallApp, type FirewallAppDeps } from './app.js';
export { DEFAULT_POLICY_FILE } from './policy/default-policy-file.js';

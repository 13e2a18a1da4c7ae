import { rootSegments } from '../paths/canonical-path.js';
import type { ArgSpec, PolicyRule, ToolPolicy, ToolsPolicy } from './policy-schema.js';

/** A rule with its position, so the first one written is the one reported. */
export interface IndexedRule {
  readonly index: number;
  readonly rule: PolicyRule;
}

/** Path rules of one argument as a trie of segments: a lookup costs the path's depth, not the rule count. */
export interface PathRuleNode {
  rules: IndexedRule[];
  children: Map<string, PathRuleNode>;
}

export interface CompiledArg {
  readonly name: string;
  readonly spec: ArgSpec;
  readonly pattern: RegExp | null;
  readonly oneOf: ReadonlySet<string> | null;
  readonly roots: readonly (readonly string[])[];
}

export interface CompiledTool {
  readonly name: string;
  readonly policy: ToolPolicy;
  readonly args: readonly CompiledArg[];
  readonly argNames: ReadonlySet<string>;
  readonly pathRules: ReadonlyMap<string, PathRuleNode>;
  /** `equals` rules by argument, then by value. */
  readonly equalsRules: ReadonlyMap<string, ReadonlyMap<string | number | boolean, IndexedRule[]>>;
  /** `contains` and `pattern` rules, tested one by one. */
  readonly scanRules: readonly { readonly arg: string; readonly test: (value: string) => boolean; readonly indexed: IndexedRule }[];
}

export interface CompiledPolicy {
  readonly source: ToolsPolicy;
  readonly tools: ReadonlyMap<string, CompiledTool>;
  readonly approvalTtlMs: number;
}

/**
 * Turns a validated policy into the form `decideToolCall` reads fast: regular
 * expressions built once, roots split into segments, path rules in a trie, equality
 * rules in maps. A rule naming an argument the tool does not declare is an error.
 */
export function compilePolicy(policy: ToolsPolicy): CompiledPolicy {
  const tools = new Map<string, CompiledTool>();
  for (const [name, tool] of Object.entries(policy.tools)) tools.set(name, compileTool(name, tool));
  return { source: policy, tools, approvalTtlMs: policy.approvalTtlMs };
}

function compileTool(name: string, tool: ToolPolicy): CompiledTool {
  const args: CompiledArg[] = Object.entries(tool.args).map(([argName, spec]) => ({
    name: argName,
    spec,
    pattern: spec.type === 'string' && spec.pattern !== undefined ? new RegExp(`^(?:${spec.pattern})$`, 'u') : null,
    oneOf: spec.type === 'string' && spec.oneOf !== undefined ? new Set(spec.oneOf) : null,
    roots: spec.type === 'path' ? spec.roots.map(rootSegments) : [],
  }));
  const argNames = new Set(args.map((a) => a.name));
  const pathRules = new Map<string, PathRuleNode>();
  const equalsRules = new Map<string, Map<string | number | boolean, IndexedRule[]>>();
  const scanRules: CompiledTool['scanRules'][number][] = [];
  tool.rules.forEach((rule, index) => {
    const indexed = { index, rule };
    if (rule.path !== undefined) {
      const spec = tool.args[rule.path.arg];
      if (spec?.type !== 'path') throw new TypeError(`Rule ${rule.id} of tool ${name} names "${rule.path.arg}", which is not a path argument`);
      let node: PathRuleNode | undefined = pathRules.get(rule.path.arg);
      if (node === undefined) {
        node = { rules: [], children: new Map() };
        pathRules.set(rule.path.arg, node);
      }
      for (const segment of rootSegments(rule.path.under)) {
        let child: PathRuleNode | undefined = node.children.get(segment);
        if (child === undefined) {
          child = { rules: [], children: new Map() };
          node.children.set(segment, child);
        }
        node = child;
      }
      node.rules.push(indexed);
      return;
    }
    const arg = rule.arg;
    if (arg === undefined) return;
    if (!argNames.has(arg.name)) throw new TypeError(`Rule ${rule.id} of tool ${name} names "${arg.name}", which the tool does not declare`);
    if (arg.equals !== undefined) {
      let byValue = equalsRules.get(arg.name);
      if (byValue === undefined) equalsRules.set(arg.name, (byValue = new Map()));
      byValue.set(arg.equals, [...(byValue.get(arg.equals) ?? []), indexed]);
    } else if (arg.contains !== undefined) {
      const needle = arg.contains;
      scanRules.push({ arg: arg.name, test: (value) => value.includes(needle), indexed });
    } else if (arg.pattern !== undefined) {
      const re = new RegExp(arg.pattern, 'u');
      scanRules.push({ arg: arg.name, test: (value) => re.test(value), indexed });
    }
  });
  return { name, policy: tool, args, argNames, pathRules, equalsRules, scanRules };
}

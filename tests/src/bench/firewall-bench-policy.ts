/**
 * The firewall bench's inputs: one tool with 1,000 rules (500 path rules on
 * workspace directories, 250 equality rules and 250 substring and pattern rules on
 * an argument), a workspace holding the directories the calls read, and a mix of calls
 * that pass every rule, hit a deny rule, or fail an argument check.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compilePolicy, toolsPolicySchema, type CompiledPolicy, type ToolCall } from '@keep/firewall';

export const BENCH_RULES = 1000;

/** The bench tool with its 1,000 rules, or with none (`ruleCount` 0) as the baseline. */
export function benchPolicy(ruleCount = BENCH_RULES): CompiledPolicy {
  const rules: unknown[] = [];
  if (ruleCount > 0) for (let i = 0; i < 500; i++) rules.push({ id: `path-${i}`, effect: i % 2 === 0 ? 'deny' : 'approval', path: { arg: 'path', under: `area-${i}/private` } });
  if (ruleCount > 0) for (let i = 0; i < 250; i++) rules.push({ id: `eq-${i}`, effect: 'deny', arg: { name: 'label', equals: `blocked-${i}` } });
  if (ruleCount > 0) for (let i = 0; i < 200; i++) rules.push({ id: `has-${i}`, effect: 'deny', arg: { name: 'label', contains: `bad${i}word` } });
  if (ruleCount > 0) for (let i = 0; i < 50; i++) rules.push({ id: `re-${i}`, effect: 'deny', arg: { name: 'label', pattern: `^evil-${i}-[0-9]+$` } });
  return compilePolicy(toolsPolicySchema.parse({
    tools: {
      read_file: {
        risk: 'low', approval: 'never',
        args: {
          path: { type: 'path', roots: ['.'], expect: 'file' },
          label: { type: 'string', maxLength: 64, pattern: '[a-z0-9-]+', required: false },
        },
        rules,
      },
    },
  }));
}

/** `<vault>/workspaces/bench/area-<i>/docs/file.txt` for the first 20 areas. */
export function benchWorkspace(root: string): { vault: string; workspace: string } {
  const vault = join(root, 'vault');
  const workspace = join(vault, 'workspaces', 'bench');
  for (let i = 0; i < 20; i++) {
    mkdirSync(join(workspace, `area-${i}`, 'docs'), { recursive: true });
    writeFileSync(join(workspace, `area-${i}`, 'docs', 'file.txt'), `area ${i}\n`);
  }
  return { vault, workspace };
}

/** The calls one run cycles through: mostly allowed, some denied by a rule or by an argument check. */
export function benchCalls(): ToolCall[] {
  const calls: ToolCall[] = [];
  for (let i = 0; i < 20; i++) {
    const base = { tool: 'read_file', caller: `chat:bench-${i % 4}`, session: `bench-${i % 4}`, user: 'bench' };
    calls.push({ ...base, args: { path: `area-${i}/docs/file.txt`, label: `note-${i}` } });
    if (i % 5 === 0) calls.push({ ...base, args: { path: `area-${i}/private/key.txt` } });
    if (i % 7 === 0) calls.push({ ...base, args: { path: `area-${i}/docs/file.txt`, label: `blocked-${i}` } });
    if (i % 9 === 0) calls.push({ ...base, args: { path: `area-${i}/../../x` } });
  }
  return calls;
}

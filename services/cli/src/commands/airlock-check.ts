import { KeepError } from '@keep/core/errors';
import { airlockPolicySchema, decideEgress, loadAirlockPolicy, type AirlockPolicy } from '@keep/airlock';
import { EXIT_NEGATIVE, EXIT_OK, type CommandResult } from '../output.js';

export interface AirlockCheckFlags {
  policy?: string | undefined;
  allow?: string[] | undefined;
  resolve?: string[] | undefined;
  method?: string | undefined;
}

/** `--allow HOST[/PATH-PREFIX]` as a rule: GET (or the checked method) under that prefix. */
function allowRule(entry: string, method: string): unknown {
  const slash = entry.indexOf('/');
  const host = slash < 0 ? entry : entry.slice(0, slash);
  const prefix = slash < 0 ? '/' : entry.slice(slash);
  return { host, pathPrefixes: [prefix], methods: [method] };
}

/** `--resolve HOST=IP[,IP...]` into a lower-cased host → answers map. */
function resolveMap(entries: readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const entry of entries) {
    const match = /^([^=\s]+)=([^\s]+)$/.exec(entry);
    if (!match) throw new KeepError('usage.invalid', `--resolve takes HOST=IP[,IP...], got "${entry}"`);
    map.set((match[1] as string).toLowerCase(), [...(map.get((match[1] as string).toLowerCase()) ?? []), ...(match[2] as string).split(',').filter((x) => x !== '')]);
  }
  return map;
}

/**
 * `keepctl airlock check URL`: the airlock's own decision for one URL, offline and as
 * if the airlock were enabled, with DNS answers taken only from `--resolve` (a name
 * without one is refused). Exit 0 allow, 1 deny, 2 usage error.
 */
export function airlockCheck(url: string, flags: AirlockCheckFlags): CommandResult {
  const method = (flags.method ?? 'GET').toUpperCase();
  const base = loadAirlockPolicy(flags.policy ?? '/etc/keep/policy/airlock.yaml');
  const extra = (flags.allow ?? []).map((entry) => allowRule(entry, method));
  const merged = airlockPolicySchema.safeParse({ ...base, rules: [...base.rules, ...extra] });
  if (!merged.success) throw new KeepError('usage.invalid', `--allow is invalid: ${merged.error.issues[0]?.message ?? 'bad rule'}`);
  const policy: AirlockPolicy = merged.data;
  const answers = resolveMap(flags.resolve ?? []);
  const request = { mode: 'fetch' as const, target: url, method };
  let decision = decideEgress(request, policy);
  if (decision.decision === 'resolve') decision = decideEgress(request, policy, answers.get(decision.host) ?? []);
  if (decision.decision === 'resolve') throw new TypeError('decideEgress asked to resolve twice');
  if (decision.decision === 'allow') {
    return { exitCode: EXIT_OK, json: { decision: 'allow', code: 'ok', resolved: decision.resolved, address: decision.address }, text: `allow ${url} via ${decision.address}` };
  }
  return { exitCode: EXIT_NEGATIVE, json: { decision: 'deny', code: decision.code, resolved: decision.resolved, detail: decision.detail }, text: `deny ${decision.code}: ${decision.detail}` };
}

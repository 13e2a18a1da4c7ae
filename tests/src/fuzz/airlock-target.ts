/**
 * The airlock's fuzz target: mutated URLs and CONNECT authorities (seeded with the
 * SSRF corpus) through the pure `decideEgress`/`decideAnswers`, under the narrow and
 * the wide (`*`) corpus policies, with DNS answers picked from good, bad and mixed
 * sets. A finding: an exception, a code outside AIRLOCK_CODES, or an allow whose
 * address, scheme, userinfo, fragment, host or DNS answers break the rules.
 */
import { isIP } from 'node:net';
import { AIRLOCK_CODES, classifyIp, decideAnswers, decideEgress, isExfilHost } from '@keep/airlock';
import { NARROW_POLICY, SSRF_CASES, WIDE_POLICY } from '../corpus/ssrf-cases.js';
import type { FuzzTarget } from './fuzz-targets.js';

class AirlockOracleViolation extends Error {
  override readonly name = 'OracleViolation';
}

const ANSWERS: readonly string[][] = [['93.184.216.34'], ['127.0.0.1'], ['10.0.0.1', '93.184.216.34'], ['::ffff:127.0.0.1'], [], ['2606:2800:220:1::1'], ['169.254.169.254']];
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

export const AIRLOCK_TARGET: FuzzTarget = {
  name: 'airlock',
  seeds: () => SSRF_CASES.map((c) => encoder.encode(`${c.mode === 'connect' ? 'C' : 'F'}${c.url}`)),
  check(input, rng) {
    const text = decoder.decode(input);
    const mode = text.startsWith('C') ? 'connect' as const : 'fetch' as const;
    const target = text.slice(1);
    const policy = rng.int(2) === 0 ? NARROW_POLICY : WIDE_POLICY;
    const answers = rng.pick(ANSWERS);
    const request = { mode, target, method: mode === 'connect' ? 'CONNECT' : 'GET' };
    const first = decideEgress(request, policy);
    const decision = first.decision === 'resolve' ? decideAnswers(first, answers) : first;
    if (decision.decision === 'resolve') throw new AirlockOracleViolation('asked to resolve twice');
    if (decision.code !== 'ok' && !(decision.code in AIRLOCK_CODES)) throw new AirlockOracleViolation(`code ${decision.code} is not an airlock code`);
    if (decision.decision === 'allow') {
      if (!classifyIp(decision.address).ok) throw new AirlockOracleViolation(`allowed ${JSON.stringify(target)} via ${decision.address}`);
      if (first.decision === 'resolve' && answers.some((a) => !classifyIp(a).ok)) throw new AirlockOracleViolation(`allowed ${JSON.stringify(target)} with a bad answer in ${answers.join(',')}`);
      if (isExfilHost(decision.host)) throw new AirlockOracleViolation(`allowed the exfiltration host ${decision.host}`);
      if (isIP(decision.host) === 0 && !/^[a-z0-9_.-]+$/.test(decision.host)) throw new AirlockOracleViolation(`allowed the odd host ${JSON.stringify(decision.host)}`);
      if (mode === 'fetch') {
        const url = new URL(target);
        if (url.username !== '' || url.password !== '' || url.hash !== '' || target.includes('#') || authorityOf(target).includes('@')) throw new AirlockOracleViolation(`allowed ${JSON.stringify(target)} with userinfo or a fragment`);
        if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.rules.some((r) => r.http))) throw new AirlockOracleViolation(`allowed scheme ${url.protocol}`);
      }
    }
    return `${decision.decision}:${decision.code}`;
  },
};

/** The authority as a WHATWG parser delimits it: after `//`, up to the first `/`, `\\`, `?` or `#` (an `@` in the path is no userinfo). */
function authorityOf(target: string): string {
  const start = target.indexOf('//');
  const rest = start === -1 ? target : target.slice(start + 2);
  const end = rest.search(/[/\\?#]/);
  return end === -1 ? rest : rest.slice(0, end);
}

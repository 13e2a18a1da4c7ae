/** @keep/airlock: the egress decision and policy, for keepctl and the docs generator. */
export { AIRLOCK_CODES, statusOf, type AirlockCode } from './airlock-codes.js';
export { decideEgress, decideAnswers, FORWARDED_HEADERS, type EgressDecision, type EgressRequest } from './decide/decide-egress.js';
export { classifyIp, type IpClass } from './decide/classify-ip.js';
export { parseIpv4 } from './decide/parse-ipv4.js';
export { isExfilHost, EXFIL_DENYLIST } from './decide/exfil-denylist.js';
export { scanOutgoing } from './decide/scan-outgoing.js';
export { airlockPolicySchema, loadAirlockPolicy, EMPTY_POLICY, type AirlockPolicy, type AirlockRule } from './policy/airlock-policy.js';
export { airlockConfigSchema, type AirlockConfig } from './config.js';

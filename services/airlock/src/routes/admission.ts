import type { AuditWriter, Clock } from '@keep/core';
import type { AirlockPolicy } from '../policy/airlock-policy.js';
import type { RateLimiter } from '../fetch/rate-limiter.js';
import type { AirlockState } from '../state/airlock-state.js';
import { egressError } from '../fetch/egress.js';

export interface AdmissionDeps {
  state: AirlockState;
  limiter: RateLimiter;
  audit: AuditWriter;
  clock: Clock;
  policy: () => { policy: AirlockPolicy };
}

/**
 * What every outgoing request passes before its own decision: the containment
 * latch, the on/off switch, and the caller's rate. A refusal here is audited too.
 */
export async function admit(deps: AdmissionDeps, caller: string, action: string, target: string): Promise<void> {
  const state = deps.state.read();
  const limits = deps.policy().policy.limits;
  const code = state.contained ? 'airlock.contained' as const
    : !state.enabled ? 'airlock.disabled' as const
      : !deps.limiter.take(caller, deps.clock(), limits.requestsPerMinute, limits.burst) ? 'egress.rate_limited' as const : null;
  if (code === null) return;
  await deps.audit.append({ actor: caller, action, target, decision: 'deny', reason: code });
  const detail = code === 'airlock.contained' ? `Egress is contained: ${state.containedReason ?? 'no reason given'}`
    : code === 'airlock.disabled' ? 'Egress is disabled; an admin enables it with keepctl airlock enable'
      : `Caller ${caller} is over ${limits.requestsPerMinute} requests per minute`;
  throw egressError(code, detail);
}

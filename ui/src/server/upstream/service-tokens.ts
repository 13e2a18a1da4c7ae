import { CREDENTIALS, readCredentialText } from '@keep/core';

/** The scoped tokens keep-ui holds (credential table), by scope. They stay in this process. */
export type ServiceTokens = ReadonlyMap<string, string>;

export function loadServiceTokens(credentialsDir: string): ServiceTokens {
  const tokens = new Map<string, string>();
  for (const spec of CREDENTIALS) {
    if (spec.kind === 'token' && spec.scope !== undefined && spec.holders.includes('keep-ui')) {
      tokens.set(spec.scope, readCredentialText(credentialsDir, spec.name));
    }
  }
  return tokens;
}

/**
 * Every secret Keep uses, in one table read by both the dev launcher and firstboot.
 * `holders` are the units that receive the file (systemd `LoadCredential=`);
 * for a token the `verifier` receives only `<name>.sha256`, so a compromised callee
 * cannot replay the token it checks. keepctl's files are root-only in the appliance.
 */
export type CredentialKind =
  /** 32 random bytes, hex: a writer's audit MAC key */
  | 'mac-key'
  /** `keep_` + 43 base64url chars: a scoped bearer token */
  | 'token'
  /** PKCS#8 PEM Ed25519 private key */
  | 'ed25519-key'
  /** 32 random bytes, hex */
  | 'secret';

export type Unit =
  | 'keep-registry' | 'keep-quarantine' | 'keep-firewall' | 'keep-airlock'
  | 'keep-inference' | 'keep-ui' | 'keep-audit' | 'keepctl';

export interface CredentialSpec {
  readonly name: string;
  readonly kind: CredentialKind;
  readonly holders: readonly Unit[];
  /** For tokens: the unit that checks them, and the scope the token grants. */
  readonly verifier?: Unit;
  readonly scope?: string;
}

/** Services that append to the audit chain, each with its own MAC key. */
export const AUDIT_WRITERS = ['registry', 'quarantine', 'firewall', 'airlock', 'inference', 'ui', 'audit', 'cli'] as const;
export type AuditWriterName = (typeof AUDIT_WRITERS)[number];

const macKeys: CredentialSpec[] = AUDIT_WRITERS.map((writer) => ({
  name: `mac.${writer}`,
  kind: 'mac-key',
  // keep-audit verifies the chain, so it holds every MAC key; so does root's keepctl.
  holders: [writer === 'cli' ? 'keepctl' : (`keep-${writer}` as Unit), 'keep-audit', 'keepctl'].filter((u, i, all) => all.indexOf(u) === i) as Unit[],
}));

function token(scope: string, verifier: Unit, holders: Unit[]): CredentialSpec {
  return { name: `token.${scope.replace(':', '-')}`, kind: 'token', scope, verifier, holders };
}

export const CREDENTIALS: readonly CredentialSpec[] = [
  ...macKeys,
  { name: 'audit.signing-key', kind: 'ed25519-key', holders: ['keep-audit', 'keepctl'] },
  { name: 'ui.session-secret', kind: 'secret', holders: ['keep-ui'] },
  token('registry:read', 'keep-registry', ['keep-inference', 'keep-ui', 'keepctl']),
  token('registry:promote', 'keep-registry', ['keep-quarantine']),
  token('registry:admin', 'keep-registry', ['keep-ui', 'keepctl']),
  token('quarantine:submit', 'keep-quarantine', ['keep-ui', 'keep-airlock', 'keepctl']),
  token('quarantine:admin', 'keep-quarantine', ['keep-ui', 'keepctl']),
  token('firewall:caller', 'keep-firewall', ['keep-ui', 'keepctl']),
  token('firewall:grantor', 'keep-firewall', ['keep-ui', 'keepctl']),
  token('firewall:admin', 'keep-firewall', ['keep-ui', 'keepctl']),
  token('airlock:fetch', 'keep-airlock', ['keep-firewall', 'keep-quarantine', 'keep-ui', 'keepctl']),
  token('airlock:admin', 'keep-airlock', ['keep-ui', 'keepctl']),
  token('inference:chat', 'keep-inference', ['keep-ui', 'keepctl']),
  token('inference:admin', 'keep-inference', ['keep-ui', 'keepctl']),
  token('audit:read', 'keep-audit', ['keep-ui', 'keepctl']),
  token('audit:admin', 'keep-audit', ['keep-ui', 'keepctl']),
];

export function credentialSpec(name: string): CredentialSpec {
  const spec = CREDENTIALS.find((c) => c.name === name);
  if (!spec) throw new TypeError(`Unknown credential ${name}`);
  return spec;
}

/** The file names a unit receives: what it holds, plus the hashes of tokens it verifies. */
export function credentialFilesFor(unit: Unit): string[] {
  const held = CREDENTIALS.filter((c) => c.holders.includes(unit)).map((c) => c.name);
  const verified = CREDENTIALS.filter((c) => c.verifier === unit).map((c) => `${c.name}.sha256`);
  return [...held, ...verified];
}

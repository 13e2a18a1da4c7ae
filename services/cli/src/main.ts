import { parseArgs } from 'node:util';
import { KeepError } from '@keep/core/errors';
import { EXIT_ERROR, EXIT_OK, errorResult, print, type CommandResult } from './output.js';

const USAGE = `usage: keepctl [--json] [--state DIR] [--credentials DIR] COMMAND

commands:
  status                               health and readiness of every service
  doctor [--skip CHECK,...] [--ruleset PATH] [--vault DIR]
                                       the live appliance against the design: units
                                       active and sandboxed, nftables ruleset, vault,
                                       credentials, audit chain; each finding with its
                                       fix (exit 1 on any finding; run as root)
  audit verify [--db PATH] [--head PATH]
                                       verify the whole audit chain (exit 1 if invalid)
  audit tail [--db PATH] [-n N]        the newest N audit events (default 20)
  scan FILE [--policy PATH] [--signature PATH]
                                       run the quarantine's static pipeline on a model
                                       file or bundle, offline (exit 1 if rejected)
  models list                          promoted models, their state and last verify
  models show NAME                     one model (NAME or sha256:HEX)
  models verify NAME | --all           re-hash file and tensors (exit 1 if any fails;
                                       a failing model is contained)
  models contain NAME --reason TEXT    stop inference from serving a model
  models release NAME                  back to active after a passing verify
  models rm NAME                       delete a model
  import FILE                          send a model file or bundle to the quarantine and
                                       follow its scan (exit 1 if rejected)
  chat NAME [--user U]                 chat with a registry model: each stdin line is a
                                       turn, replies stream as they are generated; tool
                                       calls go through the firewall (workspace of U)
  firewall check [--policy PATH] [--workspace DIR] < call.json
                                       decide one tool call offline (exit 0 allow,
                                       1 deny or approval required)
  approvals list [--session ID] [--status S]
                                       tool-call approvals the firewall holds
  approvals grant ID | revoke ID       grant a pending approval as the admin, or deny it
                                       (revoke withdraws an unused grant)
  policy reload                        the firewall re-reads its tool policy (audited)
  airlock check URL [--policy PATH] [--allow HOST[/PREFIX]]... [--resolve HOST=IP[,IP...]]...
                                       decide one URL offline, as if the airlock were on
                                       (exit 0 allow, 1 deny)
  airlock enable | disable | status    the egress switch (audited) and its state
  pull URL [--name NAME]               download a model through the airlock into the
                                       quarantine, with progress (exit 1 if it failed)

exit codes: 0 ok, 1 negative verdict, 2 usage or I/O error`;

async function run(argv: string[]): Promise<{ result: CommandResult; json: boolean }> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      skip: { type: 'string' },
      ruleset: { type: 'string' },
      vault: { type: 'string' },
      json: { type: 'boolean' },
      state: { type: 'string' },
      credentials: { type: 'string' },
      db: { type: 'string' },
      head: { type: 'string' },
      lines: { type: 'string', short: 'n' },
      policy: { type: 'string' },
      signature: { type: 'string' },
      all: { type: 'boolean' },
      reason: { type: 'string' },
      allow: { type: 'string', multiple: true },
      resolve: { type: 'string', multiple: true },
      method: { type: 'string' },
      name: { type: 'string' },
      workspace: { type: 'string' },
      session: { type: 'string' },
      status: { type: 'string' },
      user: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const json = values.json ?? false;
  const command = ['scan', 'chat', 'import', 'pull'].includes(positionals[0] ?? '') ? positionals[0] as string
    : ['models', 'approvals', 'firewall', 'policy', 'airlock'].includes(positionals[0] ?? '') ? `${positionals[0]} ${positionals[1] ?? ''}`.trim() : positionals.join(' ');
  if (values.help || command === '' || command === 'help') {
    return { result: { exitCode: values.help ? EXIT_OK : EXIT_ERROR, json: { usage: USAGE }, text: USAGE }, json };
  }
  // Commands load on demand: `keepctl scan` must not pay for the store and HTTP modules.
  const context = async () => (await import('./cli-context.js')).cliContext(values);
  switch (command) {
    case 'doctor':
      return { result: await (await import('./commands/doctor.js')).doctor(await context(), values), json };
    case 'status':
      return { result: await (await import('./commands/status.js')).status(await context()), json };
    case 'audit verify':
      return { result: await (await import('./commands/audit-verify.js')).auditVerify(await context(), values), json };
    case 'scan': {
      const [, file, ...extra] = positionals;
      if (file === undefined || extra.length > 0) throw new KeepError('usage.invalid', 'usage: keepctl scan FILE [--json] [--policy PATH] [--signature PATH]');
      return { result: await (await import('./commands/scan.js')).scan(file, values), json };
    }
    case 'import': {
      const [, file, ...extra] = positionals;
      if (file === undefined || extra.length > 0) throw new KeepError('usage.invalid', 'usage: keepctl import FILE [--json]');
      return { result: await (await import('./commands/import.js')).importModel(await context(), file), json };
    }
    case 'chat': {
      const [, model, ...extra] = positionals;
      if (model === undefined || extra.length > 0) throw new KeepError('usage.invalid', 'usage: keepctl chat NAME [--user U] [--json]');
      return { result: await (await import('./commands/chat.js')).chat(await context(), model, values.user), json };
    }
    case 'audit tail':
      return { result: (await import('./commands/audit-tail.js')).auditTail(await context(), values), json };
    case 'models list':
      return { result: await (await import('./commands/models-list.js')).modelsList(await context()), json };
    case 'models show':
      return { result: await (await import('./commands/models-show.js')).modelsShow(await context(), oneRef(positionals, 'show NAME')), json };
    case 'models verify': {
      const [, , ref, ...extra] = positionals;
      if (extra.length > 0) throw new KeepError('usage.invalid', 'usage: keepctl models verify NAME | --all');
      return { result: await (await import('./commands/models-verify.js')).modelsVerify(await context(), ref, values.all ?? false), json };
    }
    case 'models contain': {
      if (values.reason === undefined || values.reason.trim() === '') throw new KeepError('usage.invalid', 'usage: keepctl models contain NAME --reason TEXT');
      return { result: await (await import('./commands/models-contain.js')).modelsContain(await context(), oneRef(positionals, 'contain NAME --reason TEXT'), values.reason), json };
    }
    case 'models release':
      return { result: await (await import('./commands/models-release.js')).modelsRelease(await context(), oneRef(positionals, 'release NAME')), json };
    case 'models rm':
      return { result: await (await import('./commands/models-rm.js')).modelsRm(await context(), oneRef(positionals, 'rm NAME')), json };
    case 'airlock check': {
      const [, , url, ...extra] = positionals;
      if (url === undefined || extra.length > 0) throw new KeepError('usage.invalid', 'usage: keepctl airlock check URL [--policy PATH] [--allow HOST[/PREFIX]]... [--resolve HOST=IP[,IP...]]... [--json]');
      return { result: (await import('./commands/airlock-check.js')).airlockCheck(url, values), json };
    }
    case 'airlock enable':
    case 'airlock disable':
    case 'airlock status': {
      if (positionals.length > 2) throw new KeepError('usage.invalid', 'usage: keepctl airlock enable | disable | status');
      return { result: await (await import('./commands/airlock-state.js')).airlockState(await context(), positionals[1] as 'enable' | 'disable' | 'status'), json };
    }
    case 'pull': {
      const [, url, ...extra] = positionals;
      if (url === undefined || extra.length > 0) throw new KeepError('usage.invalid', 'usage: keepctl pull URL [--name NAME] [--json]');
      return { result: await (await import('./commands/pull.js')).pull(await context(), url, values.name), json };
    }
    case 'firewall check':
      if (positionals.length > 2) throw new KeepError('usage.invalid', 'usage: keepctl firewall check [--policy PATH] [--workspace DIR] [--json] < call.json');
      return { result: (await import('./commands/firewall-check.js')).firewallCheck(values), json };
    case 'approvals list':
      return { result: await (await import('./commands/approvals.js')).approvalsList(await context(), values), json };
    case 'approvals grant':
    case 'approvals revoke':
      if (positionals.length > 3) throw new KeepError('usage.invalid', `usage: keepctl ${command} ID`);
      return { result: await (await import('./commands/approvals.js')).approvalsDecide(await context(), command === 'approvals grant' ? 'grant' : 'revoke', positionals[2]), json };
    case 'policy reload':
      return { result: await (await import('./commands/approvals.js')).policyReload(await context()), json };
    default:
      throw new KeepError('usage.invalid', `Unknown command "${command}"; try keepctl --help`);
  }
}

/** The one NAME after `models <verb>`. */
function oneRef(positionals: string[], usage: string): string {
  const [, , ref, ...extra] = positionals;
  if (ref === undefined || extra.length > 0) throw new KeepError('usage.invalid', `usage: keepctl models ${usage}`);
  return ref;
}

const argv = process.argv.slice(2);
const wantsJson = argv.includes('--json');
run(argv).then(
  ({ result, json }) => {
    print(result, json);
    process.exitCode = result.exitCode;
  },
  (error: unknown) => {
    const usage = error instanceof Error && 'code' in error && String((error as { code: unknown }).code).startsWith('ERR_PARSE_ARGS');
    const result = errorResult(usage ? new KeepError('usage.invalid', (error as Error).message) : error);
    print(result, wantsJson);
    process.exitCode = result.exitCode;
  },
);

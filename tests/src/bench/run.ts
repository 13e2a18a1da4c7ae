/**
 * `npm run bench -- NAME [--small]`: runs one benchmark (or all with no name). Each
 * prints its figures next to a baseline measured in the same run, and as its last
 * line one JSON object with every figure. `--small` (or CI's quick check) runs a
 * reduced size that only proves the bench works.
 */
import { auditBench } from './audit-bench.js';

export interface BenchOptions {
  small: boolean;
  log: (line: string) => void;
}

const BENCHES: Record<string, (options: BenchOptions) => Promise<Record<string, unknown>>> = {
  audit: auditBench,
  scan: async (options) => (await import('./scan-bench.js')).scanBench(options),
  inference: async (options) => (await import('./inference-bench.js')).inferenceBench(options),
  airlock: async (options) => (await import('./airlock-bench.js')).airlockBench(options),
  firewall: async (options) => (await import('./firewall-bench.js')).firewallBench(options),
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--list')) {
    process.stdout.write(`${Object.keys(BENCHES).join('\n')}\n`);
    return;
  }
  const small = args.includes('--small');
  const names = args.filter((a) => !a.startsWith('--'));
  const selected = names.length > 0 ? names : Object.keys(BENCHES);
  for (const name of selected) {
    const bench = BENCHES[name];
    if (!bench) {
      process.stderr.write(`bench: unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(', ')}\n`);
      process.exit(2);
    }
    const figures = await bench({ small, log: (line) => process.stdout.write(`${line}\n`) });
    process.stdout.write(`${JSON.stringify({ bench: name, size: small ? 'small' : 'full', ...figures })}\n`);
  }
}

void main();

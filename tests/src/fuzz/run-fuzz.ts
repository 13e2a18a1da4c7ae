/**
 * Fuzzes a parser from the command line, or replays one finding.
 *
 *   node tests/dist/fuzz/run-fuzz.js gguf --seconds 600 [--seed N] [--workers N] [--findings DIR]
 *   node tests/dist/fuzz/run-fuzz.js gguf --seed N --replay ITERATION
 *
 * Exits 1 when there are findings (saved under --findings, default ./fuzz-findings).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FUZZ_TARGETS } from './fuzz-targets.js';
import { fuzzInput } from './fuzz-input.js';
import { runFuzz } from './fuzz-runner.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string' },
    workers: { type: 'string', default: '1' },
    findings: { type: 'string', default: 'fuzz-findings' },
    replay: { type: 'string' },
  },
});
const [name] = positionals;
const target = name === undefined ? undefined : FUZZ_TARGETS.get(name);
if (!target) {
  console.error(`usage: run-fuzz.js <${[...FUZZ_TARGETS.keys()].join('|')}> [--seconds N] [--seed N] [--workers N] [--findings DIR] [--replay ITERATION]`);
  process.exit(2);
}
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);

if (values.replay !== undefined) {
  const iteration = Number(values.replay);
  const { input, rng } = fuzzInput(target, target.seeds(), seed, iteration);
  console.log(`replaying ${target.name} seed ${seed} iteration ${iteration}: ${input.length} bytes`);
  const began = performance.now();
  console.log(`outcome ${target.check(input, rng)} in ${(performance.now() - began).toFixed(1)} ms`);
} else {
  const report = await runFuzz({ target: target.name, seconds: Number(values.seconds), seed, workers: Number(values.workers), findingsDir: resolve(values.findings) });
  console.log(`${report.target}: seed ${seed}, ${report.executions} executions in ${report.seconds.toFixed(1)} s (${Math.round(report.executions / report.seconds)}/s), peak memory ${(report.peakHeapBytes / 2 ** 20).toFixed(1)} MiB`);
  for (const [outcome, count] of Object.entries(report.outcomes).sort((a, b) => b[1] - a[1])) console.log(`  ${outcome}: ${count}`);
  for (const f of report.findings) console.log(`FINDING ${f.reason} at iteration ${f.iteration}: ${f.message} (${f.file})`);
  process.exitCode = report.findings.length > 0 ? 1 : 0;
}

#!/usr/bin/env node
// CI's guard against a broken benchmark: runs every bench once at its small size and
// checks that its last line is one JSON object. Figures are not judged here.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('../tests/dist/bench/run.js', import.meta.url));
const list = spawnSync(process.execPath, [runner, '--list'], { encoding: 'utf8' });
const names = list.stdout.split('\n').filter(Boolean);
let failed = 0;
for (const name of names) {
  const run = spawnSync(process.execPath, [runner, name, '--small'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 });
  const last = run.stdout.trimEnd().split('\n').pop() ?? '';
  let ok = run.status === 0;
  try {
    ok = ok && typeof JSON.parse(last) === 'object';
  } catch {
    ok = false;
  }
  console.log(`bench ${name} (small): ${ok ? 'ok' : 'FAILED'} ${last}`);
  if (!ok) failed += 1;
}
if (names.length === 0) {
  console.log('check-benches: no benchmarks listed');
  failed += 1;
}
process.exit(failed === 0 ? 0 : 1);

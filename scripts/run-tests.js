#!/usr/bin/env node
// Runs every compiled test file (`*.test.js` under each workspace's dist/) with node's
// test runner. Arguments narrow the set: `node scripts/run-tests.js audit` runs the
// files whose path contains "audit".
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const roots = ['services', 'tests', 'ui', 'firstboot'].map((d) => join(root, d));

function* walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (name.endsWith('.test.js') && path.includes(`${'/dist/'}`)) yield path;
  }
}

const filters = process.argv.slice(2);
const files = roots.flatMap((d) => [...walk(d)]).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (files.length === 0) {
  console.error('run-tests: no test files found; run `npm run build` first');
  process.exit(1);
}
console.log(`run-tests: ${files.length} files`);
for (const f of files) console.log(`  ${relative(root, f)}`);
// A file is one test to the runner, so its timeout bounds the whole file: the corpus files
// run hundreds of real scans and get their own, longer bound; a hung test elsewhere still
// fails within five minutes.
const LONG = ['/corpus/models/'];
const long = files.filter((f) => LONG.some((x) => f.includes(x)));
const rest = files.filter((f) => !long.includes(f));
let status = 0;
for (const [group, timeout] of [[rest, 300_000], [long, 1_200_000]]) {
  if (group.length === 0) continue;
  const run = spawnSync(process.execPath, ['--test', '--test-reporter=spec', `--test-timeout=${timeout}`, ...group], { stdio: 'inherit', cwd: root });
  if (run.status !== 0) status = run.status ?? 1;
}
process.exit(status);

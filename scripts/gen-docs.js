#!/usr/bin/env node
// Writes docs/config.md from the services' zod config schemas. With `--check` it only
// compares, and fails (exit 1) when the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configReference } from '@keep/core';
import { auditConfigSchema } from '@keep/audit';

// One line per service with a config file.
const SCHEMAS = [
  { unit: 'keep-audit', service: 'audit', schema: auditConfigSchema },
];

const target = fileURLToPath(new URL('../docs/config.md', import.meta.url));
const text = configReference(SCHEMAS);
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // a missing file is stale too
  }
  if (current !== text) {
    console.error('docs/config.md is stale: run `npm run docs` and commit the result');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}

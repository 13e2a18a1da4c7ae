/**
 * Writes the hostile model corpus (and benign safetensors) into a directory at test
 * time: every file is generated, deterministically, so nothing hostile lives in git
 * and the same run gives the same bytes.
 *
 * @example
 *   const dir = mkdtempSync(join(tmpdir(), 'keep-corpus-'));
 *   for (const entry of writeHostileCorpus(dir)) assert.refused(entry.file, entry.expect);
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benignSafetensorsSeeds } from './benign-models.js';
import { bundleCases } from './bundle-cases.js';
import type { CorpusCase, CorpusEntry, HostileEntry } from './corpus-entry.js';
import { ggufHeaderCases } from './gguf-header-cases.js';
import { ggufTensorCases } from './gguf-tensor-cases.js';
import { payloadCases } from './payload-cases.js';
import { pickleCases } from './pickle-cases.js';
import { safetensorsCases } from './safetensors-cases.js';
import { templateCases } from './template-cases.js';

export type { CorpusEntry, HostileEntry } from './corpus-entry.js';

/** Every hostile case, in memory: the fuzzers and the corpus test share them. */
export function hostileCases(): CorpusCase[] {
  const cases = [...ggufHeaderCases(), ...ggufTensorCases(), ...safetensorsCases(), ...pickleCases(), ...payloadCases(), ...templateCases(), ...bundleCases()];
  const names = new Set<string>();
  for (const c of cases) {
    if (names.has(c.name)) throw new TypeError(`Two corpus cases are named ${c.name}`);
    names.add(c.name);
  }
  return cases;
}

export function writeHostileCorpus(dir: string): HostileEntry[] {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  return hostileCases().map(({ name, attack, expect, bytes }) => {
    const file = join(root, name);
    writeFileSync(file, bytes);
    return { file, attack, expect };
  });
}

export function writeBenignSafetensors(dir: string): CorpusEntry[] {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  return benignSafetensorsSeeds().map(({ name, description, bytes }) => {
    const file = join(root, name);
    writeFileSync(file, bytes);
    return { file, description };
  });
}

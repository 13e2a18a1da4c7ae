import { registryError } from './registry-codes.js';

/** A model as clients name it: its admin-chosen name, or `sha256:<hex>` (DESIGN.md, model identity). */
export type ModelRef = { readonly kind: 'name'; readonly name: string } | { readonly kind: 'sha256'; readonly sha256: string };

/**
 * Names are what people type and what URLs carry: letters, digits and `._:+-`,
 * starting with a letter or digit, at most 128 characters, and never `sha256:...`,
 * which would shadow the hash form.
 */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$/;
const HASH_REF = /^sha256:([0-9a-f]{64})$/;

export function isModelName(value: string): boolean {
  return NAME.test(value) && !/^sha256:/i.test(value);
}

/** Parses a path or CLI reference; anything else is `registry.invalid_ref`. */
export function parseModelRef(ref: string): ModelRef {
  if (/^sha256:/i.test(ref)) {
    const hex = HASH_REF.exec(ref)?.[1];
    if (hex === undefined) throw registryError('registry.invalid_ref', 400, `Model reference ${JSON.stringify(ref.slice(0, 80))} is not sha256: and 64 lowercase hex digits`);
    return { kind: 'sha256', sha256: hex };
  }
  if (!isModelName(ref)) throw registryError('registry.invalid_ref', 400, `Model reference ${JSON.stringify(ref.slice(0, 80))} is not a valid model name`);
  return { kind: 'name', name: ref };
}

/** The form `findModel` takes. */
export function formatModelRef(ref: ModelRef): string {
  return ref.kind === 'name' ? ref.name : `sha256:${ref.sha256}`;
}

import { z } from 'zod';
import { BundleError } from './bundle-error.js';
import { MANIFEST_NAME, isSafeEntryName } from './entry-name.js';

const entryName = z
  .string()
  .refine(isSafeEntryName, 'must be a plain file name')
  .refine((name) => name !== MANIFEST_NAME, `must not be ${MANIFEST_NAME}`);

/**
 * A bundle's `manifest.json`. Strict: an unknown key is refused, so a typo
 * (`"sha265"`) cannot silently drop a check.
 *
 * @example
 *   { "name": "Llama 3.2 3B Instruct Q4_K_M", "file": "model.gguf", "sha256": "9f86...", "signature": "model.gguf.sig" }
 */
export const bundleManifestSchema = z
  .strictObject({
    // Shown in the UI and written to the audit chain: ASCII, no control characters, no
    // leading or trailing space.
    name: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9](?:[A-Za-z0-9 ._+()-]*[A-Za-z0-9._+()-])?$/),
    file: entryName,
    sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    signature: entryName.optional(),
    // Free text on where the model came from; no control characters (C0, DEL, C1).
    source: z.string().min(1).max(1024).regex(/^[^\u0000-\u001f\u007f-\u009f]*$/).optional(),
  })
  .refine((m) => m.signature !== m.file, { path: ['signature'], message: 'must differ from file' });

export type BundleManifest = z.infer<typeof bundleManifestSchema>;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses manifest bytes: strict UTF-8 (no BOM), strict JSON (no duplicate keys), then
 * the schema. Throws `bundle.bad_manifest`; the detail names the field, never its value.
 */
export function parseManifest(bytes: Uint8Array): BundleManifest {
  let value: unknown;
  try {
    const text = utf8.decode(bytes);
    value = JSON.parse(text);
    if (hasDuplicateKey(text)) throw new BundleError('bundle.bad_manifest', `Invalid ${MANIFEST_NAME}: an object has a duplicate key`);
  } catch (error) {
    if (error instanceof BundleError) throw error;
    throw new BundleError('bundle.bad_manifest', `Invalid ${MANIFEST_NAME}: not strict UTF-8 JSON`, { cause: error });
  }
  const parsed = bundleManifestSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'the top level' : `field ${issue.path.map(String).join('.')}`;
  throw new BundleError('bundle.bad_manifest', `Invalid ${MANIFEST_NAME}: ${where} fails the schema (${issue?.code ?? 'unknown'})`);
}

// JSON.parse keeps the last of two equal keys, so a manifest could say one thing to us
// and another to a tool that keeps the first. Runs on text JSON.parse accepted, so a
// string is the only thing that needs care.
function hasDuplicateKey(text: string): boolean {
  const objects: (Set<string> | null)[] = []; // null for an array
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const keys = objects.at(-1);
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return true;
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === '{') {
      objects.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      objects.push(null);
    } else if (c === '}' || c === ']') {
      objects.pop();
    } else if (c === ',') {
      expectKey = objects.at(-1) !== null;
    }
  }
  return false;
}

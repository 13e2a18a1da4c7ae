import { KeepError } from '@keep/core/errors';
import { z } from 'zod';

/**
 * A detached signature file, `<model>.sig`:
 *
 *   {"alg": "ed25519", "sha256": "<hex of the model file>", "keyid": "<trusted key name>", "sig": "<base64>"}
 *
 * `sig` is Ed25519 over the 32 raw digest bytes (not the hex), so
 * `openssl pkeyutl -sign -rawin` over `sha256sum`'s binary output produces one.
 */
export interface DetachedSignature {
  readonly alg: string;
  readonly sha256: string;
  readonly keyid: string;
  /** The 64 signature bytes. */
  readonly sig: Uint8Array;
}

/** A signature file this parser will not read; always `signature.malformed`. */
export class SignatureFormatError extends KeepError {
  override readonly code = 'signature.malformed' as const;

  constructor(detail: string) {
    super('signature.malformed', detail, { status: 422 });
  }
}

/** Four short fields fit in a few hundred bytes; anything larger is not ours. */
export const MAX_SIGNATURE_BYTES = 4096;

/** Key ids are file stems in the trusted-keys directory. */
export const KEYID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const schema = z.object({
  alg: z.string().regex(/^[a-z0-9-]{1,32}$/, 'must be a short lowercase algorithm name'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  keyid: z.string().regex(KEYID, 'must be 1-64 characters of A-Z a-z 0-9 . _ -'),
  // Ed25519 signatures are 64 bytes: exactly 86 base64 characters and "==".
  sig: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'must be 64 bytes in padded base64'),
}).strict();

/**
 * Reads a detached signature strictly: at most 4 KiB of UTF-8, one JSON object of
 * exactly the four string fields, no duplicate keys (JSON.parse would keep the
 * last, another verifier the first).
 *
 * @throws SignatureFormatError on anything else
 */
export function parseDetachedSignature(bytes: Uint8Array): DetachedSignature {
  if (bytes.length > MAX_SIGNATURE_BYTES) throw new SignatureFormatError(`Cannot parse signature: it is ${bytes.length} bytes, limit is ${MAX_SIGNATURE_BYTES}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new SignatureFormatError('Cannot parse signature: it is not valid UTF-8');
  }
  const result = schema.safeParse(readFlatObject(text));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SignatureFormatError(`Cannot parse signature: field ${JSON.stringify(issue?.path.join('.') ?? '')} ${issue?.message ?? 'is invalid'}`);
  }
  const { alg, sha256, keyid, sig } = result.data;
  const raw = Buffer.from(sig, 'base64');
  // Base64 has spare bits in its last character: only the canonical spelling is accepted.
  if (raw.toString('base64') !== sig) throw new SignatureFormatError('Cannot parse signature: field "sig" is not canonical base64');
  return { alg, sha256, keyid, sig: new Uint8Array(raw) };
}

const SPACE = /[ \t\n\r]*/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** `{ "k": "v", ... }` with string values only, every key once; whitespace as RFC 8259. */
function readFlatObject(text: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  let pos = 0;
  const skip = (): void => { SPACE.lastIndex = pos; SPACE.exec(text); pos = SPACE.lastIndex; };
  const expect = (c: string): void => {
    skip();
    if (text[pos] !== c) throw new SignatureFormatError(`Cannot parse signature: expected ${c} at character ${pos}`);
    pos += 1;
  };
  const string = (): string => {
    skip();
    STRING.lastIndex = pos;
    const match = STRING.exec(text);
    if (match === null) throw new SignatureFormatError(`Cannot parse signature: expected a string at character ${pos}`);
    pos = STRING.lastIndex;
    return JSON.parse(match[0]) as string;
  };
  expect('{');
  skip();
  if (text[pos] === '}') pos += 1;
  else {
    for (;;) {
      const key = string();
      if (Object.hasOwn(out, key)) throw new SignatureFormatError(`Cannot parse signature: key ${JSON.stringify(key)} appears twice`);
      expect(':');
      out[key] = string();
      skip();
      if (text[pos] === ',') { pos += 1; continue; }
      expect('}');
      break;
    }
  }
  skip();
  if (pos !== text.length) throw new SignatureFormatError(`Cannot parse signature: unexpected text at character ${pos}`);
  return out;
}

/**
 * Finds a secret in text however it is written: as is (any case, any separators,
 * spelled out with spaces), reversed, ROT13, percent-encoded, or inside base64, hex
 * or decimal byte runs; and 8-character stretches of it (a partial leak). Pure.
 */

/** Each way the secret can appear, as the signal name it is reported under. */
export type SecretView = 'plain' | 'reversed' | 'rot13' | 'base64' | 'hex' | 'decimal' | 'partial';

/** Shorter stretches of a 16-character key occur by chance in long alphanumeric runs. */
const PARTIAL_LENGTH = 8;

/** Letters and digits only, lower case: separators, spacing and case do not hide a secret. */
export function alnumCore(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function findSecret(text: string, secret: string): SecretView[] {
  const core = alnumCore(secret);
  if (core.length < PARTIAL_LENGTH) throw new TypeError('Secret must have at least 8 letters and digits');
  const found = new Set<SecretView>();
  const plain = alnumCore(percentDecode(text));
  if (plain.includes(core)) found.add('plain');
  if (plain.includes(reverse(core))) found.add('reversed');
  if (plain.includes(rot13(core))) found.add('rot13');
  if (base64Runs(text).some((d) => alnumCore(d).includes(core))) found.add('base64');
  if (hexRuns(text).some((d) => alnumCore(d).includes(core))) found.add('hex');
  if (decimalRuns(text).some((d) => alnumCore(d).includes(core))) found.add('decimal');
  if (found.size === 0) {
    for (let i = 0; i + PARTIAL_LENGTH <= core.length; i++) {
      const piece = core.slice(i, i + PARTIAL_LENGTH);
      if (plain.includes(piece) || plain.includes(reverse(piece))) {
        found.add('partial');
        break;
      }
    }
  }
  return [...found];
}

function reverse(text: string): string {
  return [...text].reverse().join('');
}

function rot13(text: string): string {
  return text.replace(/[a-z]/g, (c) => String.fromCharCode(((c.charCodeAt(0) - 97 + 13) % 26) + 97));
}

/** `%4B%58` → `KX`; malformed escapes stay as they are. */
function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/**
 * Base64 and base64url runs, decoded from each of the four alignments: a run may
 * start mid-quantum, and the text without whitespace catches base64 wrapped over lines
 * (words glued in front of it only shift the alignment).
 */
function base64Runs(text: string): string[] {
  const out: string[] = [];
  for (const source of [text, text.replace(/\s+/g, '')]) {
    for (const [run] of source.matchAll(/[A-Za-z0-9+/_-]{12,}={0,2}/g)) {
      const clean = run.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
      for (let skip = 0; skip < 4; skip++) out.push(Buffer.from(clean.slice(skip), 'base64').toString('latin1'));
    }
  }
  return out;
}

/** Hex byte runs, with or without `0x`/`\x` prefixes and separators between bytes. */
function hexRuns(text: string): string[] {
  const out: string[] = [];
  for (const [run] of text.matchAll(/(?:(?:0x|\\x)?[0-9a-f]{2}[\s,:-]{0,2}){8,}/gi)) {
    const digits = run.replace(/0x|\\x/gi, '').replace(/[^0-9a-f]/gi, '');
    for (let skip = 0; skip < 2; skip++) out.push(Buffer.from(digits.slice(skip).slice(0, (digits.length - skip) & ~1), 'hex').toString('latin1'));
  }
  return out;
}

/** Decimal character codes: `75 88 55 81 …` or `75,88,55,81`. */
function decimalRuns(text: string): string[] {
  const out: string[] = [];
  for (const [run] of text.matchAll(/(?:\b\d{2,3}\b[\s,;]{1,3}){7,}\b\d{2,3}\b/g)) {
    const codes = run.split(/[\s,;]+/).map(Number).filter((n) => n > 0 && n < 256);
    out.push(String.fromCharCode(...codes));
  }
  return out;
}

/**
 * Reads every spelling of an IPv4 address the WHATWG URL parser and `inet_aton`
 * accept: one to four parts, each decimal, octal (leading 0) or hex (0x); the last
 * part fills the remaining bytes (`127.1`, `2130706433`, `0x7f.0.0.1`, `0177.1`).
 * Returns the address as a 32-bit number, or null when `text` is not an IPv4 spelling.
 * A part out of range is also null: the caller treats it as a malformed host.
 */
export function parseIpv4(text: string): number | null {
  if (text.length === 0 || text.length > 64) return null;
  const parts = text.split('.');
  // WHATWG: one trailing dot is ignored ("127.0.0.1.")
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 0 || parts.length > 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    const value = parsePart(part);
    if (value === null) return null;
    numbers.push(value);
  }
  const last = numbers.pop() as number;
  let address = 0;
  for (const [index, value] of numbers.entries()) {
    if (value > 255) return null;
    address += value * 256 ** (3 - index);
  }
  if (last >= 256 ** (4 - numbers.length)) return null;
  return address + last;
}

function parsePart(part: string): number | null {
  let digits = part;
  let radix = 10;
  if (/^0x/i.test(part)) {
    digits = part.slice(2);
    radix = 16;
    if (digits === '') return 0;
  } else if (part.length > 1 && part.startsWith('0')) {
    digits = part.slice(1);
    radix = 8;
  }
  const pattern = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!pattern.test(digits)) return null;
  const value = Number.parseInt(digits, radix);
  return Number.isSafeInteger(value) ? value : null;
}

/** Dotted-quad text of a 32-bit address. */
export function formatIpv4(address: number): string {
  return [address >>> 24, (address >>> 16) & 255, (address >>> 8) & 255, address & 255].join('.');
}

/** True when the last label looks numeric, so the host must be an IPv4 address or nothing (WHATWG "ends in a number"). */
export function endsInNumber(host: string): boolean {
  const labels = host.split('.');
  if (labels.length > 1 && labels[labels.length - 1] === '') labels.pop();
  const last = labels[labels.length - 1] ?? '';
  return /^[0-9]+$/.test(last) || /^0x[0-9a-f]*$/i.test(last);
}

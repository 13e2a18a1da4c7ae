/**
 * Finds `\xNN` and `\uNNNN` escapes inside the string literals of a template's
 * tags that stand for printable ASCII. Nothing legitimate hides a plain letter
 * or underscore behind an escape; `'\x5f\x5fclass\x5f\x5f'` is how a name gets
 * past a scanner that reads the source. Escapes for control or non-ASCII
 * characters are left alone. Returns the decoded characters found (deduplicated).
 *
 * A light re-lexer: it tracks `{{ }}`, `{% %}`, `{# #}` and quotes, enough to
 * tell literal text (where a backslash is just a character) from string literals.
 */
export function findEscapedAscii(source: string): string[] {
  const found = new Set<string>();
  let i = 0;
  while (i < source.length) {
    const open = source.slice(i, i + 2);
    if (open === '{#') {
      const end = source.indexOf('#}', i + 2);
      i = end < 0 ? source.length : end + 2;
    } else if (open === '{{' || open === '{%') {
      i = scanTag(source, i + 2, open === '{{' ? '}}' : '%}', found);
    } else {
      i++;
    }
  }
  return [...found];
}

function scanTag(source: string, start: number, close: string, found: Set<string>): number {
  let i = start;
  while (i < source.length) {
    const c = source[i];
    if (c === "'" || c === '"') {
      i = scanString(source, i + 1, c, found);
    } else if (source.startsWith(close, i)) {
      return i + 2;
    } else {
      i++;
    }
  }
  return i;
}

function scanString(source: string, start: number, quote: string, found: Set<string>): number {
  let i = start;
  while (i < source.length && source[i] !== quote) {
    if (source[i] !== '\\') { i++; continue; }
    const kind = source[i + 1];
    const length = kind === 'x' ? 2 : kind === 'u' ? 4 : 0;
    const hex = source.slice(i + 2, i + 2 + length);
    if (length > 0 && /^[0-9a-fA-F]+$/.test(hex) && hex.length === length) {
      const code = parseInt(hex, 16);
      if (code >= 0x20 && code <= 0x7e) found.add(String.fromCharCode(code));
      i += 2 + length;
    } else {
      i += 2;
    }
  }
  return i + 1;
}

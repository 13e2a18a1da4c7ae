/**
 * URLs in model output: with a scheme, protocol-relative, or a bare `host.tld/path`
 * (a model can leave the scheme off and a renderer or a user still follows it). Pure.
 */

export interface FoundUrl {
  /** Lower-case host name, without port. */
  host: string;
  /** Everything after the host, percent-escapes left as they are. */
  rest: string;
  text: string;
}

const URL_CHARS = String.raw`[^\s<>"'\x60)\]]`;
const HOST = String.raw`((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\]|localhost)`;
const WITH_SCHEME = new RegExp(String.raw`(?:\b[a-z][a-z0-9+.-]{1,15}:)?//${HOST}(?::\d{1,5})?(${URL_CHARS}*)`, 'gi');
const BARE = new RegExp(String.raw`(?<![\w@/.-])${HOST}(?::\d{1,5})?(/${URL_CHARS}*)`, 'gi');

export function findUrls(text: string): FoundUrl[] {
  const found: FoundUrl[] = [];
  const taken: Array<[number, number]> = [];
  for (const match of text.matchAll(WITH_SCHEME)) {
    found.push({ host: (match[1] ?? '').toLowerCase(), rest: match[2] ?? '', text: match[0] });
    taken.push([match.index, match.index + match[0].length]);
  }
  for (const match of text.matchAll(BARE)) {
    if (taken.some(([from, to]) => match.index >= from && match.index < to)) continue;
    found.push({ host: (match[1] ?? '').toLowerCase(), rest: match[2] ?? '', text: match[0] });
  }
  return found;
}

/** `host` is one of `allowed` or a subdomain of one. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  return allowed.some((name) => host === name || host.endsWith(`.${name}`));
}

/**
 * Query and fragment values that look like an encoded payload: long, only URL-safe
 * base64/hex/percent characters, letters and digits mixed, and high in entropy.
 * Word-like values (`q=quarterly+report`) and placeholders (`c=CODE`) are not.
 */
export function payloadValues(rest: string): string[] {
  const query = rest.replace(/^[^?#]*/, '');
  return query.split(/[?&#;=]/).filter((value) => value.length >= 24 && /^[A-Za-z0-9+/_%.~-]+={0,2}$/.test(value) && /[A-Za-z]/.test(value) && /\d/.test(value) && entropy(value) >= 3.5);
}

function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

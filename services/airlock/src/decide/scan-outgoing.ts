import { redact, redactString } from '@keep/core';
import type { AirlockCode } from '../airlock-codes.js';
import { findPersonalData } from './find-personal-data.js';

/** The outgoing parts the scan reads. */
export interface OutgoingParts {
  url: URL;
  headers: Readonly<Record<string, string>>;
  body: string | undefined;
}

export interface ScanFinding {
  code: AirlockCode;
  where: 'path' | 'query' | 'header' | 'body';
  /** What kind of thing was found (never the value itself). */
  kind: string;
}

/**
 * Looks for credentials and personal data leaving in the URL path, the query, the
 * headers or the body. The credential rules are core's redaction rules (vendor key
 * prefixes, PEM armour, JWTs, bearer values, `password=`-style labels, secret query
 * keys): the same shapes that are cut from audit rows are refused at the door.
 * Percent-encoding is undone first so `%73k-...` hides nothing.
 */
export function scanOutgoing(parts: OutgoingParts, look: { secrets: boolean; personalData: boolean } = { secrets: true, personalData: true }): ScanFinding | null {
  const path = parts.url.pathname;
  const query = parts.url.search;
  const unique = (...texts: string[]): string[] => [...new Set(texts.filter((text) => text.length > 0))];
  const checks: ReadonlyArray<readonly [ScanFinding['where'], AirlockCode, readonly string[]]> = [
    ['path', 'egress.secret_in_path', unique(path, decodeLoosely(path))],
    ['query', 'egress.secret_in_query', unique(query, decodeLoosely(query.replace(/\+/g, ' ')))],
    ['header', 'egress.secret_in_header', Object.entries(parts.headers).map(([name, value]) => `${name}: ${value}`)],
    ['body', 'egress.secret_in_body', parts.body === undefined ? [] : [parts.body]],
  ];
  // One pass over everything first (the common case finds nothing); only a hit is located.
  const all = checks.flatMap(([, , texts]) => texts).join('\n');
  if (look.secrets && (hasSecret(all) || (parts.body !== undefined && jsonHasSecret(parts.body)))) {
    for (const [where, code, texts] of checks) {
      for (const text of texts) {
        if (hasSecret(text)) return { code, where, kind: 'credential' };
      }
    }
  }
  if (look.personalData && findPersonalData(all) !== null) {
    for (const [where, , texts] of checks) {
      for (const text of texts) {
        const kind = findPersonalData(text);
        if (kind !== null) return { code: 'egress.personal_data', where, kind };
      }
    }
  }
  return null;
}

function hasSecret(text: string): boolean {
  return text.length > 0 && (redactString(text) !== text || jsonHasSecret(text));
}

/** A JSON body whose fields are named like secrets (`{"password": "..."}`): core's redaction by key. */
function jsonHasSecret(text: string): boolean {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  return JSON.stringify(redact(parsed)) !== JSON.stringify(parsed);
}

/** Percent-decoding that never throws: a bad escape stays as it is. */
function decodeLoosely(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

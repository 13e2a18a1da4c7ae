import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'keep_session';
/** Before sign-in: a random value the client echoes as its CSRF token (double submit). */
export const PRESESSION_COOKIE = 'keep_presession';

/** Cookie header → name/value pairs; malformed parts are skipped. */
export function readCookies(req: Request): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

/**
 * HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Path=/.
 * Secure only when the request came over TLS: keep-ui serves plain HTTP on loopback, and
 * a Secure cookie set over http://127.0.0.1 is one some browsers drop.
 */
export function setCookie(req: Request, res: Response, name: string, value: string, maxAgeSeconds: number): void {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
  if (req.secure) parts.push('Secure');
  res.append('Set-Cookie', parts.join('; '));
}

export function clearCookie(req: Request, res: Response, name: string): void {
  setCookie(req, res, name, '', 0);
}

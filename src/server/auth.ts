/**
 * The API token: when set, every `/api/*` request must carry `Authorization: Bearer <token>`.
 * The header (never a query string) keeps the token out of access logs and browser history; the
 * web UI sends it on every fetch, server-sent events included (it reads them through fetch too).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function requireToken(token: string): MiddlewareHandler {
  // Comparing digests keeps the comparison constant-time whatever the lengths.
  const expected = digest(token);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const given = header.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    if (!given || !timingSafeEqual(digest(given), expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="mailsleuth"');
      return c.json({ error: given ? 'invalid API token' : 'this server needs an API token: send "Authorization: Bearer <token>"' }, 401);
    }
    await next();
  };
}

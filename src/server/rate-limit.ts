/**
 * Per-client rate limit for the costly endpoints (each diagnosis sends hundreds of DNS queries and
 * opens connections on the client's behalf). A fixed window per client address: simple, and
 * enough to stop one client from turning the server into a scanner.
 */
import type { MiddlewareHandler } from 'hono';

export interface RateLimitOptions {
  max: number;
  windowMs: number;
  /** Who is asking: the peer address over a socket. */
  clientOf: (c: Parameters<MiddlewareHandler>[0]) => string;
  now?: () => number;
}

/** Windows are forgotten once over, so the table stays as small as the set of active clients. */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const now = options.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();

  function forgetOld(t: number): void {
    if (windows.size < 1000) return;
    for (const [key, w] of windows) if (t - w.start >= options.windowMs) windows.delete(key);
  }

  return async (c, next) => {
    const t = now();
    forgetOld(t);
    const key = options.clientOf(c);
    let w = windows.get(key);
    if (!w || t - w.start >= options.windowMs) {
      w = { start: t, count: 0 };
      windows.set(key, w);
    }
    w.count++;
    if (w.count > options.max) {
      const retryAfter = Math.max(1, Math.ceil((w.start + options.windowMs - t) / 1000));
      c.header('Retry-After', String(retryAfter));
      return c.json({ error: `rate limit: at most ${options.max} requests per ${Math.round(options.windowMs / 1000)} s from one client; retry in ${retryAfter} s` }, 429);
    }
    await next();
  };
}

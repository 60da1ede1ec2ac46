/**
 * HTTP to HTTPS: start at `http://name/` and follow plain-HTTP redirects (a site often goes
 * `http://example.com` → `http://www.example.com` → `https://www.example.com`) until one points at
 * an https:// URL, a non-redirect answer, or the hop limit. Each new host name is resolved through
 * the run's resolver; the https:// target itself is not fetched (the HTTPS probe covers the site).
 */
import { isIP } from 'node:net';
import type { Context } from '../types.ts';
import { fetchHead, header, type HttpFetchResult } from '../../net/http/index.ts';
import type { HttpProbe } from './host.ts';

/** Browsers allow about 20; a site that needs more than 5 to reach HTTPS has a problem of its own. */
export const MAX_REDIRECTS = 5;

export interface RedirectHop {
  url: string;
  address: string;
  status: number;
  location: string | null;
}

export async function followRedirects(ctx: Context, name: string, address: string): Promise<HttpProbe> {
  let url = new URL(`http://${name}/`);
  let target = address;
  const hops: RedirectHop[] = [];
  let first: HttpFetchResult | null = null;
  for (let i = 0; i <= MAX_REDIRECTS; i++) {
    const { result } = await fetchHead(ctx.dialer, { host: target, port: Number(url.port || 80) }, {
      host: url.hostname,
      path: `${url.pathname}${url.search}`,
      tls: false,
      timeoutMs: ctx.options.timeoutMs,
      now: ctx.now(),
    });
    first ??= result;
    if (!result.head) break;
    const location = header(result.head, 'location');
    hops.push({ url: url.href, address: target, status: result.head.status, location });
    if (result.head.status < 300 || result.head.status > 399 || !location) break;
    const next = parseLocation(location, url);
    if (!next) break;
    if (next.protocol === 'https:') return { ...first, redirects: hops, reachesHttps: true };
    if (next.protocol !== 'http:') break;
    if (next.hostname !== url.hostname) {
      const resolved = await addressOf(ctx, next.hostname);
      if (!resolved) break;
      target = resolved;
    }
    url = next;
  }
  return { ...first!, redirects: hops, reachesHttps: false };
}

function parseLocation(location: string, base: URL): URL | null {
  try {
    return new URL(location, base);
  } catch {
    return null;
  }
}

async function addressOf(ctx: Context, host: string): Promise<string | null> {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return bare;
  const a = await ctx.resolver.query(bare, 'A');
  if (a.records[0]) return a.records[0].data;
  const aaaa = await ctx.resolver.query(bare, 'AAAA');
  return aaaa.records[0]?.data ?? null;
}

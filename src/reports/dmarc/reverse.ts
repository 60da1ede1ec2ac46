/**
 * Reverse DNS of the sources, only when the caller gives a context (a resolver): reports are
 * offline evidence and reading them must not send a query unasked. The biggest sources are looked
 * up first and the number is capped, because a spoofing campaign can bring thousands of addresses.
 */
import type { Context } from '../../checks/types.ts';
import { lookupReverseDns } from '../../checks/ptr/reverse.ts';
import type { SourceReverseDns } from './types.ts';

const CONCURRENCY = 8;

export async function reverseDnsOf(ctx: Context, ips: string[], max: number): Promise<Map<string, SourceReverseDns>> {
  const out = new Map<string, SourceReverseDns>();
  const queue = ips.slice(0, max);
  const worker = async () => {
    for (let ip = queue.shift(); ip !== undefined; ip = queue.shift()) {
      const r = await lookupReverseDns(ctx, ip);
      out.set(ip, { name: r.name, ptr: r.ptr, fcrdns: r.fcrdns, status: r.status, dns: r.dns });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  return out;
}

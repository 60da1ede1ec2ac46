/**
 * DKIM-Signature fields (RFC 6376 3.5) — d, s, a, bh, h, i — and re-verification through mailauth
 * with the run's own resolver (never mailauth's default, which would query the system resolver).
 * The selectors are exported for DKIM discovery: a selector seen in a real signature beats any guess.
 */
import type { DkimSignature } from './types.ts';
import type { Resolver } from '../net/dns/types.ts';
import { mailauthResolver } from '../net/dns/mailauth.ts';

export function parseDkimSignature(value: string): DkimSignature {
  const tags: Record<string, string> = {};
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    tags[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).replace(/\s+/g, '');
  }
  return {
    d: tags.d?.toLowerCase() ?? null,
    s: tags.s ?? null,
    a: tags.a?.toLowerCase() ?? null,
    bh: tags.bh ?? null,
    h: tags.h ? tags.h.split(':').map((h) => h.trim().toLowerCase()).filter(Boolean) : [],
    i: tags.i ?? null,
    verification: null,
  };
}

/**
 * Re-verifies the signatures of a complete message. Returns one verdict per signature in the
 * order mailauth reports them, or a problem in words when verification could not run.
 */
export interface DkimVerdict { d: string | null; s: string | null; result: string; comment: string | null }

export async function verifyDkim(message: Uint8Array, resolver: Resolver): Promise<{ results: DkimVerdict[]; problem: string | null }> {
  try {
    // Loaded on demand: most analyses never verify, and mailauth is a large module to load.
    const { dkimVerify } = await import('mailauth');
    // Signatures are computed over the SMTP wire form: CRLF line endings (RFC 6376 3.4). Our input
    // was normalised to LF, so put the CRs back before hashing.
    const wire = Buffer.from(Buffer.from(message).toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
    const out = await dkimVerify(wire, { resolver: mailauthResolver(resolver) as never });
    return {
      results: out.results.map((r) => ({ d: r.signingDomain ?? null, s: r.selector ?? null, result: r.status?.result ?? 'none', comment: r.status?.comment ?? null })),
      problem: null,
    };
  } catch (err) {
    return { results: [], problem: `DKIM re-verification could not run (${(err as Error).message})` };
  }
}

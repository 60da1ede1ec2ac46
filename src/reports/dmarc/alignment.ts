/**
 * Identifier alignment (RFC 7489 §3.1): strict means the same name, relaxed the same
 * Organizational Domain. Used where a reporter left `policy_evaluated` out, and to tell "the
 * domain's own identity" (same organization as the From domain) from someone else's.
 */
import { organizationalDomain } from '../../checks/dmarc/organizational-domain.ts';
import type { DkimAuth, SpfAuth } from './types.ts';

/** Reports repeat a handful of names over thousands of records: the Public Suffix List walk is cached. */
const organizations = new Map<string, string>();
const MAX_CACHED = 10_000;

function organization(domain: string): string {
  const cached = organizations.get(domain);
  if (cached !== undefined) return cached;
  const name = domain.toLowerCase().replace(/\.$/, '');
  const org = organizationalDomain(name) ?? name;
  if (organizations.size >= MAX_CACHED) organizations.clear();
  organizations.set(domain, org);
  return org;
}

/** Both names belong to the same organization (relaxed alignment). */
export function sameOrganization(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  return organization(a) === organization(b);
}

export function aligned(identifier: string, headerFrom: string, mode: 'r' | 's'): boolean {
  return mode === 's' ? identifier.toLowerCase() === headerFrom.toLowerCase() : sameOrganization(identifier, headerFrom);
}

/** SPF in DMARC is the MAIL FROM identity only (RFC 7489 §4.2); a HELO result never aligns. */
export function isMailFrom(spf: SpfAuth): boolean {
  return spf.scope === null || spf.scope === 'mfrom';
}

export function alignedDkim(results: DkimAuth[], headerFrom: string, mode: 'r' | 's'): 'pass' | 'fail' {
  return results.some((d) => d.result === 'pass' && aligned(d.domain, headerFrom, mode)) ? 'pass' : 'fail';
}

export function alignedSpf(results: SpfAuth[], headerFrom: string, mode: 'r' | 's'): 'pass' | 'fail' {
  return results.some((s) => isMailFrom(s) && s.result === 'pass' && aligned(s.domain, headerFrom, mode)) ? 'pass' : 'fail';
}

/**
 * Domain names as the authentication checks take them, and the RFC 7489 §3.2 Organizational
 * Domain (Public Suffix List, through tldts). BIMI and the report-authorization check need the
 * same organizational domain, so they import it from here.
 */
import { domainToASCII } from 'node:url';
import { getDomain } from 'tldts';
import { InputError } from '../../errors.ts';

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** Lower-case A-label form without the trailing dot; InputError for something that is not a domain name. */
export function normalizeDomain(text: string): string {
  const trimmed = text.trim().replace(/\.$/, '');
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (!ascii || ascii.length > 253 || !ascii.includes('.') || !ascii.split('.').every((l) => LABEL.test(l))) {
    throw new InputError(`"${text}" is not a domain name`);
  }
  return ascii;
}

/**
 * The Organizational Domain by the Public Suffix List (RFC 7489 §3.2), or null when the name is
 * itself a public suffix. The private section of the list is used too: names under github.io or
 * blogspot.com belong to separate registrants, which is what the organizational domain stands for.
 */
export function organizationalDomain(domain: string): string | null {
  return getDomain(domain, { allowPrivateDomains: true }) ?? null;
}

/**
 * Findings for reverse DNS. How much a missing or generic PTR matters depends on the address's
 * role: for an address that sends the domain's mail it decides acceptance (Gmail and Microsoft
 * require a forward-confirmed PTR); for an MX host it matters only when the host also sends.
 */
import type { Finding, Severity } from '../types.ts';
import type { ReverseDns } from './reverse.ts';

export type AddressRole = 'mx' | 'sender';

export interface ReverseDnsContext {
  role: AddressRole;
  /** The host name the address belongs to (the MX name), for messages. */
  host?: string;
}

const SEVERITY: Record<'missing' | 'unconfirmed' | 'dynamic', Record<AddressRole, Severity>> = {
  missing: { sender: 'error', mx: 'warn' },
  unconfirmed: { sender: 'error', mx: 'warn' },
  dynamic: { sender: 'warn', mx: 'info' },
};

function dnsIds(r: ReverseDns): number[] {
  return [r.dns, ...r.forward.map((f) => f.dns)];
}

function who(r: ReverseDns, c: ReverseDnsContext): string {
  return c.host ? `${r.ip} (${c.host})` : r.ip;
}

function roleNote(c: ReverseDnsContext): string {
  return c.role === 'mx'
    ? 'This address receives mail for the domain; it matters when the same host also sends, because receivers check the PTR of the sending IP.'
    : 'Receivers such as Gmail and Microsoft reject or junk mail from an IP without a forward-confirmed PTR.';
}

/** Findings about one address's reverse DNS. */
export function reverseDnsFindings(r: ReverseDns, c: ReverseDnsContext): Finding[] {
  const data = { ip: r.ip, role: c.role, ...(c.host ? { host: c.host } : {}), ptr: r.ptr };
  const dns = dnsIds(r);
  switch (r.status) {
    case 'lookup-failed': {
      const failed = [r.outcome, ...r.forward.map((f) => f.outcome)].find((o) => ['servfail', 'refused', 'timeout', 'error'].includes(o)) ?? r.outcome;
      return [{ id: 'ptr.lookup-failed', severity: 'warn', title: `Reverse DNS of ${who(r, c)} could not be checked (${failed})`, detail: `A lookup failed${r.error ? ` (${r.error})` : ''}; whether the address has a forward-confirmed PTR is unknown.`, data, dns }];
    }
    case 'no-ptr':
      return [{ id: 'ptr.missing', severity: SEVERITY.missing[c.role], title: `${who(r, c)} has no reverse DNS (PTR)`, detail: `${r.reverseName} ${r.outcome === 'nxdomain' ? 'does not exist' : 'has no PTR record'}. ${roleNote(c)}`, data, dns, fix: { text: `Ask whoever owns ${r.ip} (the hosting provider or ISP; they run ${r.reverseName}) to set its PTR to the server's host name${c.host ? ` (${c.host})` : ''}, and make sure that name has an ${r.ip.includes(':') ? 'AAAA' : 'A'} record for ${r.ip}.` } }];
    case 'not-confirmed':
      return [{ id: 'ptr.not-confirmed', severity: SEVERITY.unconfirmed[c.role], title: `The PTR of ${who(r, c)} (${r.ptr.join(', ')}) does not lead back to it`, detail: `${r.forward.map((f) => `${f.name} → ${f.addresses.join(', ') || f.outcome}`).join('; ')}. Forward-confirmed reverse DNS needs the PTR name to resolve to the same address. ${roleNote(c)}`, data, dns, fix: { text: `Add an ${r.ip.includes(':') ? 'AAAA' : 'A'} record "${r.ptr[0]} → ${r.ip}", or have the PTR changed to a name that resolves to ${r.ip}.` } }];
    case 'ok':
      return confirmedFindings(r, c, data, dns);
  }
}

function confirmedFindings(r: ReverseDns, c: ReverseDnsContext, data: Record<string, unknown>, dns: number[]): Finding[] {
  const out: Finding[] = [];
  if (r.review && r.review.kind !== 'specific') {
    const dynamic = r.review.kind === 'dynamic';
    out.push({ id: dynamic ? 'ptr.dynamic' : 'ptr.generic', severity: dynamic ? SEVERITY.dynamic[c.role] : 'info', title: `The PTR of ${who(r, c)}, ${r.name}, looks ${dynamic ? 'like a dynamic/residential address' : 'generic'}`, detail: `${r.review.reasons.join('; ')}. Receivers and reputation lists treat such names as unmanaged hosts; a mail server should have a PTR naming it (e.g. mail.example.com).`, data: { ...data, name: r.name, reasons: r.review.reasons }, dns, fix: { text: `Have the owner of ${r.ip} set its PTR to the mail server's own host name, with a matching A/AAAA record.` } });
  }
  if (r.ptr.length > 1) {
    out.push({ id: 'ptr.multiple', severity: 'info', title: `${who(r, c)} has ${r.ptr.length} PTR records`, detail: `${r.ptr.join(', ')}. Many receivers look at only one of them, picked at random; publish a single PTR.`, data, dns });
  }
  return out;
}

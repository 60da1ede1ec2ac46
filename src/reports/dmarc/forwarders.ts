/**
 * Known forwarders and mailing lists: relays whose mail in a domain's name legitimately fails
 * SPF (the relay is not in the domain's SPF) and often DKIM (lists alter the message). They are
 * recognised by the identities they leave in a report: the DKIM `d=` they re-sign with, the SPF
 * domain of their rewritten (SRS) envelope, or the reverse DNS name of the relaying host.
 * The forwarding services come from the provider catalog (`data/providers.json`, role
 * `forwarding`); mailing-list hosts are listed here because no catalog covers them.
 */
import { catalog } from '../../checks/providers/catalog.ts';

export interface KnownForwarder {
  name: string;
  /** Domains (and everything below them) the relay authenticates or is named as. */
  domains: string[];
}

/** Mailing-list hosts that re-sign list mail with their own DKIM domain. */
const MAILING_LISTS: KnownForwarder[] = [
  // Google Groups re-signs list traffic with d=googlegroups.com and rewrites the envelope to it.
  { name: 'Google Groups (mailing list)', domains: ['googlegroups.com'] },
  // Groups.io signs list mail with d=groups.io.
  { name: 'Groups.io (mailing list)', domains: ['groups.io'] },
];

/** An SPF include such as `_spf.mx.cloudflare.net` names the service by what follows its first label. */
function serviceDomain(include: string): string {
  return include.replace(/^_?spf\d*\./, '');
}

let known: KnownForwarder[] | null = null;

export function knownForwarders(): KnownForwarder[] {
  known ??= [
    ...MAILING_LISTS,
    ...catalog().mail.filter((p) => p.role === 'forwarding').map((p) => ({
      name: p.name,
      domains: [...new Set([...p.mx.suffixes, ...p.spf.suffixes.map(serviceDomain)])],
    })),
  ];
  return known;
}

/** The known forwarder a name belongs to (equal to one of its domains or below it), or null. */
export function forwarderOf(name: string | null | undefined): KnownForwarder | null {
  if (!name) return null;
  const n = name.toLowerCase().replace(/\.$/, '');
  return knownForwarders().find((f) => f.domains.some((d) => n === d || n.endsWith(`.${d}`))) ?? null;
}

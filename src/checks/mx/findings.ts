/**
 * What the MX routing data means for mail to and from the domain, as findings. Pure: takes the
 * MX RRset and the resolved hosts.
 */
import type { Finding } from '../types.ts';
import type { MxRecordSet } from './records.ts';
import { addressLookupFailed, type MxHost } from './exchange.ts';

const RFC7505_FIX_TEXT = 'If the domain should not receive mail at all, publish a null MX instead (RFC 7505)';

function hostDns(host: MxHost): number[] {
  return [host.a?.dns, host.aaaa?.dns].filter((n): n is number => n !== undefined);
}

function addressList(host: MxHost): string {
  return host.addresses.map((a) => a.ip).join(', ') || 'no address';
}

/** A host a sender can actually deliver to: resolved, not an alias problem, with at least one public address. */
function deliverable(host: MxHost): boolean {
  return host.status === 'ok' && host.addresses.some((a) => !a.special);
}

function recordFindings(set: MxRecordSet): Finding[] {
  const dns = [set.dns];
  const d = set.domain;
  switch (set.kind) {
    case 'failed':
      return [{ id: 'mx.lookup-failed', severity: 'warn', title: `The MX lookup for ${d} failed (${set.outcome})`, detail: `The resolver gave ${set.rcode ?? set.outcome}${set.error ? `: ${set.error}` : ''}. Where mail for ${d} goes is unknown; this is not the same as having no MX. Senders whose resolvers fail the same way will queue mail and retry.`, data: { outcome: set.outcome, rcode: set.rcode }, dns }];
    case 'domain-not-found':
      return [{ id: 'mx.domain-not-found', severity: 'critical', title: `${d} does not exist in DNS (NXDOMAIN)`, detail: `Mail to ${d} bounces, and receivers refuse mail from it ("sender domain not found"). Check the spelling, the registration and the delegation of the domain.`, dns }];
    case 'null':
      return [{ id: 'mx.null', severity: 'info', title: `${d} publishes a null MX: it accepts no mail`, detail: `The only MX record is "${set.nullPreference ?? 0} ." (RFC 7505). Mail to ${d} is refused at once, and receivers may refuse mail from ${d} too (RFC 7505 §4.2, 550 5.7.27). If ${d} sends or receives mail, replace the null MX with the real mail hosts.${set.nullPreference ? ` The null MX should have preference 0, not ${set.nullPreference}.` : ''}`, data: { preference: set.nullPreference }, dns }];
    case 'implicit':
    case 'mx':
      break;
  }
  const out: Finding[] = [];
  if (set.kind === 'mx' && set.nullMx) {
    out.push({ id: 'mx.null-mixed', severity: 'error', title: `${d} mixes a null MX with other MX records`, detail: `RFC 7505 §3: a domain with a null MX ("0 .") must publish no other MX record. Senders disagree on what this means: some bounce, some skip the null entry. Remove the "." record if ${d} receives mail, or the others if it does not.`, dns, fix: { text: `Remove the null MX record ("0 .") from ${d}, keeping the real mail hosts.` } });
  }
  if (set.dropped) {
    out.push({ id: 'mx.too-many', severity: 'info', title: `${d} has ${set.targets.length + set.dropped} MX hosts; only the first ${set.targets.length} were checked`, detail: 'Senders try hosts in preference order and rarely go far down a long list.', dns });
  }
  return out;
}

function implicitFindings(set: MxRecordSet, host: MxHost): Finding[] {
  const d = set.domain;
  const dns = [set.dns, ...hostDns(host)];
  if (host.status === 'ok') {
    return [{ id: 'mx.none-implicit', severity: 'warn', title: `${d} has no MX record; mail goes to its own address (${addressList(host)})`, detail: `Without MX records senders deliver to the domain's A/AAAA records (RFC 5321 §5.1), usually the web server, which rarely runs a mail server. Publish MX records for the real mail host. ${RFC7505_FIX_TEXT}.`, data: { addresses: host.addresses.map((a) => a.ip) }, dns, fix: { text: `Publish an MX record for ${d} pointing at the mail host (e.g. "${d}. MX 10 mail.${d}."), or a null MX ("${d}. MX 0 .") if it takes no mail.` } }];
  }
  if (host.status === 'no-address') {
    return [{ id: 'mx.no-mx-no-address', severity: 'error', title: `${d} has no MX record and no address: it cannot receive mail`, detail: `There is no MX and no A/AAAA record, so mail to ${d} bounces, and many receivers refuse mail from a domain that cannot take replies (e.g. Postfix reject_unknown_sender_domain). ${RFC7505_FIX_TEXT}.`, dns, fix: { text: `Publish MX records for ${d} pointing at its mail host, or a null MX ("${d}. MX 0 .") if it neither sends nor receives mail.` } }];
  }
  return [];
}

function hostFindings(set: MxRecordSet, host: MxHost, anyDeliverable: boolean): Finding[] {
  const out: Finding[] = [];
  const dns = [set.dns, ...hostDns(host)];
  const name = host.exchange;
  const data = { exchange: name, preference: host.preference };
  if (host.status === 'ip-literal') {
    out.push({ id: 'mx.ip-literal', severity: 'error', title: `MX ${name} is an IP address, not a host name`, detail: `An MX record must name a host (RFC 5321 §5.1); senders look "${name}" up as a name and find nothing. Give the server a name with an A record and point the MX at that name.`, data, dns, fix: { text: `Create an A record (e.g. "mail.${set.domain}. A ${name.replace(/^\[|\]$/g, '')}") and point the MX at mail.${set.domain}.` } });
  }
  if (host.cnames.length && !host.implicit) {
    const canonical = host.cnames[host.cnames.length - 1]!;
    out.push({ id: 'mx.cname', severity: 'warn', title: `MX ${name} is an alias (CNAME) for ${canonical}`, detail: `RFC 2181 §10.3 forbids an MX that points at an alias. Most senders follow it anyway, some refuse, and it breaks DANE and MTA-STS name matching.`, data: { ...data, cnames: host.cnames }, dns, fix: { text: `Point the MX record at ${canonical} directly.` } });
  }
  if (host.status === 'no-address' && !host.implicit) {
    const how = [host.a?.outcome, host.aaaa?.outcome].includes('nxdomain') ? 'does not exist (NXDOMAIN)' : 'has no A or AAAA record (NODATA)';
    out.push({ id: 'mx.host-no-address', severity: anyDeliverable ? 'warn' : 'error', title: `MX ${name} ${how}`, detail: anyDeliverable ? `Senders skip this host and use the others; mail still arrives, with delays when they try it first.` : `No MX host of ${set.domain} has an address: mail to it cannot be delivered.`, data, dns, fix: { text: `Publish an A (and AAAA) record for ${name}, or remove the MX record that names it.` } });
  }
  if (addressLookupFailed(host)) {
    const failed = [host.a && `A: ${host.a.outcome}`, host.aaaa && `AAAA: ${host.aaaa.outcome}`].filter(Boolean).join(', ');
    out.push({ id: 'mx.host-lookup-failed', severity: 'warn', title: `The address lookup for MX ${name} failed (${failed})`, detail: `Whether ${name} can be reached is unknown; this is not the same as having no address.`, data, dns });
  }
  const special = host.addresses.filter((a) => a.special);
  if (special.length) {
    out.push({ id: 'mx.private-address', severity: anyDeliverable ? 'warn' : 'error', title: `MX ${name} resolves to ${special.map((a) => `${a.ip} (${a.special!.what})`).join(', ')}`, detail: `Senders on the internet cannot reach ${special.length > 1 ? 'these addresses' : 'this address'}; ${anyDeliverable ? 'they fall back to other hosts after a failed attempt' : 'mail to the domain cannot be delivered'}. An internal address in public DNS is usually a split-horizon mistake.`, data: { ...data, addresses: special.map((a) => ({ ip: a.ip, range: a.special!.range })) }, dns, fix: { text: `Publish the public address of ${name} in the public zone.` } });
  }
  return out;
}

function equalPreference(set: MxRecordSet): Finding[] {
  const byPreference = new Map<number, string[]>();
  for (const t of set.targets) byPreference.set(t.preference, [...(byPreference.get(t.preference) ?? []), t.exchange]);
  const shared = [...byPreference].filter(([, hosts]) => hosts.length > 1);
  if (!shared.length) return [];
  return [{ id: 'mx.equal-preference', severity: 'info', title: `MX hosts share a preference: ${shared.map(([p, hosts]) => `${hosts.join(', ')} (${p})`).join('; ')}`, detail: 'Senders spread mail between hosts of equal preference at random (RFC 5321 §5.1): fine for load balancing, but each must accept the same mail.', data: { preferences: Object.fromEntries(shared) }, dns: [set.dns] }];
}

function okFinding(set: MxRecordSet, hosts: MxHost[]): Finding {
  const list = hosts.filter(deliverable).map((h) => `${h.exchange}${h.implicit ? '' : ` (${h.preference})`} → ${addressList(h)}`);
  return { id: 'mx.ok', severity: 'ok', title: `Mail for ${set.domain} goes to ${list.length === 1 ? 'one host' : `${list.length} hosts`}`, detail: list.join('; '), data: { hosts: hosts.filter(deliverable).map((h) => h.exchange) }, dns: [set.dns, ...hosts.flatMap(hostDns)] };
}

/** Findings for the MX RRset and its hosts. */
export function mxFindings(set: MxRecordSet, hosts: MxHost[]): Finding[] {
  const out = recordFindings(set);
  if (set.kind !== 'mx' && set.kind !== 'implicit') return out;
  const anyDeliverable = hosts.some(deliverable);
  if (set.kind === 'implicit' && hosts[0]) out.push(...implicitFindings(set, hosts[0]));
  for (const host of hosts) out.push(...hostFindings(set, host, anyDeliverable));
  if (set.kind === 'mx') out.push(...equalPreference(set));
  if (anyDeliverable && set.kind === 'mx') out.push(okFinding(set, hosts));
  return out;
}

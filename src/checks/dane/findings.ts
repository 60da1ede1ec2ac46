/** Findings for DANE TLSA records of a domain's MX hosts (RFC 7672, RFC 7671). Pure. */
import type { Finding } from '../types.ts';
import type { TlsaProblemCode } from './tlsa.ts';
import type { DaneHost } from './index.ts';

const PROBLEM_IDS: Record<TlsaProblemCode, string> = {
  'pkix-usage': 'dane.pkix-usage',
  'unknown-usage': 'dane.unknown-usage',
  'unknown-selector': 'dane.unknown-selector',
  'unknown-matching-type': 'dane.unknown-matching-type',
  'bad-digest-length': 'dane.bad-digest-length',
  'bad-full-data': 'dane.bad-full-data',
  'empty-data': 'dane.empty-data',
};

const TLSA_FIX = 'Publish "3 1 1 <SHA-256 of the server\'s public key>" (DANE-EE, SPKI, SHA2-256), plus a second record for the next key before any rollover (RFC 7671 §8).';

function recordFindings(host: DaneHost): Finding[] {
  const out: Finding[] = [];
  const anyUsable = host.records.some((r) => r.usable);
  for (const record of host.records) {
    for (const problem of record.problems) {
      out.push({
        id: PROBLEM_IDS[problem.code],
        severity: anyUsable ? 'warn' : 'error',
        title: `TLSA ${record.text.slice(0, 40)}${record.text.length > 40 ? '…' : ''} at ${host.tlsaName}: ${problem.message.split(';')[0]}`,
        detail: `${problem.message}. Senders skip this record${anyUsable ? '; another record for the host is usable.' : `, and with no usable record left they insist on TLS to ${host.exchange} but cannot authenticate it (RFC 7672 §2.2).`}`,
        data: { exchange: host.exchange, record: record.text, problem: problem.code },
        dns: [host.dns],
        fix: { text: TLSA_FIX },
      });
    }
  }
  return out;
}

function hostFindings(host: DaneHost): Finding[] {
  const data = { exchange: host.exchange, tlsaName: host.tlsaName };
  switch (host.state) {
    case 'lookup-failed':
      return [{ id: 'dane.lookup-failed', severity: 'warn', title: `The TLSA lookup for ${host.exchange} failed (${host.outcome})`, detail: `${host.tlsaName} could not be resolved. ${host.addressesSecure ? `${host.exchange} is in a DNSSEC-signed zone, where DANE senders treat a failed TLSA lookup as a temporary error and hold mail for it (RFC 7672 §2.2).` : 'Whether DANE applies is unknown.'}`, data, dns: [host.dns] }];
    case 'ignored-insecure': {
      const why = !host.ad ? 'the TLSA answer was not DNSSEC-validated' : `the address records of ${host.exchange} are not DNSSEC-validated (RFC 7672 §2.2.2)`;
      return [{ id: 'dane.not-validated', severity: 'warn', title: `TLSA records for ${host.exchange} are ignored by senders: ${why}`, detail: `DANE only works on DNSSEC-validated data. ${host.records.length} record(s) at ${host.tlsaName} have no effect; senders fall back to opportunistic TLS. Sign the zone${host.ad ? ` that holds ${host.exchange}` : ''} (and publish its DS at the registrar), or remove the TLSA records.`, data, dns: [host.dns] }];
    }
    case 'active':
    case 'unusable':
      return recordFindings(host);
    case 'none':
      return [];
  }
}

export function daneFindings(domain: string, hosts: DaneHost[]): Finding[] {
  const out = hosts.flatMap(hostFindings);
  const active = hosts.filter((h) => h.state === 'active');
  const none = hosts.filter((h) => h.state === 'none');
  if (active.length) {
    out.push({ id: 'dane.ok', severity: 'ok', title: `DANE is in effect for ${active.map((h) => h.exchange).join(', ')}`, detail: active.map((h) => `${h.tlsaName}: ${h.records.filter((r) => r.usable).map((r) => r.label).join(', ')}`).join('; ') + '. DANE senders require TLS with a certificate matching these records; the SMTP probe checks the match.', data: { hosts: active.map((h) => h.exchange) }, dns: active.map((h) => h.dns) });
    if (none.length) {
      out.push({ id: 'dane.partial', severity: 'info', title: `DANE covers only some MX hosts: not ${none.map((h) => h.exchange).join(', ')}`, detail: 'Senders use DANE per host (RFC 7672 §2.2): mail through the hosts without TLSA gets only opportunistic TLS.', data: { without: none.map((h) => h.exchange) }, dns: none.map((h) => h.dns) });
    }
  } else if (none.length === hosts.length) {
    out.push({ id: 'dane.none', severity: 'info', title: `No DANE TLSA records for the MX hosts of ${domain}`, detail: `None of ${hosts.map((h) => h.tlsaName).join(', ')} exists. DANE is optional; it lets senders require TLS with an authenticated certificate, and needs DNSSEC.`, dns: hosts.map((h) => h.dns) });
  }
  return out;
}

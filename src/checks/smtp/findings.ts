/**
 * What the SMTP probes mean, as findings. Pure: takes the probed hosts.
 *
 * Severities follow how senders behave (CORRECTNESS.md item 6): SMTP TLS is opportunistic (RFC 3207,
 * RFC 7435), so a sender encrypts with whatever certificate it gets and delivers anyway. A broken
 * certificate is therefore information — until the domain publishes MTA-STS in enforce mode
 * (RFC 8461 §4.2: the certificate must chain to a trusted root, match the MX name and be in date) or
 * DNSSEC-validated TLSA records (RFC 7672: the chain must match a TLSA record). Then it is an error,
 * because those senders refuse to deliver.
 */
import type { Finding, Severity } from '../types.ts';
import type { SmtpAddressResult, SmtpHostResult } from './host.ts';
import { certificateFindings, type TlsPolicy } from './certificate.ts';

/** A greeting slower than this is worth a note: impatient tools and senders give up around here. */
export const SLOW_GREETING_MS = 5000;

export function smtpFindings(hosts: readonly SmtpHostResult[]): Finding[] {
  const probes = hosts.flatMap((host) => host.probes.map((probe) => ({ host, probe })));
  const blocked = probes.length > 0 && probes.every(({ probe }) => probe.failure?.step === 'connect' && (probe.failure.kind === 'timeout' || probe.failure.kind === 'unreachable'));
  const findings: Finding[] = [];
  if (blocked) findings.push(port25Blocked(probes.map((p) => p.probe), hosts));
  for (const host of hosts) {
    findings.push(...daneLookupFindings(host));
    if (host.mtaSts && !host.mtaSts.covered && host.mtaSts.mode !== 'none') findings.push(mtaStsNotListed(host));
    for (const probe of host.probes) {
      if (blocked) continue;
      findings.push(...probeFindings(host, probe));
    }
    if (!host.probes.length) findings.push(noAddressToProbe(host));
  }
  return findings;
}

function where(host: SmtpHostResult, probe: SmtpAddressResult): string {
  return `${host.name} (${probe.address})`;
}

function probeDns(host: SmtpHostResult, probe: SmtpAddressResult): number[] {
  return [host.dane.dns, ...(probe.ptr ? [probe.ptr.dns] : [])];
}

function probeFindings(host: SmtpHostResult, probe: SmtpAddressResult): Finding[] {
  const policy = tlsPolicy(host);
  const out: Finding[] = [];
  const base = { data: { host: host.name, address: probe.address, outcome: probe.outcome, failure: probe.failure }, dns: probeDns(host, probe) };
  if (probe.outcome === 'could-not-test') return [{ ...couldNotTest(host, probe), ...base }];
  if (probe.outcome === 'no-starttls') out.push({ ...noStarttls(host, probe, policy), ...base });
  if (probe.outcome === 'tls-failed') out.push({ ...tlsFailed(host, probe, policy), ...base });
  if (probe.tls) out.push(...certificateFindings(host, probe, probe.tls, policy).map((f) => ({ ...f, dns: base.dns })));
  if (probe.dane) out.push(daneMatchFinding(host, probe));
  if (probe.injectedBeforeTls > 0) {
    out.push({ id: 'smtp.starttls-injection', severity: 'warn', title: `${where(host, probe)} sent data between STARTTLS and the handshake`, detail: `The server sent ${probe.injectedBeforeTls} byte(s) after its 220 to STARTTLS and before TLS began. Anything sent there could be injected by an attacker (CVE-2011-0411 class); the server's STARTTLS implementation should discard its buffer.`, ...base });
  }
  out.push(...sessionNotes(host, probe));
  if (probe.outcome === 'ok' && !out.some((f) => f.severity === 'warn' || f.severity === 'error' || f.severity === 'critical')) out.push(okFinding(host, probe));
  return out;
}

function tlsPolicy(host: SmtpHostResult): TlsPolicy {
  return {
    mtaStsEnforce: host.mtaSts?.mode === 'enforce' && host.mtaSts.covered,
    daneApplies: host.dane.state === 'applies',
  };
}

function couldNotTest(host: SmtpHostResult, probe: SmtpAddressResult): Omit<Finding, 'data' | 'dns'> {
  const f = probe.failure;
  const title = `Could not test ${where(host, probe)}`;
  const refusedByUs = f?.kind === 'refused-by-map' || f?.kind === 'refused-by-guard';
  if (refusedByUs) return { id: 'smtp.could-not-test', severity: 'info', title: `${title}: mailsleuth did not connect`, detail: `${f!.message}. Nothing was learned about the server.` };
  if (f?.step === 'connect' && f.kind === 'connection-refused') {
    return { id: 'smtp.could-not-test', severity: 'warn', title: `${title}: connection refused on port ${probe.port}`, detail: `Something actively refused the connection. Either no mail server listens at ${probe.address} (then senders cannot deliver to this MX either), or a firewall between you and it rejects port ${probe.port}. Outbound port 25 is blocked on many cloud hosts and home ISPs; run the probe from a network that allows it to tell the two apart.` };
  }
  if (f?.step === 'connect') {
    return { id: 'smtp.could-not-test', severity: 'info', title: `${title}: no answer on port ${probe.port}`, detail: `${f.message}. Outbound port 25 is blocked on many networks (AWS, Azure, Google Cloud, most home ISPs); a silent drop looks exactly like this. It says nothing about the server itself.` };
  }
  if (f?.step === 'greeting' && f.kind === 'timeout') {
    return { id: 'smtp.could-not-test', severity: 'info', title: `${title}: connected, but the server never greeted`, detail: `The connection opened, then nothing: ${f.message}. Tarpits and anti-spam filters hold suspicious clients like this; real senders wait up to 5 minutes (RFC 5321 §4.5.3.2.1). Try again later or from another network.` };
  }
  if (f?.kind === 'rejected') {
    return { id: 'smtp.could-not-test', severity: 'info', title: `${title}: the server refused the session`, detail: `At the ${f.step} step it answered "${f.reply ?? f.message}". A refusal of the whole session usually concerns the client — your own address may be on a blocklist or outside the server's allowed networks — rather than a broken server.` };
  }
  const severity: Severity = f?.kind === 'protocol' ? 'warn' : 'info';
  return { id: 'smtp.could-not-test', severity, title: `${title}: the SMTP dialog broke at the ${f?.step ?? 'start'}`, detail: `${f?.message ?? 'no reason given'}.${f?.kind === 'protocol' ? ' The server does not speak valid SMTP; senders will fail the same way.' : ''}` };
}

function noStarttls(host: SmtpHostResult, probe: SmtpAddressResult, policy: TlsPolicy): Omit<Finding, 'data' | 'dns'> {
  const strict = policy.daneApplies || policy.mtaStsEnforce;
  const why = probe.heloOnly ? 'It refused EHLO and only speaks plain SMTP (HELO), so it has no extensions at all.' : 'Its EHLO reply does not list STARTTLS.';
  return {
    id: 'smtp.no-starttls',
    severity: strict ? 'error' : 'warn',
    title: `${where(host, probe)} offers no STARTTLS`,
    detail: `${why} Mail to this host travels unencrypted, and Gmail and Outlook.com mark it as not encrypted.${strict ? ` Because ${policy.daneApplies ? 'DANE TLSA records' : 'an MTA-STS policy in enforce mode'} require TLS for this host, senders that honour it will not deliver here at all.` : ''}`,
    fix: { text: `Enable STARTTLS on ${host.name} with a certificate for that name (e.g. from Let's Encrypt).` },
  };
}

function tlsFailed(host: SmtpHostResult, probe: SmtpAddressResult, policy: TlsPolicy): Omit<Finding, 'data' | 'dns'> {
  const f = probe.failure;
  const how = f?.step === 'starttls' ? `announces STARTTLS but answered "${f.reply ?? f.message}"` : f?.step === 'ehlo-after-tls' ? `completed the TLS handshake, then failed EHLO over TLS (${f.reply ?? f.message})` : `accepted STARTTLS, then the TLS handshake failed (${f?.message ?? 'unknown'})`;
  return {
    id: 'smtp.tls-failed',
    severity: 'error',
    title: `${where(host, probe)}: STARTTLS fails`,
    detail: `The server ${how}. Senders that try TLS when it is offered get an error: some retry without TLS, many defer the mail and retry later, so messages are delayed or bounce.${policy.daneApplies || policy.mtaStsEnforce ? ' With DANE or MTA-STS enforce in place, no compliant sender will deliver here.' : ''}`,
    fix: { text: `Repair TLS on ${host.name}: a valid key and certificate pair, a protocol (TLS 1.2 or 1.3) and ciphers senders share; or stop announcing STARTTLS until it works.` },
  };
}

function daneMatchFinding(host: SmtpHostResult, probe: SmtpAddressResult): Finding {
  const m = probe.dane!;
  const dns = probeDns(host, probe);
  if (m.matched) {
    return { id: 'smtp.dane-match', severity: 'ok', title: `${where(host, probe)} matches its DANE TLSA record`, detail: `${m.reason} (record ${m.record}). DANE senders authenticate this server.`, data: { host: host.name, address: probe.address, record: m.record }, dns };
  }
  const leaf = probe.tls?.chain[0];
  return {
    id: 'smtp.dane-mismatch',
    severity: 'error',
    title: `${where(host, probe)} does not match its DANE TLSA records`,
    detail: `The TLSA records at ${host.dane.name} are DNSSEC-validated, so DANE senders (Postfix, Exim, many European providers) require the certificate to match one of them, and it does not: ${m.reason}. Those senders will defer and then bounce mail to this host.`,
    data: { host: host.name, address: probe.address, records: host.dane.records.map((r) => r.text), spkiSha256: leaf?.spkiSha256 ?? null },
    dns,
    fix: {
      text: leaf ? `Publish a TLSA record for the certificate the server presents now (keep the old one until every server uses the new key), or put back the key the records describe.` : 'Make the TLSA records match the server certificate.',
      ...(leaf ? { dns: [{ name: host.dane.name, type: 'TLSA', value: `3 1 1 ${leaf.spkiSha256}` }] } : {}),
    },
  };
}

function daneLookupFindings(host: SmtpHostResult): Finding[] {
  const d = host.dane;
  const data = { host: host.name, name: d.name, records: d.records.map((r) => r.text) };
  switch (d.state) {
    case 'ignored':
      return [{ id: 'smtp.dane-ignored', severity: 'info', title: `${host.name} has TLSA records, but DANE senders ignore them`, detail: `${d.name} has ${d.records.length} TLSA record(s), but the answer was not DNSSEC-validated (no AD flag from the resolver). Senders use TLSA only from a signed zone (RFC 7672 §2.2), so DANE does not apply here.${' '}If the zone is signed, query through a validating resolver to check the records.`, data, dns: [d.dns] }];
    case 'unusable':
      return [{ id: 'smtp.dane-unusable', severity: 'warn', title: `${host.name}'s TLSA records are all unusable for SMTP`, detail: `Every record at ${d.name} is one senders must ignore: ${d.records.flatMap((r) => r.problems).join('; ')}. RFC 7672 §2.2: with only unusable records, a DANE sender still requires TLS but authenticates nothing.`, data, dns: [d.dns] }];
    case 'lookup-failed':
      return [{ id: 'smtp.dane-lookup-failed', severity: 'info', title: `The TLSA lookup for ${host.name} failed (${d.outcome})`, detail: `${d.name} could not be resolved. If the zone of ${host.name} is DNSSEC-signed, DANE senders defer mail while this lookup fails (RFC 7672 §2.1.1).`, data, dns: [d.dns] }];
    default:
      return [];
  }
}

function mtaStsNotListed(host: SmtpHostResult): Finding {
  const enforce = host.mtaSts!.mode === 'enforce';
  return {
    id: 'smtp.mta-sts-mx-not-listed',
    severity: enforce ? 'error' : 'warn',
    title: `${host.name} is not listed in the domain's MTA-STS policy`,
    detail: `The MTA-STS policy (mode ${host.mtaSts!.mode}) has no "mx:" line matching ${host.name}. ${enforce ? 'Senders that honour MTA-STS will refuse to deliver to this host.' : 'In testing mode senders still deliver, but report a failure through TLS-RPT.'}`,
    data: { host: host.name, mode: host.mtaSts!.mode },
    fix: { text: `Add "mx: ${host.name}" to the policy file at https://mta-sts.<domain>/.well-known/mta-sts.txt and change the id in the _mta-sts TXT record.` },
  };
}

function sessionNotes(host: SmtpHostResult, probe: SmtpAddressResult): Finding[] {
  const out: Finding[] = [];
  const data = { host: host.name, address: probe.address };
  if (probe.bannerPtr === 'mismatch') {
    out.push({ id: 'smtp.banner-ptr-mismatch', severity: 'info', title: `${where(host, probe)} greets as ${probe.greeting?.host}, but its address's PTR is ${probe.ptr!.names.join(', ')}`, detail: 'The host name in the 220 greeting differs from the reverse DNS of the address. It does not stop mail to this host; when the same server also sends mail, receivers compare its HELO name, PTR and A records, so keeping them equal avoids spam points.', data: { ...data, banner: probe.greeting?.host, ptr: probe.ptr!.names }, ...(probe.ptr ? { dns: [probe.ptr.dns] } : {}) });
  }
  if (probe.timings.greetingMs !== null && probe.timings.greetingMs > SLOW_GREETING_MS) {
    out.push({ id: 'smtp.greeting-delay', severity: 'info', title: `${where(host, probe)} waited ${(probe.timings.greetingMs / 1000).toFixed(1)} s before greeting`, detail: 'A deliberate greeting delay (Postfix postscreen, Sendmail greet_pause) catches spam bots that talk too early. Senders wait up to 5 minutes, so it is harmless; tools that give up early report false failures for such servers.', data: { ...data, greetingMs: probe.timings.greetingMs } });
  }
  if (probe.relay) out.push(relayFinding(host, probe));
  return out;
}

function relayFinding(host: SmtpHostResult, probe: SmtpAddressResult): Finding {
  const r = probe.relay!;
  const data = { host: host.name, address: probe.address, ...r };
  if (r.verdict === 'open') {
    return { id: 'smtp.open-relay', severity: 'critical', title: `${where(host, probe)} is an open relay`, detail: `It accepted mail from <${r.mailFrom}> to <${r.rcptTo}> — neither address is its own — without authentication ("${r.rcptReply}"). Spammers find open relays within hours; the server's address then lands on every blocklist and all mail from it is refused. (The test stopped before DATA: nothing was sent.)`, data, fix: { text: `Restrict relaying on ${host.name} to authenticated users and your own networks (Postfix: smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination).` } };
  }
  if (r.verdict === 'closed') {
    return { id: 'smtp.relay-closed', severity: 'ok', title: `${where(host, probe)} refuses to relay`, detail: `RCPT TO <${r.rcptTo}> from <${r.mailFrom}> was refused: "${r.rcptReply}".`, data };
  }
  return { id: 'smtp.relay-inconclusive', severity: 'info', title: `The relay test on ${where(host, probe)} was inconclusive`, detail: `${r.note ?? 'no clear answer'}${r.mailReply ? ` (MAIL FROM: "${r.mailReply}"${r.rcptReply ? `, RCPT TO: "${r.rcptReply}"` : ''})` : ''}.`, data };
}

function okFinding(host: SmtpHostResult, probe: SmtpAddressResult): Finding {
  const t = probe.tls;
  return {
    id: 'smtp.ok',
    severity: 'ok',
    title: `${where(host, probe)} accepts mail over STARTTLS (${t?.protocol ?? 'TLS'})`,
    detail: `Greeting after ${probe.timings.greetingMs ?? '?'} ms, TLS ${t?.protocol ?? '?'} with ${t?.cipher ?? '?'}${t?.daysLeft !== null && t?.daysLeft !== undefined ? `, certificate valid ${t.daysLeft} more days` : ''}.`,
    data: { host: host.name, address: probe.address, protocol: t?.protocol, cipher: t?.cipher },
  };
}

function noAddressToProbe(host: SmtpHostResult): Finding {
  const skipped = host.notProbed.map((n) => `${n.address} (${n.reason})`).join('; ');
  return {
    id: 'smtp.could-not-test',
    severity: 'info',
    title: `Could not test ${host.name}: no address to connect to`,
    detail: skipped ? `Its addresses were not probed: ${skipped}.` : `${host.name} has no A or AAAA record (the MX check reports this).`,
    data: { host: host.name, notProbed: host.notProbed },
  };
}

function port25Blocked(probes: SmtpAddressResult[], hosts: readonly SmtpHostResult[]): Finding {
  return {
    id: 'smtp.could-not-test',
    severity: 'info',
    title: 'Could not test any MX: no mail server answered on port 25',
    detail: `All ${probes.length} connection(s) to ${hosts.map((h) => h.name).join(', ')} timed out. When every MX is silent, the likely cause is this network, not the servers: outbound port 25 is blocked by most cloud providers (AWS, Azure, Google Cloud) and home ISPs. Run the probe from a network that allows outbound port 25 (a mail server, or a VPS whose provider has unblocked it).`,
    data: { addresses: probes.map((p) => p.address), failures: probes.map((p) => p.failure?.message) },
  };
}

/** Findings of the MTA-STS check. */
import type { Finding } from '../types.ts';
import { isFailure } from '../../net/dns/types.ts';
import { SHORT_MAX_AGE } from './policy.ts';
import type { MtaStsData } from './index.ts';

export function stsFindings(data: MtaStsData): Finding[] {
  const { txt } = data;
  const txtDns = [txt.dns];
  if (isFailure(txt.outcome)) {
    return [{ id: 'mta-sts.lookup-failed', severity: 'warn', title: 'MTA-STS lookup failed', detail: `The lookup of ${txt.name} TXT failed (${txt.outcome}); whether MTA-STS is set up is unknown.`, dns: txtDns }];
  }
  if (txt.records.length === 0) {
    return [{
      id: 'mta-sts.missing', severity: 'info', title: 'No MTA-STS',
      detail: `${txt.name} has no v=STSv1 record (${txt.outcome}): sending servers may deliver to ${data.domain} without TLS, or to a forged MX, without noticing.`,
      dns: txtDns,
      fix: { text: `Publish a policy at https://mta-sts.${data.domain}/.well-known/mta-sts.txt (start with mode: testing) and the TXT record that announces it.`, dns: [{ name: txt.name, type: 'TXT', value: 'v=STSv1; id=20260101000000' }] },
    }];
  }
  if (txt.records.length > 1) {
    return [{ id: 'mta-sts.multiple-records', severity: 'error', title: `${txt.records.length} MTA-STS records`, detail: `${txt.name} has ${txt.records.length} v=STSv1 records; senders then assume there is no policy (RFC 8461 §3.1).`, data: { records: txt.records }, dns: txtDns }];
  }
  if (txt.errors.length) {
    return [{ id: 'mta-sts.record-invalid', severity: 'error', title: 'Invalid MTA-STS record', detail: `${txt.name}: ${txt.errors.join('; ')}. Senders ignore an invalid record and with it the policy.`, data: { record: txt.record?.text }, dns: txtDns, fix: { text: 'Publish v=STSv1; id=<1–32 letters or digits, changed on every policy update>;' } }];
  }
  const findings: Finding[] = [{ id: 'mta-sts.record-found', severity: 'ok', title: 'MTA-STS record found', detail: `${txt.name}: ${txt.record!.text}`, data: { id: txt.record!.id }, dns: txtDns }];
  if (data.probeSkipped) {
    findings.push({ id: 'mta-sts.probe-skipped', severity: 'info', title: 'MTA-STS policy not fetched (--no-probe)', detail: `The HTTPS fetch of https://mta-sts.${data.domain}/.well-known/mta-sts.txt was skipped, so the policy, its certificate and its MX coverage were not checked.`, dns: txtDns });
    return findings;
  }
  findings.push(...fetchFindings(data));
  findings.push(...policyFindings(data));
  findings.push(...coverageFindings(data));
  return findings;
}

function fetchFindings(data: MtaStsData): Finding[] {
  const f = data.fetch!;
  const dns = f.dns;
  switch (f.outcome) {
    case 'dns-failed':
      return [{ id: 'mta-sts.lookup-failed', severity: 'warn', title: 'MTA-STS policy host lookup failed', detail: `${f.error}; the policy could not be fetched.`, dns }];
    case 'no-address':
      return [{ id: 'mta-sts.policy-host-missing', severity: 'error', title: `${f.host} does not resolve`, detail: `The TXT record announces a policy, but ${f.error}: senders cannot fetch it.`, dns, fix: { text: `Point ${f.host} at a web server that serves the policy over HTTPS with a valid certificate.` } }];
    case 'unreachable':
    case 'timeout':
      return [{ id: 'mta-sts.policy-unreachable', severity: 'warn', title: 'MTA-STS policy could not be fetched', detail: `${f.url}: ${f.error}. This may be the network between here and the host; senders elsewhere may fare better.`, data: { outcome: f.outcome, address: f.address }, dns }];
    case 'tls-failed':
    case 'http-error':
    case 'too-large': {
      const redirect = f.status !== null && f.status >= 300 && f.status < 400;
      const why = redirect ? `HTTP ${f.status} redirect to ${f.location}; senders do not follow redirects (RFC 8461 §3.3)` : f.error;
      return [{ id: 'mta-sts.policy-fetch-failed', severity: 'error', title: 'MTA-STS policy fetch failed', detail: `${f.url}: ${why}.`, data: { outcome: f.outcome, status: f.status }, dns, fix: { text: `Serve the policy directly (HTTP 200, text/plain, under 64 KB) at ${f.url}.` } }];
    }
    case 'fetched':
      return fetchedFindings(data);
  }
}

function fetchedFindings(data: MtaStsData): Finding[] {
  const f = data.fetch!;
  const findings: Finding[] = [];
  const cert = f.certificate;
  if (cert && !cert.authorized) {
    findings.push({
      id: 'mta-sts.policy-cert-invalid', severity: 'error', title: 'MTA-STS policy host has an invalid certificate',
      detail: `${f.host} presented a certificate that does not validate (${cert.error}${cert.subject ? `; subject ${cert.subject}` : ''}${cert.validTo ? `, valid to ${cert.validTo}` : ''}). Senders must reject the policy (RFC 8461 §3.3), so MTA-STS is not in effect.`,
      data: { ...cert }, dns: f.dns,
      fix: { text: `Install a publicly trusted certificate for ${f.host} (e.g. from Let's Encrypt).` },
    });
  }
  const type = (f.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'text/plain') {
    findings.push({ id: 'mta-sts.policy-content-type', severity: 'warn', title: 'MTA-STS policy is not served as text/plain', detail: `${f.url} answered with Content-Type ${f.contentType ?? '(none)'}; RFC 8461 §3.3 requires text/plain and some senders refuse anything else.`, dns: f.dns });
  }
  return findings;
}

function policyFindings(data: MtaStsData): Finding[] {
  const f = data.fetch;
  if (!f || f.outcome !== 'fetched' || !data.policy) return [];
  const findings: Finding[] = [];
  const errors = data.policyProblems.filter((p) => p.severity === 'error');
  for (const p of data.policyProblems.filter((p) => p.severity !== 'error')) {
    findings.push({ id: 'mta-sts.policy-warning', severity: p.severity, title: 'MTA-STS policy note', detail: `${f.url}: ${p.message}.`, dns: f.dns });
  }
  if (errors.length) {
    findings.push({ id: 'mta-sts.policy-invalid', severity: 'error', title: 'Invalid MTA-STS policy', detail: `${f.url}: ${errors.map((e) => e.message).join('; ')}. Senders ignore an invalid policy.`, data: { body: f.body?.slice(0, 2000) }, dns: f.dns });
    return findings;
  }
  const p = data.policy;
  if (f.certificate?.authorized) findings.push({ id: 'mta-sts.policy-ok', severity: 'ok', title: `MTA-STS policy: mode ${p.mode}`, detail: `${f.url} (valid certificate): mode ${p.mode}, mx ${p.mx.join(', ') || '(none)'}, max_age ${p.maxAge} s.`, data: { mode: p.mode, mx: p.mx, maxAge: p.maxAge }, dns: f.dns });
  if (p.mode === 'testing') findings.push({ id: 'mta-sts.mode-testing', severity: 'info', title: 'MTA-STS in testing mode', detail: 'Senders report TLS failures (if TLS-RPT is set up) but still deliver; switch to mode: enforce once reports are clean.', dns: f.dns });
  if (p.mode === 'none') findings.push({ id: 'mta-sts.mode-none', severity: 'info', title: 'MTA-STS policy withdrawn (mode: none)', detail: 'mode: none tells senders to forget the policy; no protection is in effect.', dns: f.dns });
  if (p.maxAge !== null && p.maxAge < SHORT_MAX_AGE && p.mode !== 'none') {
    findings.push({ id: 'mta-sts.max-age-short', severity: 'warn', title: 'MTA-STS max_age is short', detail: `max_age ${p.maxAge} s: senders cache the policy for less than a day, which leaves a downgrade attacker frequent chances; weeks (e.g. 604800 or more) are usual.`, dns: f.dns });
  }
  return findings;
}

function coverageFindings(data: MtaStsData): Finding[] {
  const mx = data.mx;
  const p = data.policy;
  if (!mx || !p || p.mode === 'none' || data.policyProblems.some((x) => x.severity === 'error') || data.fetch?.outcome !== 'fetched') return [];
  if (isFailure(mx.outcome)) {
    return [{ id: 'mta-sts.lookup-failed', severity: 'warn', title: 'MX lookup failed', detail: `The MX lookup of ${data.domain} failed (${mx.outcome}); whether the policy covers every MX is unknown.`, dns: [mx.dns] }];
  }
  if (mx.nullMx || mx.hosts.length === 0) {
    return [{ id: 'mta-sts.no-mx', severity: 'info', title: 'No MX to cover', detail: `${data.domain} has ${mx.nullMx ? 'a null MX (it accepts no mail)' : `no MX records (${mx.outcome})`}; MTA-STS applies to MX hosts only.`, dns: [mx.dns] }];
  }
  const uncovered = mx.hosts.filter((h) => !h.covered);
  if (uncovered.length === 0) {
    return [{ id: 'mta-sts.mx-covered', severity: 'ok', title: 'The MTA-STS policy covers every MX', detail: `${mx.hosts.map((h) => h.host).join(', ')} all match ${p.mx.join(', ')}.`, dns: [mx.dns, ...(data.fetch?.dns ?? [])] }];
  }
  const enforce = p.mode === 'enforce';
  return [{
    id: 'mta-sts.mx-not-covered',
    severity: enforce ? 'error' : 'warn',
    title: `MTA-STS policy does not cover ${uncovered.map((h) => h.host).join(', ')}`,
    detail: `The policy lists ${p.mx.join(', ')}, but the domain's MX includes ${uncovered.map((h) => h.host).join(', ')}. ${enforce ? 'In enforce mode, senders that apply MTA-STS refuse to deliver to those hosts' : 'In testing mode senders only report it; in enforce mode they would refuse to deliver there'} (RFC 8461 §4.1).`,
    data: { uncovered: uncovered.map((h) => h.host), patterns: p.mx },
    dns: [mx.dns, ...(data.fetch?.dns ?? [])],
    fix: { text: `Add an mx: line for ${uncovered.map((h) => h.host).join(', ')} to the policy (or a *.domain pattern), then change the id= in ${data.txt.name} so senders refetch it.` },
  }];
}

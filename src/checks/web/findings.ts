/**
 * What the web probes mean, as findings. Pure: takes the probed host names. Unlike SMTP, a web
 * certificate problem is an error: browsers refuse the page with a full-screen warning. A site
 * with no HTTPS at all is a warning (browsers show "Not secure"). Neither affects mail delivery;
 * the diagnosis says so when it reports them.
 */
import type { Finding, Severity } from '../types.ts';
import { certificateProblems, namesOf, type CertificateProblem, type TlsPeer } from '../../net/tls/peer.ts';
import type { WebHostResult } from './host.ts';

/** A HSTS max-age under this (about six months) is weak: hstspreload.org asks for a year. */
export const HSTS_MIN_MAX_AGE = 15_552_000;

export function webFindings(hosts: readonly WebHostResult[]): Finding[] {
  const findings: Finding[] = [];
  for (const host of hosts) findings.push(...hostFindings(host));
  if (hosts.length && hosts.every((h) => h.status === 'no-address')) {
    findings.push({ id: 'web.no-site', severity: 'info', title: `No web site: ${hosts.map((h) => h.name).join(' and ')} have no address`, detail: 'Neither name has an A or AAAA record, so there is no web host to probe.', dns: hosts.flatMap(dnsOf) });
  }
  return findings;
}

function dnsOf(host: WebHostResult): number[] {
  return host.lookups.map((l) => l.dns);
}

function hostFindings(host: WebHostResult): Finding[] {
  const dns = dnsOf(host);
  const data = { host: host.name, address: host.probed };
  if (host.status === 'lookup-failed') {
    return [{ id: 'web.could-not-test', severity: 'info', title: `Could not test ${host.name}: its address lookup failed`, detail: `A: ${host.lookups[0]?.outcome}, AAAA: ${host.lookups[1]?.outcome}. Whether the site exists is unknown.`, data, dns }];
  }
  if (host.status === 'not-probed') {
    return [{ id: 'web.could-not-test', severity: 'info', title: `Did not test ${host.name}`, detail: host.notProbed.map((n) => `${n.address}: ${n.reason}`).join('; '), data, dns }];
  }
  if (host.status !== 'ok' || !host.https) return [];
  const out: Finding[] = [];
  const https = host.https;
  const f = https.failure;
  if (f && (f.step === 'connect' || f.step === 'tls')) {
    out.push(f.kind === 'connection-refused' || f.step === 'tls' ? noHttps(host) : couldNotTest(host, 'https', f.message));
  }
  if (https.tls) out.push(...certificateFindings(host, https.tls));
  const httpsWorks = https.tls !== null && https.head !== null;
  if (httpsWorks) out.push(...hstsFindings(host));
  out.push(...httpFindings(host, httpsWorks));
  if (httpsWorks && !out.some((x) => x.severity === 'warn' || x.severity === 'error' || x.severity === 'critical')) out.push(okFinding(host, https.tls!));
  return out.map((x) => ({ ...x, dns }));
}

function noHttps(host: WebHostResult): Finding {
  const f = host.https!.failure!;
  const how = f.step === 'tls'
    ? `Port 443 on ${host.probed} accepts connections, but the TLS handshake fails (${f.message}): there is no working certificate.`
    : `Nothing accepts connections on port 443 at ${host.probed}: the site is served over plain HTTP only.`;
  return {
    id: 'web.no-https',
    severity: 'warn',
    title: `${host.name} has no HTTPS`,
    detail: `${how} Browsers mark the site "Not secure" and refuse forms with passwords. (This does not affect mail delivery.)`,
    data: { host: host.name, address: host.probed, failure: f },
    fix: { text: `Enable HTTPS for ${host.name} with a free certificate (Let's Encrypt: certbot, or the hosting panel's TLS option), renewed automatically.`, links: ['https://letsencrypt.org/getting-started/'] },
  };
}

function couldNotTest(host: WebHostResult, what: 'https' | 'http', message: string): Finding {
  return { id: 'web.could-not-test', severity: 'info', title: `Could not test ${what === 'https' ? 'HTTPS' : 'HTTP'} on ${host.name}`, detail: `${message}. Nothing was learned about ${what === 'https' ? 'the certificate' : 'the redirect'}.`, data: { host: host.name, address: host.probed } };
}

const SEVERITY: Record<CertificateProblem, Severity> = {
  'expired': 'error', 'not-yet-valid': 'error', 'self-signed': 'error', 'untrusted': 'error', 'name-mismatch': 'error', 'expiring-soon': 'warn',
};

const TEXT: Record<CertificateProblem, (t: TlsPeer, name: string) => [string, string]> = {
  'expired': (t) => [`certificate expired on ${t.chain[0]!.validTo.slice(0, 10)}`, `It expired ${-(t.daysLeft ?? 0)} day(s) ago; browsers refuse the site with a full-page warning.`],
  'not-yet-valid': (t) => [`certificate not valid before ${t.chain[0]!.validFrom.slice(0, 10)}`, 'The server clock or the certificate dates are wrong; browsers refuse it.'],
  'self-signed': (t) => ['self-signed certificate', `"${t.chain[0]!.subject}" is signed by its own key; browsers refuse it (a hosting default or a test certificate left in place).`],
  'untrusted': (t) => ['certificate not issued by a trusted authority', `The chain does not lead to a root browsers trust (${t.authorizationError ?? 'unverified'}): a private CA, or the intermediate certificate is not sent.`],
  'name-mismatch': (t, name) => [`certificate is for ${namesOf(t.chain[0]!)}`, `It does not name ${name}, so browsers refuse it (often the hosting provider's default certificate, or one that omits the www or bare name).`],
  'expiring-soon': (t) => [`certificate expires in ${t.daysLeft} days`, `It expires on ${t.chain[0]!.validTo.slice(0, 10)}; automatic renewal normally happens 30 days ahead, so it is probably failing.`],
};

function certificateFindings(host: WebHostResult, tls: TlsPeer): Finding[] {
  const leaf = tls.chain[0];
  if (!leaf) return [];
  const data = { host: host.name, address: host.probed, subject: leaf.subject, names: namesOf(leaf), issuer: leaf.issuer, validTo: leaf.validTo, daysLeft: tls.daysLeft, authorizationError: tls.authorizationError };
  return certificateProblems(tls).map((problem) => {
    const [title, detail] = TEXT[problem](tls, host.name);
    return {
      id: `web.cert-${problem}`,
      severity: SEVERITY[problem],
      title: `https://${host.name}: ${title}`,
      detail,
      data,
      fix: { text: `Install a certificate for ${host.name} from a public CA (Let's Encrypt is free) and renew it automatically.`, links: ['https://letsencrypt.org/getting-started/'] },
    };
  });
}

function hstsFindings(host: WebHostResult): Finding[] {
  const hsts = host.https!.hsts;
  if (hsts && hsts.maxAge !== null && hsts.maxAge >= HSTS_MIN_MAX_AGE) return [];
  const detail = hsts
    ? `Strict-Transport-Security is "${hsts.value}": max-age ${hsts.maxAge ?? 'missing'} is too short to protect returning visitors (at least ${HSTS_MIN_MAX_AGE} s, six months).`
    : 'The HTTPS response has no Strict-Transport-Security header, so a browser that is sent to http:// once can be intercepted (RFC 6797).';
  return [{ id: 'web.no-hsts', severity: 'info', title: `https://${host.name} does not ask browsers to stay on HTTPS (HSTS)`, detail, data: { host: host.name, hsts }, fix: { text: 'Send "Strict-Transport-Security: max-age=31536000" on HTTPS responses once HTTPS works everywhere on the site.' } }];
}

function httpFindings(host: WebHostResult, httpsWorks: boolean): Finding[] {
  const http = host.http;
  if (!http || !httpsWorks) return [];
  const f = http.failure;
  if (f) return f.kind === 'connection-refused' ? [] : [couldNotTest(host, 'http', f.message)];
  if (http.reachesHttps) return [];
  const last = http.redirects[http.redirects.length - 1];
  return [{
    id: 'web.no-redirect-to-https',
    severity: 'warn',
    title: `http://${host.name} does not redirect to HTTPS`,
    detail: `Plain HTTP answers ${last ? `${last.status}${last.location ? ` (to ${last.location})` : ''}` : 'without a redirect'}${http.redirects.length > 1 ? ` after ${http.redirects.length - 1} redirect(s)` : ''}, so visitors who type the name stay on an unencrypted page.`,
    data: { host: host.name, redirects: http.redirects },
    fix: { text: `Redirect every http:// request on ${host.name} to https:// with a 301.` },
  }];
}

function okFinding(host: WebHostResult, tls: TlsPeer): Finding {
  const leaf = tls.chain[0]!;
  return { id: 'web.ok', severity: 'ok', title: `https://${host.name} has a valid certificate`, detail: `Issued by ${leaf.issuer} for ${namesOf(leaf)}, valid ${tls.daysLeft} more days; ${tls.protocol ?? 'TLS'} with ${tls.cipher ?? '?'}.`, data: { host: host.name, address: host.probed, issuer: leaf.issuer, daysLeft: tls.daysLeft } };
}

/**
 * The MX certificate as findings, weighed by what the domain publishes (see findings.ts): with no
 * MTA-STS enforce and no DANE, senders deliver whatever the certificate, so its problems are
 * information; MTA-STS enforce makes every PKIX problem an error; a DANE match authenticates the
 * server whatever the CA says — except that DANE-TA (usage 2) still requires the MX name in the
 * certificate (RFC 7672 §3.2.3), while DANE-EE (usage 3) ignores names and dates (§3.1.1).
 */
import type { Finding, Severity } from '../types.ts';
import { certificateProblems, namesOf, type CertificateProblem, type TlsPeer } from '../../net/tls/peer.ts';
import type { SmtpAddressResult, SmtpHostResult } from './host.ts';

export interface TlsPolicy {
  /** An MTA-STS policy in enforce mode lists this MX. */
  mtaStsEnforce: boolean;
  /** DNSSEC-validated usable TLSA records exist for this MX. */
  daneApplies: boolean;
}

export function certificateFindings(host: SmtpHostResult, probe: SmtpAddressResult, tls: TlsPeer, policy: TlsPolicy): Finding[] {
  const leaf = tls.chain[0];
  if (!leaf) return [];
  const where = `${host.name} (${probe.address})`;
  const data = { host: host.name, address: probe.address, subject: leaf.subject, names: namesOf(leaf), issuer: leaf.issuer, validTo: leaf.validTo, daysLeft: tls.daysLeft, authorizationError: tls.authorizationError };
  return certificateProblems(tls).map((problem) => {
    const severity = severityOf(problem, policy, probe);
    return {
      id: `smtp.cert-${problem}`,
      severity,
      title: `${where}: ${TITLES[problem](tls)}`,
      detail: `${DETAILS[problem](tls, host.name)} ${consequence(severity, policy, probe)}`,
      data,
      ...(severity === 'error' || severity === 'warn' ? { fix: { text: `Install on ${host.name} a certificate for "${host.name}" from a public CA (Let's Encrypt works for MX hosts) and renew it automatically.` } } : {}),
    };
  });
}

function severityOf(problem: CertificateProblem, policy: TlsPolicy, probe: SmtpAddressResult): Severity {
  if (policy.mtaStsEnforce) return problem === 'expiring-soon' ? 'warn' : 'error';
  if (policy.daneApplies && probe.dane?.matched && probe.dane.usage === 2 && problem === 'name-mismatch') return 'error';
  return 'info';
}

function consequence(severity: Severity, policy: TlsPolicy, probe: SmtpAddressResult): string {
  if (policy.mtaStsEnforce) {
    return severity === 'error'
      ? 'The domain\'s MTA-STS policy is in enforce mode, so senders that honour it (Gmail, Outlook.com, Yahoo) refuse to deliver to this host.'
      : 'The MTA-STS policy is in enforce mode: once it expires, compliant senders stop delivering.';
  }
  if (policy.daneApplies && probe.dane?.matched) {
    return severity === 'error'
      ? 'The matching TLSA record is DANE-TA (usage 2), which still requires the MX name in the certificate (RFC 7672 §3.2.3): DANE senders refuse it.'
      : 'DANE senders authenticate this host through its matching TLSA record, not the certificate authority, so this does not stop them.';
  }
  return 'SMTP senders encrypt with any certificate and deliver anyway (opportunistic TLS), so this does not stop mail today; it will once the domain publishes MTA-STS in enforce mode or DANE, and TLS-RPT reports show it as a failure.';
}

const TITLES: Record<CertificateProblem, (tls: TlsPeer) => string> = {
  'expired': (t) => `certificate expired on ${t.chain[0]!.validTo.slice(0, 10)}`,
  'not-yet-valid': (t) => `certificate not valid before ${t.chain[0]!.validFrom.slice(0, 10)}`,
  'self-signed': () => 'self-signed certificate',
  'untrusted': () => 'certificate not issued by a trusted authority',
  'name-mismatch': (t) => `certificate is for ${namesOf(t.chain[0]!)}`,
  'expiring-soon': (t) => `certificate expires in ${t.daysLeft} days`,
};

const DETAILS: Record<CertificateProblem, (tls: TlsPeer, name: string) => string> = {
  'expired': (t) => `The certificate (issuer ${t.chain[0]!.issuer}) expired ${-(t.daysLeft ?? 0)} day(s) ago.`,
  'not-yet-valid': (t) => `The certificate only becomes valid on ${t.chain[0]!.validFrom}: the server's clock or the certificate's dates are wrong.`,
  'self-signed': (t) => `The certificate "${t.chain[0]!.subject}" is signed by its own key, so no one can verify it.`,
  'untrusted': (t) => `The chain does not lead to a trusted root (${t.authorizationError ?? 'unverified'}): a private CA, or the server does not send its intermediate certificate.`,
  'name-mismatch': (t, name) => `The certificate names ${namesOf(t.chain[0]!)}, not the MX host ${name} that senders connect to.`,
  'expiring-soon': (t) => `It expires on ${t.chain[0]!.validTo.slice(0, 10)}; automatic renewal normally happens 30 days ahead, so renewal is probably failing.`,
};

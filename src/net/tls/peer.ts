/**
 * What a TLS peer showed us, as plain data: protocol and cipher, the certificate chain (subject,
 * names, issuer, dates, fingerprints), and the facts a check judges on — expired, self-signed,
 * does the certificate name the host, does the chain lead to a trusted root. The dialer never
 * refuses a certificate, so these facts are all we know about trust; severities are the checks' call
 * (a web browser refuses an untrusted certificate, an SMTP sender usually does not).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { rootCertificates, type TLSSocket, type DetailedPeerCertificate } from 'node:tls';

export interface CertificateInfo {
  /** Common name of the subject, or the whole subject when it has none. */
  subject: string;
  issuer: string;
  /** subjectAltName entries as `DNS:name` / `IP Address:addr`. */
  altNames: string[];
  validFrom: string;
  validTo: string;
  serialNumber: string;
  fingerprint256: string;
  /** SHA-256 of the SubjectPublicKeyInfo, hex: the data of a `3 1 1` TLSA record. */
  spkiSha256: string;
  /** `rsa 2048`, `ec prime256v1`… */
  key: string;
  isCa: boolean;
}

export interface TlsPeer {
  protocol: string | null;
  cipher: string | null;
  /** Leaf first, as the chain was verified (the server's certificates, then the local root if one matched). */
  chain: CertificateInfo[];
  /** Node/OpenSSL verification of the chain against the trusted roots (host name excluded). */
  authorized: boolean;
  authorizationError: string | null;
  /** The host name the certificate was checked against. */
  expectedName: string;
  /** The certificate entry that matched `expectedName` (RFC 6125), or null. */
  nameMatch: string | null;
  expired: boolean;
  notYetValid: boolean;
  /** Whole days until notAfter, from the run's clock (negative once expired). */
  daysLeft: number | null;
  selfSigned: boolean;
  /**
   * The chain leads to a trusted root: true, false, or null when it cannot be told. OpenSSL reports
   * one error, and a date error hides the chain's verdict; then the chain is walked here against the
   * same roots (the system's plus the run's extra CAs).
   */
  trusted: boolean | null;
}

/** DER of the chain, leaf first; kept out of TlsPeer so results stay small and serializable. */
export type ChainDer = Buffer[];

const MAX_CHAIN = 10;
const DAY_MS = 86_400_000;
// Node reports a host name mismatch through authorizationError when it knew the name; that is our
// nameMatch fact, not a chain problem.
const NAME_ERRORS = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_TLS_CERT_ALTNAME_FORMAT']);
const DATE_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const SELF_SIGNED_ERRORS = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT']);

/** `extraCa`: the PEM certificates the run trusts besides the system roots (the dialer's `ca`). */
export function describePeer(socket: TLSSocket, expectedName: string, now: Date, extraCa: readonly string[] = []): { peer: TlsPeer; chainDer: ChainDer } {
  const chainDer = peerChain(socket);
  const certs = chainDer.map((der) => new X509Certificate(der));
  const leaf = certs[0];
  const rawError = socket.authorizationError ? String(socket.authorizationError) : null;
  const chainError = rawError && !NAME_ERRORS.has(rawError) ? rawError : null;
  const selfSigned = leaf ? isSelfSigned(leaf) || (chainError !== null && SELF_SIGNED_ERRORS.has(chainError)) : false;
  const notAfter = leaf ? leaf.validToDate.getTime() : null;
  const notBefore = leaf ? leaf.validFromDate.getTime() : null;
  const peer: TlsPeer = {
    protocol: socket.getProtocol() ?? null,
    cipher: socket.getCipher()?.standardName ?? socket.getCipher()?.name ?? null,
    chain: certs.map(certificateInfo),
    authorized: leaf !== undefined && chainError === null,
    authorizationError: rawError,
    expectedName,
    nameMatch: leaf ? matchName(leaf, expectedName) : null,
    expired: notAfter !== null && notAfter < now.getTime(),
    notYetValid: notBefore !== null && notBefore > now.getTime(),
    daysLeft: notAfter === null ? null : Math.floor((notAfter - now.getTime()) / DAY_MS),
    selfSigned,
    trusted: chainError === null ? leaf !== undefined : DATE_ERRORS.has(chainError) ? chainReachesAnchor(certs, extraCa) : false,
  };
  return { peer, chainDer };
}

/** The peer's chain as DER, leaf first, stopping at a self-issued root (Node links a root to itself). */
function peerChain(socket: TLSSocket): ChainDer {
  const chain: ChainDer = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert && cert.raw && chain.length < MAX_CHAIN) {
    if (seen.has(cert.fingerprint256)) break;
    seen.add(cert.fingerprint256);
    chain.push(Buffer.from(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}

/**
 * Every certificate signed by the next, up to one of the trusted roots (by exact DER). Node puts the
 * local root it found at the end of the chain it reports, so a chain that verified up to the dates
 * ends on an anchor. Null when the chain is empty or unreadable.
 */
function chainReachesAnchor(chain: readonly X509Certificate[], extraCa: readonly string[]): boolean | null {
  const top = chain[chain.length - 1];
  if (!top) return null;
  try {
    for (let i = 0; i + 1 < chain.length; i++) {
      if (!chain[i]!.checkIssued(chain[i + 1]!) || !chain[i]!.verify(chain[i + 1]!.publicKey)) return false;
    }
    return anchorFingerprints(extraCa).has(top.fingerprint256);
  } catch {
    return null;
  }
}

const systemAnchors = new Set<string>();
const extraAnchors = new WeakMap<readonly string[], Set<string>>();

function anchorFingerprints(extraCa: readonly string[]): Set<string> {
  if (!systemAnchors.size) for (const pem of rootCertificates) addFingerprint(systemAnchors, pem);
  let extra = extraAnchors.get(extraCa);
  if (!extra) {
    extra = new Set(systemAnchors);
    for (const pem of extraCa) addFingerprint(extra, pem);
    extraAnchors.set(extraCa, extra);
  }
  return extra;
}

function addFingerprint(set: Set<string>, pem: string): void {
  try {
    set.add(new X509Certificate(pem).fingerprint256);
  } catch {
    // An unreadable root is no anchor.
  }
}

function matchName(cert: X509Certificate, name: string): string | null {
  // RFC 6125 §6.4.4: the CN is only a fallback when there are no DNS names; Node applies that rule.
  const host = name.replace(/\.$/, '');
  return cert.checkHost(host, { subject: 'default' }) ?? null;
}

function isSelfSigned(cert: X509Certificate): boolean {
  if (cert.subject !== cert.issuer) return false;
  try {
    return cert.checkIssued(cert) && cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

function certificateInfo(cert: X509Certificate): CertificateInfo {
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  const details = cert.publicKey.asymmetricKeyDetails;
  const size = details?.modulusLength ?? details?.namedCurve ?? '';
  return {
    subject: commonName(cert.subject),
    issuer: commonName(cert.issuer),
    altNames: cert.subjectAltName ? cert.subjectAltName.split(/,\s*/).filter(Boolean) : [],
    validFrom: cert.validFromDate.toISOString(),
    validTo: cert.validToDate.toISOString(),
    serialNumber: cert.serialNumber,
    fingerprint256: cert.fingerprint256,
    spkiSha256: createHash('sha256').update(spki).digest('hex'),
    key: `${cert.publicKey.asymmetricKeyType ?? 'unknown'}${size ? ` ${size}` : ''}`,
    isCa: cert.ca,
  };
}

/** `CN=mx.example\nO=Example` → `mx.example`; the whole name on one line when there is no CN. */
function commonName(dn: string): string {
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(dn)?.[1];
  return cn ?? dn.replace(/\n/g, ', ');
}

export type CertificateProblem = 'expired' | 'not-yet-valid' | 'self-signed' | 'untrusted' | 'name-mismatch' | 'expiring-soon';

/** Renewal normally happens 30 days before expiry (Let's Encrypt, ACME clients); under 21 it is failing. */
export const EXPIRING_SOON_DAYS = 21;

/** What is wrong with the peer's certificate, in the order a person would fix it. A self-signed certificate is not also "untrusted". */
export function certificateProblems(peer: TlsPeer, expiringSoonDays = EXPIRING_SOON_DAYS): CertificateProblem[] {
  if (!peer.chain.length) return [];
  const problems: CertificateProblem[] = [];
  if (peer.expired) problems.push('expired');
  if (peer.notYetValid) problems.push('not-yet-valid');
  if (peer.selfSigned) problems.push('self-signed');
  else if (peer.trusted === false) problems.push('untrusted');
  if (!peer.nameMatch) problems.push('name-mismatch');
  if (!peer.expired && peer.daysLeft !== null && peer.daysLeft < expiringSoonDays) problems.push('expiring-soon');
  return problems;
}

export function namesOf(cert: CertificateInfo): string {
  const dns = cert.altNames.filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4));
  return dns.length ? dns.slice(0, 5).join(', ') + (dns.length > 5 ? ` (+${dns.length - 5})` : '') : cert.subject;
}

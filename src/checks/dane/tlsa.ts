/**
 * TLSA records (RFC 6698) as an SMTP sender reads them (RFC 7672): which records are usable, which
 * are malformed, and whether a certificate chain matches one. Pure: no lookups, node:crypto only.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { TlsaData } from '../../net/dns/types.ts';

/** Certificate usage names (RFC 7218 acronyms). */
export const USAGE_NAMES: Record<number, string> = { 0: 'PKIX-TA', 1: 'PKIX-EE', 2: 'DANE-TA', 3: 'DANE-EE' };
export const SELECTOR_NAMES: Record<number, string> = { 0: 'Cert', 1: 'SPKI' };
export const MATCHING_NAMES: Record<number, string> = { 0: 'Full', 1: 'SHA2-256', 2: 'SHA2-512' };

/** Digest lengths in bytes per matching type (RFC 6698 §2.1.3). */
const DIGEST_BYTES: Record<number, number> = { 1: 32, 2: 64 };

export type TlsaProblemCode =
  | 'pkix-usage'
  | 'unknown-usage'
  | 'unknown-selector'
  | 'unknown-matching-type'
  | 'bad-digest-length'
  | 'bad-full-data'
  | 'empty-data';

export interface TlsaProblem {
  code: TlsaProblemCode;
  message: string;
}

export interface TlsaReview {
  /** Presentation form, e.g. `3 1 1 ab12…`. */
  text: string;
  /** `DANE-EE SPKI SHA2-256` when the fields are known. */
  label: string;
  /** False when an RFC 7672 sender would ignore this record. */
  usable: boolean;
  problems: TlsaProblem[];
}

export function tlsaText(tlsa: TlsaData): string {
  return `${tlsa.usage} ${tlsa.selector} ${tlsa.matchingType} ${tlsa.certificate}`;
}

function tlsaLabel(tlsa: TlsaData): string {
  const name = (table: Record<number, string>, n: number) => table[n] ?? String(n);
  return `${name(USAGE_NAMES, tlsa.usage)} ${name(SELECTOR_NAMES, tlsa.selector)} ${name(MATCHING_NAMES, tlsa.matchingType)}`;
}

/** Reviews one TLSA record: unusable fields, wrong digest lengths, undecodable full data. */
export function reviewTlsa(tlsa: TlsaData): TlsaReview {
  const problems: TlsaProblem[] = [];
  const data = /^[0-9a-f]*$/i.test(tlsa.certificate) && tlsa.certificate.length % 2 === 0 ? Buffer.from(tlsa.certificate, 'hex') : null;
  if (tlsa.usage === 0 || tlsa.usage === 1) {
    // RFC 7672 §3.1.3: SMTP clients treat PKIX-TA(0) and PKIX-EE(1) as unusable (there is no agreed
    // set of trust anchors between MTAs).
    problems.push({ code: 'pkix-usage', message: `usage ${tlsa.usage} (${USAGE_NAMES[tlsa.usage]}) is not used by SMTP senders (RFC 7672 §3.1.3); publish 3 (DANE-EE) or 2 (DANE-TA)` });
  } else if (tlsa.usage !== 2 && tlsa.usage !== 3) {
    problems.push({ code: 'unknown-usage', message: `usage ${tlsa.usage} is not defined (0-3)` });
  }
  if (tlsa.selector !== 0 && tlsa.selector !== 1) {
    problems.push({ code: 'unknown-selector', message: `selector ${tlsa.selector} is not defined (0 = certificate, 1 = public key)` });
  }
  if (!data || data.length === 0) {
    problems.push({ code: 'empty-data', message: 'the association data is empty or not hexadecimal' });
  } else if (tlsa.matchingType === 1 || tlsa.matchingType === 2) {
    const want = DIGEST_BYTES[tlsa.matchingType]!;
    if (data.length !== want) {
      problems.push({ code: 'bad-digest-length', message: `matching type ${tlsa.matchingType} (${MATCHING_NAMES[tlsa.matchingType]}) needs ${want} bytes of data, the record has ${data.length}` });
    }
  } else if (tlsa.matchingType === 0) {
    const problem = fullDataProblem(tlsa.selector, data);
    if (problem) problems.push({ code: 'bad-full-data', message: problem });
  } else {
    problems.push({ code: 'unknown-matching-type', message: `matching type ${tlsa.matchingType} is not defined (0 = full, 1 = SHA-256, 2 = SHA-512)` });
  }
  return { text: tlsaText(tlsa), label: tlsaLabel(tlsa), usable: problems.length === 0, problems };
}

/** With matching type 0 the data is the DER object itself: it must decode as what the selector says. */
function fullDataProblem(selector: number, data: Buffer): string | null {
  if (selector === 0) {
    try {
      new X509Certificate(data);
      return null;
    } catch {
      return 'matching type 0 with selector 0 needs a DER certificate, the data does not decode as one';
    }
  }
  if (selector === 1 && !looksLikeDerSequence(data)) {
    return 'matching type 0 with selector 1 needs a DER SubjectPublicKeyInfo, the data does not decode as one';
  }
  return null;
}

/** A DER SEQUENCE whose length field covers exactly the buffer (enough to catch truncated or pasted-wrong data). */
function looksLikeDerSequence(data: Buffer): boolean {
  if (data.length < 2 || data[0] !== 0x30) return false;
  const first = data[1]!;
  if (first < 0x80) return first + 2 === data.length;
  const octets = first & 0x7f;
  if (octets === 0 || octets > 4 || data.length < 2 + octets) return false;
  let length = 0;
  for (let i = 0; i < octets; i++) length = length * 256 + data[2 + i]!;
  return length + 2 + octets === data.length;
}

/** The bytes a TLSA record's selector picks from a certificate: the whole DER, or its SubjectPublicKeyInfo. */
export function selectedData(selector: number, certDer: Uint8Array): Buffer | null {
  if (selector === 0) return Buffer.from(certDer);
  if (selector === 1) {
    const cert = new X509Certificate(certDer);
    return cert.publicKey.export({ type: 'spki', format: 'der' });
  }
  return null;
}

/** The association data a record of this selector and matching type would hold for `certDer` (hex). */
export function associationData(selector: number, matchingType: number, certDer: Uint8Array): string | null {
  const selected = selectedData(selector, certDer);
  if (!selected) return null;
  if (matchingType === 0) return selected.toString('hex');
  if (matchingType === 1) return createHash('sha256').update(selected).digest('hex');
  if (matchingType === 2) return createHash('sha512').update(selected).digest('hex');
  return null;
}

export interface TlsaMatch {
  matched: boolean;
  /** Index in the chain of the certificate that matched (0 = the server's own certificate). */
  index: number | null;
  reason: string;
}

/**
 * Matches one TLSA record against a certificate chain as the server sent it (DER, leaf first).
 * DANE-EE (3) and PKIX-EE (1) match the leaf only; DANE-TA (2) and PKIX-TA (0) match an issuing
 * certificate in the chain, which must then have signed its way down to the leaf (RFC 7671 §5.2.2:
 * the server must send its trust anchor). PKIX usages are matched but never validated against a
 * PKIX store here: for SMTP they are unusable anyway (RFC 7672 §3.1.3).
 */
export function matchTlsa(tlsa: TlsaData, certChainDer: readonly Uint8Array[]): TlsaMatch {
  const review = reviewTlsa(tlsa);
  const fatal = review.problems.find((p) => p.code !== 'pkix-usage');
  if (fatal) return { matched: false, index: null, reason: `record unusable: ${fatal.message}` };
  if (certChainDer.length === 0) return { matched: false, index: null, reason: 'no certificate was presented' };
  const want = tlsa.certificate.toLowerCase();
  const endEntity = tlsa.usage === 1 || tlsa.usage === 3;
  const candidates = endEntity ? [0] : certChainDer.map((_, i) => i).filter((i) => i > 0);
  for (const index of candidates) {
    let got: string | null;
    try {
      got = associationData(tlsa.selector, tlsa.matchingType, certChainDer[index]!);
    } catch {
      continue; // an undecodable certificate in the chain cannot match
    }
    if (got !== want) continue;
    if (endEntity) return { matched: true, index, reason: 'the server certificate matches' };
    if (chainsDown(certChainDer, index)) return { matched: true, index, reason: `certificate ${index} of the chain matches and issued the chain down to the server certificate` };
    return { matched: false, index, reason: `certificate ${index} of the chain matches, but the chain below it does not verify` };
  }
  return {
    matched: false,
    index: null,
    reason: endEntity ? 'the server certificate does not match' : certChainDer.length < 2 ? 'the server sent no issuer certificate to match a trust-anchor record against' : 'no certificate in the chain matches',
  };
}

/** True when every certificate from `top` down to the leaf was issued and signed by the one above it. */
function chainsDown(chain: readonly Uint8Array[], top: number): boolean {
  try {
    for (let i = top; i > 0; i--) {
      const issuer = new X509Certificate(chain[i]!);
      const subject = new X509Certificate(chain[i - 1]!);
      if (!subject.checkIssued(issuer) || !subject.verify(issuer.publicKey)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** True when `tlsa` matches the chain (see `matchTlsa` for the rules). For the SMTP probe. */
export function tlsaMatches(tlsa: TlsaData, certChainDer: readonly Uint8Array[]): boolean {
  return matchTlsa(tlsa, certChainDer).matched;
}

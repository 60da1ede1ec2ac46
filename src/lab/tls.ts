/**
 * The lab's certificate authority. The lab trusts it (the dialer gets its PEM as an extra CA), so a
 * `valid` certificate verifies exactly like a public one would, and every broken variant fails for
 * the reason a real receiver or browser would see: expired, self-signed, or issued for another name.
 */
import { generate } from 'selfsigned';

export type CertificateVariant = 'valid' | 'expired' | 'self-signed' | 'wrong-name' | 'none';

export const CERTIFICATE_VARIANTS: readonly CertificateVariant[] = ['valid', 'expired', 'self-signed', 'wrong-name', 'none'];

export interface Certificate {
  certPem: string;
  keyPem: string;
}

export interface LabCa {
  certPem: string;
  /**
   * A certificate for `names` (DNS names, `*.` wildcards allowed) of the given variant; null for
   * `none`. A `wrong-name` certificate is issued for `otherNames` instead (default WRONG_NAME_DEFAULT).
   */
  issue(variant: CertificateVariant, names: readonly string[], otherNames?: readonly string[]): Promise<Certificate | null>;
}

/** The name a `wrong-name` certificate carries when the host gives none: a typical default vhost. */
export const WRONG_NAME_DEFAULT = 'localhost.localdomain';

// sha1 signatures make Node reject even a correctly chained leaf ('UNSPECIFIED'): STACK.md gotcha 5.
const ALGORITHM = 'sha256';
const DAY_MS = 86_400_000;

interface KeyPair {
  privateKey: string;
  publicKey: string;
}

// RSA key generation dominates the cost, so one CA key and one leaf key serve the whole process.
let caKeyPair: Promise<KeyPair> | undefined;
let leafKeyPair: Promise<KeyPair> | undefined;

async function makeKeyPair(): Promise<KeyPair> {
  const made = await generate([{ name: 'commonName', value: 'key holder' }], { algorithm: ALGORITHM, keySize: 2048 });
  return { privateKey: made.private, publicKey: made.public };
}

export async function createLabCa(options: { name?: string; now?: Date } = {}): Promise<LabCa> {
  caKeyPair ??= makeKeyPair();
  leafKeyPair ??= makeKeyPair();
  const [caKeys, leafKeys] = await Promise.all([caKeyPair, leafKeyPair]);
  const now = options.now ?? new Date();
  const ca = await generate([
    { name: 'commonName', value: options.name ?? 'mailsleuth lab CA' },
    { name: 'organizationName', value: 'mailsleuth lab' },
  ], {
    algorithm: ALGORITHM,
    keyPair: caKeys,
    notBeforeDate: new Date(now.getTime() - DAY_MS),
    notAfterDate: new Date(now.getTime() + 3650 * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const issued = new Map<string, Promise<Certificate | null>>();

  function issue(variant: CertificateVariant, names: readonly string[], otherNames: readonly string[] = [WRONG_NAME_DEFAULT]): Promise<Certificate | null> {
    const subjectNames = variant === 'wrong-name' ? otherNames : names;
    const key = `${variant} ${subjectNames.join(',')}`;
    let cert = issued.get(key);
    if (!cert) {
      cert = makeLeaf(variant, subjectNames, { cert: ca.cert, key: ca.private }, leafKeys, now);
      issued.set(key, cert);
    }
    return cert;
  }

  return { certPem: ca.cert, issue };
}

async function makeLeaf(variant: CertificateVariant, subjectNames: readonly string[], ca: { cert: string; key: string }, keys: KeyPair, now: Date): Promise<Certificate | null> {
  if (variant === 'none') return null;
  if (subjectNames.length === 0) throw new Error(`a ${variant} certificate needs at least one name`);
  const expired = variant === 'expired';
  const made = await generate([{ name: 'commonName', value: subjectNames[0]! }], {
    algorithm: ALGORITHM,
    keyPair: keys,
    // A leaf valid from a day ago: clocks of lab clients and lab hosts may differ by a little.
    notBeforeDate: new Date(now.getTime() - (expired ? 400 : 1) * DAY_MS),
    notAfterDate: new Date(now.getTime() + (expired ? -30 : 90) * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: subjectNames.map((value) => ({ type: 2 as const, value })) },
    ],
    ...(variant === 'self-signed' ? {} : { ca }),
  });
  return { certPem: made.cert, keyPem: made.private };
}

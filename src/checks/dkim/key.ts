/**
 * DKIM key records (RFC 6376 §3.6.1, RFC 8463 for Ed25519, RFC 8301 for the algorithm floor):
 * pure parsing of the TXT found at `<selector>._domainkey.<domain>` into a key description and
 * the problems a receiver would trip over.
 */
import { createPublicKey } from 'node:crypto';
import { parseTagList, type TagList } from './tag-list.ts';

export type KeyProblemCode =
  | 'malformed'
  | 'revoked'
  | 'weak-key'
  | 'testing'
  | 'strict-subdomains'
  | 'unsupported-key-type'
  | 'sha1-only'
  | 'not-for-email'
  | 'unknown-version';

export interface KeyProblem {
  code: KeyProblemCode;
  severity: 'info' | 'warn' | 'error';
  message: string;
}

export interface DkimKey {
  /** `v=` as published, or null when absent (it is optional). */
  version: string | null;
  /** `k=`: `rsa` when absent (RFC 6376 §3.6.1). */
  keyType: string;
  /** `h=`: hash algorithms allowed, or null for "any". */
  hashAlgorithms: string[] | null;
  /** `s=`: service types, or null for "*". */
  serviceTypes: string[] | null;
  /** `t=` flags: `y` testing, `s` no subdomains in `i=`. */
  flags: string[];
  testing: boolean;
  strictSubdomains: boolean;
  /** Empty `p=`: the key was revoked on purpose. */
  revoked: boolean;
  /** `p=` with whitespace removed. */
  publicKey: string;
  /** RSA modulus length, or 256 for Ed25519; null when the key could not be read. */
  keyBits: number | null;
  /** How `p=` was encoded: SubjectPublicKeyInfo (standard), bare PKCS#1 (tolerated by most verifiers), raw Ed25519. */
  keyFormat: 'spki' | 'pkcs1' | 'ed25519-raw' | null;
  notes: string | null;
}

export interface ParsedKey {
  key: DkimKey | null;
  problems: KeyProblem[];
}

/** RFC 8301 §3.2: keys under 1024 bits are not to be trusted; 2048 is what providers now issue. */
export const MIN_RSA_BITS = 1024;
export const RECOMMENDED_RSA_BITS = 2048;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// DER prefix of an Ed25519 SubjectPublicKeyInfo; RFC 8463 publishes the bare 32-byte key.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Parses one DKIM key record. Never throws: a broken record is a `malformed` problem. */
export function parseKeyRecord(text: string): ParsedKey {
  const list = parseTagList(text);
  const problems: KeyProblem[] = list.problems.map((p) => ({ code: 'malformed', severity: 'error', message: p.message }));
  const get = (name: string) => list.tags.find((t) => t.name === name)?.value;

  const version = get('v') ?? null;
  checkVersion(list, version, problems);

  const p = get('p');
  if (p === undefined) {
    problems.push({ code: 'malformed', severity: 'error', message: 'the required p= tag (the public key) is missing' });
    return { key: null, problems };
  }
  const publicKey = p.replace(/[ \t\r\n]+/g, '');
  const keyType = (get('k') ?? 'rsa').toLowerCase();
  const flags = splitList(get('t')) ?? [];
  const key: DkimKey = {
    version,
    keyType,
    hashAlgorithms: splitList(get('h')),
    serviceTypes: splitList(get('s')),
    flags,
    testing: flags.includes('y'),
    strictSubdomains: flags.includes('s'),
    revoked: publicKey === '',
    publicKey,
    keyBits: null,
    keyFormat: null,
    notes: get('n') ?? null,
  };

  checkUsage(key, problems);
  if (key.revoked) {
    problems.push({ code: 'revoked', severity: 'error', message: 'p= is empty: the key was revoked and signatures using this selector fail' });
    return { key, problems };
  }
  readPublicKey(key, problems);
  return { key, problems };
}

function checkVersion(list: TagList, version: string | null, problems: KeyProblem[]): void {
  if (version === null) return;
  if (version !== 'DKIM1') {
    problems.push({ code: 'unknown-version', severity: 'error', message: `v=${version}: only DKIM1 is defined, verifiers ignore this record` });
  }
  // RFC 6376 §3.6.1: "If specified, this tag MUST be set to "DKIM1" … and MUST be the first tag".
  if (list.tags[0]?.name !== 'v') {
    problems.push({ code: 'malformed', severity: 'warn', message: 'v= must be the first tag of the record' });
  }
}

function checkUsage(key: DkimKey, problems: KeyProblem[]): void {
  if (key.keyType !== 'rsa' && key.keyType !== 'ed25519') {
    problems.push({ code: 'unsupported-key-type', severity: 'error', message: `k=${key.keyType} is not a key type verifiers know (rsa, ed25519)` });
  }
  // RFC 8301 §3.1: rsa-sha1 must not be used, so a key restricted to sha1 cannot verify anything.
  if (key.hashAlgorithms && !key.hashAlgorithms.includes('sha256')) {
    problems.push({ code: 'sha1-only', severity: 'error', message: `h=${key.hashAlgorithms.join(':')} does not allow sha256; verifiers no longer accept sha1 signatures (RFC 8301)` });
  }
  if (key.serviceTypes && !key.serviceTypes.includes('*') && !key.serviceTypes.includes('email')) {
    problems.push({ code: 'not-for-email', severity: 'error', message: `s=${key.serviceTypes.join(':')} does not include "email" or "*": the key may not be used for mail` });
  }
  if (key.testing) {
    problems.push({ code: 'testing', severity: 'warn', message: 't=y: the domain is testing DKIM; verifiers must treat its signed mail like unsigned mail' });
  }
  if (key.strictSubdomains) {
    problems.push({ code: 'strict-subdomains', severity: 'info', message: 't=s: signatures must use an i= in exactly the signing domain, not a subdomain' });
  }
}

function readPublicKey(key: DkimKey, problems: KeyProblem[]): void {
  if (!BASE64.test(key.publicKey) || key.publicKey.length % 4 !== 0) {
    problems.push({ code: 'malformed', severity: 'error', message: 'p= is not valid base64' });
    return;
  }
  const der = Buffer.from(key.publicKey, 'base64');
  if (key.keyType === 'ed25519') return readEd25519(key, der, problems);
  if (key.keyType !== 'rsa') return;
  const rsa = tryRsa(der);
  if (!rsa) {
    problems.push({ code: 'malformed', severity: 'error', message: 'p= does not decode to an RSA public key' });
    return;
  }
  key.keyFormat = rsa.format;
  key.keyBits = rsa.bits;
  if (rsa.format === 'pkcs1') {
    problems.push({ code: 'malformed', severity: 'info', message: 'p= holds a bare PKCS#1 RSAPublicKey instead of a SubjectPublicKeyInfo; most verifiers accept it, strict ones do not' });
  }
  if (rsa.bits < MIN_RSA_BITS) {
    problems.push({ code: 'weak-key', severity: 'error', message: `RSA key of ${rsa.bits} bits: receivers reject keys under ${MIN_RSA_BITS} bits (RFC 8301)` });
  } else if (rsa.bits < RECOMMENDED_RSA_BITS) {
    problems.push({ code: 'weak-key', severity: 'warn', message: `RSA key of ${rsa.bits} bits: still accepted, but ${RECOMMENDED_RSA_BITS} bits is the current norm` });
  }
}

function tryRsa(der: Buffer): { format: 'spki' | 'pkcs1'; bits: number } | null {
  for (const format of ['spki', 'pkcs1'] as const) {
    try {
      const k = createPublicKey({ key: der, format: 'der', type: format });
      const bits = k.asymmetricKeyDetails?.modulusLength;
      if (k.asymmetricKeyType === 'rsa' && bits) return { format, bits };
      return null;
    } catch {
      // try the next encoding
    }
  }
  return null;
}

function readEd25519(key: DkimKey, raw: Buffer, problems: KeyProblem[]): void {
  if (raw.length !== 32) {
    problems.push({ code: 'malformed', severity: 'error', message: `an Ed25519 p= must be the bare 32-byte key (RFC 8463), this one is ${raw.length} bytes` });
    return;
  }
  try {
    createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    problems.push({ code: 'malformed', severity: 'error', message: 'p= is not a valid Ed25519 public key' });
    return;
  }
  key.keyFormat = 'ed25519-raw';
  key.keyBits = 256;
}

/** `a:b:c` lists (h=, s=, t=), lower-cased; undefined → null ("not restricted"). */
function splitList(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  return value.split(':').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
}

/** True when a TXT string looks like it was meant as a DKIM key (used to tell a key from unrelated TXT). */
export function looksLikeKeyRecord(text: string): boolean {
  return /(^|;)\s*(v\s*=\s*DKIM1|p\s*=|k\s*=)/i.test(text);
}

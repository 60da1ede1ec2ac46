/**
 * Turns what the DKIM lookups found into findings. Severity depends on where a selector came
 * from: a revoked key at a selector real mail is signed with breaks that mail, while a revoked
 * key at a guessed selector is usually a finished rotation.
 */
import type { Finding, Severity } from '../types.ts';
import { isFailure } from '../../net/dns/types.ts';
import type { DkimData, FoundKey } from './index.ts';
import type { KeyProblem } from './key.ts';

const FIX_ENABLE = 'Turn on DKIM signing at the service that sends your mail and publish the selector record(s) it gives you at <selector>._domainkey.<domain>.';

export function keyFindings(data: DkimData): Finding[] {
  const usable = data.keys.filter(isUsable);
  return data.keys.flatMap((k) => {
    const findings: Finding[] = [];
    if (isUsable(k)) findings.push(keyFound(k));
    for (const p of k.problems) findings.push(problemFinding(k, p, usable.length > 0));
    if (k.extraRecords > 0) {
      findings.push({
        id: 'dkim.multiple-records',
        severity: 'warn',
        title: `${k.extraRecords + 1} key records at selector ${k.selector}`,
        detail: `${k.name} holds ${k.extraRecords + 1} DKIM key records; verifiers pick one (RFC 6376 §3.6.2.2), so signatures may fail at random. Keep exactly one.`,
        data: { selector: k.selector, name: k.name },
        dns: [k.dns],
      });
    }
    return findings;
  });
}

export function noKeyFindings(data: DkimData, nodeDnsId: number): Finding[] {
  const findings: Finding[] = [];
  const failed = data.tried.filter((t) => data.failed.includes(t.selector));
  if (failed.length) {
    findings.push({
      id: 'dkim.lookup-failed',
      severity: 'warn',
      title: `DKIM lookup failed for ${failed.length} selector${failed.length > 1 ? 's' : ''}`,
      detail: `No usable DNS answer for ${failed.map((t) => `${t.name} (${t.outcome})`).join(', ')}. Whether a key is published there is unknown.`,
      data: { selectors: failed.map((t) => t.selector), outcomes: failed.map((t) => t.outcome) },
      dns: failed.map((t) => t.dns),
    });
  }
  for (const t of data.tried) {
    if (!t.dangling) continue;
    const elsewhere = data.keys.some(isUsable);
    findings.push({
      id: 'dkim.cname-dangling',
      severity: elsewhere ? 'info' : 'warn',
      title: `Selector ${t.selector} points to a record that does not exist`,
      detail: `${delegation(t.name, t.cnames)}, but the target has no key (${t.outcome}). The provider has not enabled DKIM signing for this selector yet${elsewhere ? '; another selector has a key, so this may be the idle half of a rotation pair' : ''}.`,
      data: { selector: t.selector, cnames: t.cnames },
      dns: [t.dns],
      fix: { text: 'Enable DKIM signing in the mail provider\'s admin console so the CNAME target is published (Microsoft 365: Defender portal → Email authentication settings → DKIM).' },
    });
  }
  const evidence = data.tried.filter((t) => t.sources.some((s) => s !== 'common'));
  for (const t of evidence) {
    if (isFailure(t.outcome) || data.keys.some((k) => k.selector === t.selector)) continue;
    if (!t.sources.includes('user') && !t.sources.includes('message')) continue;
    findings.push({
      id: 'dkim.selector-without-key',
      severity: 'error',
      title: `No DKIM key at selector ${t.selector}`,
      detail: `${t.sources.includes('message') ? 'Messages are signed with' : 'You asked about'} s=${t.selector}, but ${t.name} has no key (${t.outcome}): signatures with this selector cannot verify.`,
      data: { selector: t.selector, sources: t.sources, outcome: t.outcome },
      dns: [t.dns],
      fix: { text: `Publish the public key for selector ${t.selector} at ${t.name}, as given by the signing service.` },
    });
  }
  // With every lookup failed there is no selector known to be empty: the lookup-failed finding says it all.
  if (data.keys.length === 0 && data.tried.some((t) => !isFailure(t.outcome))) findings.push(noKeyAtTried(data, nodeDnsId));
  return findings;
}

function noKeyAtTried(data: DkimData, nodeDnsId: number): Finding {
  const answered = data.tried.filter((t) => !isFailure(t.outcome));
  const list = answered.map((t) => t.selector);
  const node = data.domainkeyNode === 'absent' ? ` _domainkey.${data.domain} does not exist at all (NXDOMAIN), which suggests no selector is published.` : '';
  const incomplete = data.failed.length > 0;
  return {
    id: 'dkim.no-key-at-tried-selectors',
    // Selectors cannot be enumerated: without a selector from real mail this is a hint, not proof.
    severity: incomplete ? 'info' : 'warn',
    title: `No DKIM key at the ${list.length} selectors tried`,
    detail: `No key at: ${list.join(', ')}.${node} DKIM may still use a selector not in this list; run with --selector <s> using the s= value from a DKIM-Signature header of a real message${incomplete ? '. Some lookups failed, so this is incomplete' : ''}.`,
    data: { selectors: list, domainkeyNode: data.domainkeyNode, failed: data.failed },
    dns: [nodeDnsId, ...answered.map((t) => t.dns)],
    fix: { text: FIX_ENABLE },
  };
}

function keyFound(k: FoundKey): Finding {
  const kind = k.key?.keyType === 'ed25519' ? 'Ed25519' : `RSA ${k.key?.keyBits} bits`;
  return {
    id: 'dkim.key-found',
    severity: 'ok',
    title: `DKIM key at selector ${k.selector} (${kind})`,
    detail: `${delegation(k.name, k.cnames)} publishes a ${kind} key${k.sources.includes('message') ? ' used by the messages given' : ''}.${k.schemes.length ? ` Selector naming matches ${k.schemes.join(', ')}.` : ''}`,
    data: { selector: k.selector, keyType: k.key?.keyType, keyBits: k.key?.keyBits, cnames: k.cnames, sources: k.sources },
    dns: [k.dns],
  };
}

function problemFinding(k: FoundKey, p: KeyProblem, otherUsable: boolean): Finding {
  const fromEvidence = k.sources.includes('message') || k.sources.includes('user');
  let severity: Severity = p.severity;
  // A revoked key at a guessed selector while another key works is a finished rotation, not a fault.
  if (p.code === 'revoked' && !fromEvidence) severity = otherUsable ? 'info' : 'warn';
  return {
    id: `dkim.${p.code}`,
    severity,
    title: `${TITLES[p.code]} at selector ${k.selector}`,
    detail: `${delegation(k.name, k.cnames)}: ${p.message}.`,
    data: { selector: k.selector, code: p.code, keyBits: k.key?.keyBits ?? null, record: k.record.slice(0, 300) },
    dns: [k.dns],
    ...(FIXES[p.code] ? { fix: { text: FIXES[p.code]! } } : {}),
  };
}

const TITLES: Record<KeyProblem['code'], string> = {
  'malformed': 'Malformed DKIM key record',
  'revoked': 'Revoked DKIM key',
  'weak-key': 'Weak DKIM key',
  'testing': 'DKIM in testing mode',
  'strict-subdomains': 'DKIM key restricted to the exact domain',
  'unsupported-key-type': 'Unsupported DKIM key type',
  'sha1-only': 'DKIM key only allows SHA-1',
  'not-for-email': 'DKIM key not valid for email',
  'unknown-version': 'Unknown DKIM record version',
};

const FIXES: Partial<Record<KeyProblem['code'], string>> = {
  'malformed': 'Republish the key exactly as the signing service gives it: v=DKIM1; k=rsa; p=<base64 key>, split into 255-character strings if long.',
  'weak-key': 'Rotate to a 2048-bit RSA key (most providers offer it in the DKIM settings) and publish the new selector.',
  'testing': 'Remove t=y from the key record once signatures verify.',
  'sha1-only': 'Remove h=sha1 (or use h=sha256) and sign with rsa-sha256.',
  'not-for-email': 'Remove the s= tag or set s=email.',
  'unsupported-key-type': 'Publish an rsa (or ed25519 alongside rsa) key.',
  'unknown-version': 'Use v=DKIM1 as the first tag.',
};

function isUsable(k: FoundKey): boolean {
  return k.key !== null && !k.problems.some((p) => p.severity === 'error');
}

/** `a._domainkey.x → b.onmicrosoft.com` when the record is delegated by CNAME. */
export function delegation(name: string, cnames: readonly string[]): string {
  return cnames.length ? `${name} → ${cnames.join(' → ')}` : name;
}

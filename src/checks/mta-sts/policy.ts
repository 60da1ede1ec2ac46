/**
 * The MTA-STS policy file (RFC 8461 §3.2) served at `https://mta-sts.<domain>/.well-known/mta-sts.txt`:
 * `key: value` lines for version, mode, mx (one per MX pattern) and max_age. Pure parsing and the
 * MX matching rule of §4.1, which the SMTP probe also uses to decide whether TLS must validate.
 */

export type StsMode = 'enforce' | 'testing' | 'none';

export interface StsPolicy {
  version: string | null;
  mode: StsMode | null;
  /** MX host patterns, lower-case, as published (`mail.example.com`, `*.example.com`). */
  mx: string[];
  /** Seconds a sender caches the policy. */
  maxAge: number | null;
  extensions: Record<string, string>;
}

export interface PolicyProblem {
  severity: 'info' | 'warn' | 'error';
  message: string;
}

/** RFC 8461 §3.3 suggests 64 KB as the most a sender reads. */
export const MAX_POLICY_BYTES = 64 * 1024;
/** RFC 8461 §3.2: max_age at most 31557600 s (one year). */
export const MAX_MAX_AGE = 31_557_600;
/** Under a day, a policy barely outlives a DNS change; RFC 8461 §3.2 suggests weeks or more. */
export const SHORT_MAX_AGE = 86_400;

const MODES: readonly StsMode[] = ['enforce', 'testing', 'none'];
const PATTERN = /^(\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function parsePolicy(text: string): { policy: StsPolicy; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const policy: StsPolicy = { version: null, mode: null, mx: [], maxAge: null, extensions: {} };
  if (text.length > MAX_POLICY_BYTES) return { policy, problems: [{ severity: 'error', message: `policy is over ${MAX_POLICY_BYTES / 1024} KB, more than senders read` }] };
  // RFC 8461 §3.2: sts-policy-term = LF / CRLF — either line ending is correct, nothing to note.
  const seen = new Set<string>();
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      problems.push({ severity: 'error', message: `line ${i + 1}: "${line.slice(0, 60)}" is not "key: value"` });
      continue;
    }
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key !== 'mx' && seen.has(key)) problems.push({ severity: 'warn', message: `line ${i + 1}: ${key} appears more than once; senders use the first` });
    if (key !== 'mx' && seen.has(key)) continue;
    seen.add(key);
    readField(policy, key, value, i + 1, problems);
  }
  if (policy.version === null) problems.push({ severity: 'error', message: 'the version: STSv1 line is missing' });
  if (policy.mode === null && !problems.some((p) => p.message.includes('mode:'))) problems.push({ severity: 'error', message: 'the mode: line is missing' });
  if (policy.maxAge === null && !problems.some((p) => p.message.includes('max_age'))) problems.push({ severity: 'error', message: 'the max_age: line is missing' });
  if (policy.mode && policy.mode !== 'none' && policy.mx.length === 0) problems.push({ severity: 'error', message: `mode: ${policy.mode} without any mx: line matches no server` });
  return { policy, problems };
}

function readField(policy: StsPolicy, key: string, value: string, line: number, problems: PolicyProblem[]): void {
  switch (key) {
    case 'version':
      if (value === 'STSv1') policy.version = value;
      else problems.push({ severity: 'error', message: `line ${line}: version: ${value} (must be STSv1)` });
      return;
    case 'mode':
      if ((MODES as readonly string[]).includes(value)) policy.mode = value as StsMode;
      else problems.push({ severity: 'error', message: `line ${line}: mode: ${value} (must be enforce, testing or none)` });
      return;
    case 'max_age':
      if (/^[0-9]{1,10}$/.test(value) && Number(value) <= MAX_MAX_AGE) policy.maxAge = Number(value);
      else problems.push({ severity: 'error', message: `line ${line}: max_age: ${value} (seconds, 0 to ${MAX_MAX_AGE})` });
      return;
    case 'mx': {
      const pattern = value.toLowerCase().replace(/\.$/, '');
      if (PATTERN.test(pattern)) policy.mx.push(pattern);
      else problems.push({ severity: 'error', message: `line ${line}: mx: ${value} is not a host name or *.domain pattern` });
      return;
    }
    default:
      policy.extensions[key] = value;
  }
}

/**
 * Whether an MX host is covered by the policy (RFC 8461 §4.1): an exact name, or `*.domain`
 * matching exactly one leftmost label (`*.example.com` covers `mx.example.com`, not
 * `example.com` nor `a.b.example.com`). Case-insensitive; trailing dots ignored.
 */
export function mtaStsCovers(policy: Pick<StsPolicy, 'mx'>, mxHost: string): boolean {
  const host = mxHost.toLowerCase().replace(/\.$/, '');
  return policy.mx.some((pattern) => {
    const p = pattern.toLowerCase().replace(/\.$/, '');
    if (!p.startsWith('*.')) return p === host;
    const dot = host.indexOf('.');
    return dot > 0 && host.slice(dot + 1) === p.slice(2);
  });
}

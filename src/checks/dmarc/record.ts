/**
 * DMARC policy records (RFC 7489 §6.3, RFC 9989 §4.7): pure parsing into tags with a plain-English
 * meaning for each, and the syntax errors a receiver would stumble on. Whether a policy is weak
 * (p=none, sp weaker than p…) is judged in lint.ts; which record applies, in readings.ts.
 */
import { parseTagList } from '../dkim/tag-list.ts';

export type Policy = 'none' | 'quarantine' | 'reject';
export const POLICIES: readonly Policy[] = ['none', 'quarantine', 'reject'];

export interface ReportUri {
  /** As written, including an obsolete `!size` suffix. */
  uri: string;
  scheme: string;
  /** The mailbox for mailto:, the URL for https:. */
  target: string;
  /** Host that receives the reports (the mailbox's domain for mailto:), lower-case; null if unreadable. */
  host: string | null;
  /** Obsolete RFC 7489 size limit (`!10m`), removed by RFC 9989. */
  size: string | null;
  valid: boolean;
  problem?: string;
}

export interface DmarcRecord {
  text: string;
  tags: { name: string; value: string }[];
  /** Null when absent or not a valid policy (see `problems`). */
  p: Policy | null;
  sp: Policy | null;
  np: Policy | null;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  /** `pct` as published (RFC 7489; removed by RFC 9989), null when absent. */
  pct: number | null;
  fo: string[];
  rf: string | null;
  ri: number | null;
  rua: ReportUri[];
  ruf: ReportUri[];
  /** RFC 9989 test mode. */
  t: 'y' | 'n' | null;
  /** RFC 9989 public suffix domain flag. */
  psd: 'y' | 'n' | 'u' | null;
  unknownTags: string[];
}

export interface RecordProblem {
  severity: 'info' | 'warn' | 'error';
  message: string;
  tag: string | null;
}

export interface ParsedRecord {
  record: DmarcRecord;
  problems: RecordProblem[];
}

// RFC 7489 §6.4 / RFC 9989 §4.7: "v=DMARC1" must be the first tag, value matched exactly.
const VERSION_FIRST = /^v[ \t]*=[ \t]*DMARC1[ \t]*(?:;|$)/i;
const KNOWN_TAGS = new Set(['v', 'p', 'sp', 'np', 'adkim', 'aspf', 'pct', 'fo', 'rf', 'ri', 'rua', 'ruf', 't', 'psd']);
const SIZE_SUFFIX = /!([0-9]+[kmgt]?)$/i;
const MAILBOX = /^[^@\s,;!]+@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+)$/;

/** True when a TXT string at `_dmarc.` is a DMARC record a receiver would consider. */
export function isDmarcRecord(text: string): boolean {
  return VERSION_FIRST.test(text.trim());
}

/** True for TXT that was meant as DMARC but that receivers discard (e.g. `v=DMARC1` not first, `v=dmarc1 p=reject`). */
export function looksLikeDmarcAttempt(text: string): boolean {
  return !isDmarcRecord(text) && /dmarc1|^\s*v\s*=\s*dmarc|(^|;)\s*p\s*=\s*(none|quarantine|reject)/i.test(text);
}

export function parseDmarcRecord(text: string): ParsedRecord {
  const list = parseTagList(text.trim());
  const problems: RecordProblem[] = list.problems.map((p) => ({ severity: 'error', message: p.message, tag: null }));
  if (!isDmarcRecord(text)) problems.push({ severity: 'error', message: 'the record must start with v=DMARC1; receivers ignore it otherwise', tag: 'v' });
  const get = (name: string) => list.tags.find((t) => t.name.toLowerCase() === name)?.value;

  const record: DmarcRecord = {
    text,
    tags: list.tags.map(({ name, value }) => ({ name, value })),
    p: policyTag('p', get('p'), problems, true),
    sp: policyTag('sp', get('sp'), problems, false),
    np: policyTag('np', get('np'), problems, false),
    adkim: alignmentTag('adkim', get('adkim'), problems),
    aspf: alignmentTag('aspf', get('aspf'), problems),
    pct: pctTag(get('pct'), problems),
    fo: foTag(get('fo'), problems),
    rf: get('rf') ?? null,
    ri: riTag(get('ri'), problems),
    rua: uriList('rua', get('rua'), problems),
    ruf: uriList('ruf', get('ruf'), problems),
    t: flagTag('t', get('t'), ['y', 'n'], problems) as DmarcRecord['t'],
    psd: flagTag('psd', get('psd'), ['y', 'n', 'u'], problems) as DmarcRecord['psd'],
    unknownTags: list.tags.map((t) => t.name).filter((n) => !KNOWN_TAGS.has(n.toLowerCase())),
  };
  for (const name of record.unknownTags) problems.push({ severity: 'info', message: `unknown tag "${name}" is ignored by receivers`, tag: name });
  for (const t of list.tags) {
    if (t.name !== t.name.toLowerCase() && KNOWN_TAGS.has(t.name.toLowerCase())) {
      problems.push({ severity: 'warn', message: `tag names are case-sensitive: write "${t.name.toLowerCase()}", not "${t.name}"`, tag: t.name });
    }
  }
  return { record, problems };
}

function policyTag(name: string, value: string | undefined, problems: RecordProblem[], required: boolean): Policy | null {
  if (value === undefined) {
    if (required) problems.push({ severity: 'error', message: 'the p= tag (the policy) is missing', tag: name });
    return null;
  }
  const v = value.toLowerCase();
  if ((POLICIES as readonly string[]).includes(v)) return v as Policy;
  problems.push({ severity: 'error', message: `${name}=${value} is not a policy (none, quarantine or reject)`, tag: name });
  return null;
}

function alignmentTag(name: string, value: string | undefined, problems: RecordProblem[]): 'r' | 's' {
  if (value === undefined) return 'r';
  const v = value.toLowerCase();
  if (v === 'r' || v === 's') return v;
  problems.push({ severity: 'error', message: `${name}=${value} must be r (relaxed) or s (strict)`, tag: name });
  return 'r';
}

function pctTag(value: string | undefined, problems: RecordProblem[]): number | null {
  if (value === undefined) return null;
  if (/^[0-9]{1,3}$/.test(value) && Number(value) <= 100) return Number(value);
  problems.push({ severity: 'error', message: `pct=${value} must be a whole number from 0 to 100`, tag: 'pct' });
  return null;
}

function riTag(value: string | undefined, problems: RecordProblem[]): number | null {
  if (value === undefined) return null;
  if (/^[0-9]{1,10}$/.test(value)) return Number(value);
  problems.push({ severity: 'warn', message: `ri=${value} must be a number of seconds`, tag: 'ri' });
  return null;
}

function foTag(value: string | undefined, problems: RecordProblem[]): string[] {
  if (value === undefined) return ['0'];
  const options = value.split(':').map((s) => s.trim().toLowerCase());
  const bad = options.filter((o) => !['0', '1', 'd', 's'].includes(o));
  if (bad.length) problems.push({ severity: 'warn', message: `fo=${value}: ${bad.join(', ')} not among 0, 1, d, s`, tag: 'fo' });
  return options.filter((o) => !bad.includes(o));
}

function flagTag(name: string, value: string | undefined, allowed: string[], problems: RecordProblem[]): string | null {
  if (value === undefined) return null;
  const v = value.toLowerCase();
  if (allowed.includes(v)) return v;
  problems.push({ severity: 'error', message: `${name}=${value} must be ${allowed.join(' or ')}`, tag: name });
  return null;
}

function uriList(name: string, value: string | undefined, problems: RecordProblem[]): ReportUri[] {
  if (value === undefined) return [];
  const uris = value.split(',').map((u) => u.trim()).filter((u) => u !== '').map(parseReportUri);
  if (uris.length === 0) problems.push({ severity: 'error', message: `${name}= is empty`, tag: name });
  for (const u of uris) {
    if (!u.valid) problems.push({ severity: 'error', message: `${name}: "${u.uri}" ${u.problem}`, tag: name });
    else if (u.size) problems.push({ severity: 'info', message: `${name}: the size limit "!${u.size}" is obsolete (RFC 9989) and ignored`, tag: name });
  }
  return uris;
}

/** One reporting URI (RFC 7489 §6.2 dmarc-uri): mailto: or https:, with an optional `!size`. */
export function parseReportUri(uri: string): ReportUri {
  const size = uri.match(SIZE_SUFFIX)?.[1] ?? null;
  const bare = size ? uri.slice(0, uri.length - size.length - 1) : uri;
  const scheme = bare.match(/^([A-Za-z][A-Za-z0-9+.-]*):/)?.[1]?.toLowerCase() ?? '';
  const base = { uri, scheme, size, target: bare.slice(scheme.length + 1), host: null };
  if (!scheme) {
    const hint = MAILBOX.test(bare) ? ` (write mailto:${bare})` : '';
    return { ...base, target: bare, valid: false, problem: `is not a URI${hint}` };
  }
  if (scheme === 'mailto') {
    const address = decodeURIComponentSafe(base.target.split('?')[0] ?? '');
    const host = address.match(MAILBOX)?.[1]?.toLowerCase() ?? null;
    return host ? { ...base, target: address, host, valid: true } : { ...base, valid: false, problem: 'is not a mailto: URI with a valid address' };
  }
  if (scheme === 'https' || scheme === 'http') {
    try {
      const url = new URL(bare);
      return { ...base, target: url.href, host: url.hostname.toLowerCase(), valid: true };
    } catch {
      return { ...base, valid: false, problem: 'is not a valid URL' };
    }
  }
  return { ...base, valid: false, problem: `uses the ${scheme}: scheme; receivers send reports to mailto: addresses` };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The policy tags a receiver applies (RFC 7489 §6.6.3 step 6, RFC 9989 §4.10.1): null = no DMARC processing. */
export function appliedPolicyTags(record: DmarcRecord, problems: readonly RecordProblem[]): { p: Policy; sp: Policy | null; np: Policy | null; fallback: boolean } | null {
  const spBad = problems.some((x) => x.tag === 'sp' && x.severity === 'error');
  const npBad = problems.some((x) => x.tag === 'np' && x.severity === 'error');
  if (record.p && !spBad && !npBad) return { p: record.p, sp: record.sp, np: record.np, fallback: false };
  // A record with a broken policy but a usable report address acts as p=none, so reports still flow.
  return record.rua.some((u) => u.valid) ? { p: 'none', sp: null, np: null, fallback: true } : null;
}

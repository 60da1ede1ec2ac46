/** What each tag of a DMARC record tells receivers, in the engineer's words (RFC 7489 §6.3, RFC 9989 §4.7). */
import type { DmarcRecord } from './record.ts';

export interface TagExplanation {
  tag: string;
  value: string;
  meaning: string;
}

const POLICY_MEANING: Record<string, string> = {
  none: 'take no action on mail that fails DMARC (monitoring only)',
  quarantine: 'treat mail that fails DMARC as suspicious (usually the spam folder)',
  reject: 'reject mail that fails DMARC during the SMTP conversation',
};

const FO_MEANING: Record<string, string> = {
  '0': 'when both SPF and DKIM fail to align',
  '1': 'when either SPF or DKIM fails to align',
  'd': 'when a DKIM signature fails to verify',
  's': 'when SPF fails',
};

export function explainTags(record: DmarcRecord): TagExplanation[] {
  return record.tags.map(({ name, value }) => ({ tag: name, value, meaning: meaning(name.toLowerCase(), value, record) }));
}

function meaning(tag: string, value: string, record: DmarcRecord): string {
  const v = value.toLowerCase();
  switch (tag) {
    case 'v': return 'identifies the record as DMARC version 1';
    case 'p': return `for this domain: ${POLICY_MEANING[v] ?? 'not a valid policy'}`;
    case 'sp': return `for subdomains: ${POLICY_MEANING[v] ?? 'not a valid policy'}`;
    case 'np': return `for subdomains that do not exist (RFC 9989 receivers only): ${POLICY_MEANING[v] ?? 'not a valid policy'}`;
    case 'adkim': return v === 's' ? 'DKIM alignment is strict: the signing domain must equal the From domain' : 'DKIM alignment is relaxed: the signing domain may be any name in the same organizational domain';
    case 'aspf': return v === 's' ? 'SPF alignment is strict: the MAIL FROM domain must equal the From domain' : 'SPF alignment is relaxed: the MAIL FROM domain may be any name in the same organizational domain';
    case 'pct': return `RFC 7489 receivers apply the policy to ${value}% of failing mail (the rest is handled one step softer); RFC 9989 removed this tag and ignores it`;
    case 'fo': return `failure reports are requested ${record.fo.map((o) => FO_MEANING[o]).filter(Boolean).join(', or ') || 'on an unknown condition'}`;
    case 'rf': return 'failure report format (removed by RFC 9989; afrf is the only format)';
    case 'ri': return `aggregate reports requested every ${value} seconds (removed by RFC 9989; receivers send daily)`;
    case 'rua': return `aggregate (daily summary) reports go to ${record.rua.map((u) => u.target).join(', ')}`;
    case 'ruf': return `failure (per-message) reports go to ${record.ruf.map((u) => u.target).join(', ')}; few receivers send them`;
    case 't': return v === 'y' ? 'test mode (RFC 9989): receivers apply one step softer than published (reject → quarantine, quarantine → none)' : 'not in test mode';
    case 'psd': return v === 'y' ? 'this domain is a public suffix (RFC 9989): its policy covers organizations registered under it' : v === 'n' ? 'this domain is an organizational domain, not a public suffix (RFC 9989)' : 'public-suffix status left unspecified';
    default: return 'unknown tag, ignored by receivers';
  }
}

/**
 * Received header fields (RFC 5321 4.4) as hops: from / by / with / id / for, the connecting
 * address, the timestamp in UTC, and the delay since the previous hop. MTAs word these freely
 * (Postfix, Exim, Sendmail, qmail, Exchange, Gmail), so the parser reads clauses by keyword and
 * pulls addresses out of the comments rather than expecting one grammar.
 */
import type { Hop } from './types.ts';

const IPV4 = /(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.]*\d)/;
const IPV6_BRACKET = /\[(?:IPv6:)?([0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:\d{1,3}(?:\.\d{1,3}){3})?)\]/i;
const KEYWORDS = ['from', 'by', 'via', 'with', 'id', 'for'] as const;
type Keyword = (typeof KEYWORDS)[number];

/** Splits "from a (b) by c with d id e for f" into keyword → text, ignoring keywords inside comments. */
function clauses(text: string): Partial<Record<Keyword, string>> {
  const out: Partial<Record<Keyword, string>> = {};
  let depth = 0;
  let current: Keyword | null = null;
  let buf = '';
  const tokens = text.split(/(\s+|[()])/);
  for (const tok of tokens) {
    if (tok === '(') depth++;
    if (tok === ')') depth = Math.max(0, depth - 1);
    const word = tok.toLowerCase() as Keyword;
    if (depth === 0 && KEYWORDS.includes(word) && !(word in out) && (current === null || buf.trim())) {
      if (current) out[current] = buf.trim();
      current = word;
      buf = '';
      continue;
    }
    buf += tok;
  }
  if (current) out[current] = buf.trim();
  return out;
}

const IPV6_BARE = /(?:^|[\s(])((?:[0-9a-f]{1,4}:){2,7}:?[0-9a-f]{0,4}(?:::?[0-9a-f]{1,4})*)(?=[\s)\]]|$)/i;

const IPV4_BRACKET = /\[(?:IPv4:)?(\d{1,3}(?:\.\d{1,3}){3})\]/;
/** A bare dotted quad that is not part of a host name (`77.113.0.203.static.isp.example` is a name). */
const IPV4_BARE = /(?<![\w.-])(\d{1,3}(?:\.\d{1,3}){3})(?![\w.-]*[A-Za-z\d])/;

/** The address a hop recorded: a bracketed literal first (what the receiver saw), then a bare one. */
function firstIp(text: string): string | null {
  const bracketed = [IPV4_BRACKET.exec(text), IPV6_BRACKET.exec(text)].filter((m): m is RegExpExecArray => !!m).sort((a, b) => a.index - b.index)[0];
  if (bracketed) return bracketed[1]!.toLowerCase();
  const v6 = IPV6_BARE.exec(text);
  const v4 = IPV4_BARE.exec(text);
  if (v4 && (!v6 || v4.index < v6.index)) return v4[1]!;
  return v6 ? v6[1]!.toLowerCase() : null;
}

function firstWord(text: string | undefined): string | null {
  if (!text) return null;
  const w = text.replace(/^\(+/, '').split(/[\s(;]/)[0]?.replace(/^<|>$/g, '').replace(/[,;]$/, '');
  return w || null;
}

/** RFC 5322 date (with the comments and oddities MTAs add) → ISO string in UTC. */
export function parseMailDate(text: string | null): string | null {
  if (!text) return null;
  const cleaned = text.replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ').replace(/\b(\d{1,2}:\d{2}(?::\d{2})?)\.\d+/, '$1').trim();
  let t = Date.parse(cleaned);
  if (Number.isNaN(t)) t = Date.parse(cleaned.replace(/^[A-Za-z]{3},?\s*/, '').replace(/ ([A-Z]{3,4})$/, ''));
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** True for hops that only record a hand-off inside one host (no network connection). */
function isLocalHop(value: string, parts: Partial<Record<Keyword, string>>): boolean {
  return /\bwith (local|local-esmtp|local-smtp|LMTP-local)\b/i.test(value)
    || /\bfrom userid \d+/i.test(value) || /\(from userid \d+\)/i.test(value)
    || /\binvoked by (uid|alias)\b/i.test(value)
    || (!parts.from && !!parts.by && /\bid\b/i.test(value) && !/\bwith (e?smtp|http|mapi)/i.test(value) && /userid|uid/i.test(value));
}

export function parseReceived(value: string): Omit<Hop, 'index' | 'delaySeconds' | 'skew'> {
  const semi = value.lastIndexOf(';');
  const body = semi >= 0 ? value.slice(0, semi) : value;
  const date = parseMailDate(semi >= 0 ? value.slice(semi + 1) : null);
  const parts = clauses(body);
  const fromText = parts.from ?? '';
  const from = firstWord(fromText);
  const comment = /\(([^()]*(?:\([^()]*\)[^()]*)*)\)/.exec(fromText)?.[1] ?? '';
  // qmail puts the address in parentheses after the name; Postfix "(rdns [ip])"; Exim "([ip] helo=name)".
  const fromIp = firstIp(comment) ?? firstIp(fromText) ?? (from && IPV4.test(from) ? from.replace(/[[\]]/g, '') : null);
  const rdnsMatch = /^\s*([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,})\.?\s*\[/.exec(comment);
  const heloMatch = /\b(?:HELO|EHLO|helo=)\s*=?\s*([^\s)\]]+)/i.exec(fromText);
  const forText = parts.for ? /<?([^\s<>;]+@[^\s<>;]+)>?/.exec(parts.for)?.[1] ?? null : null;
  return {
    from: from?.replace(/^\[|\]$/g, '') ?? null,
    helo: heloMatch?.[1]?.replace(/^\[|\]$/g, '') ?? null,
    fromRdns: rdnsMatch?.[1]?.toLowerCase() ?? (comment.startsWith('unknown') ? null : null),
    fromIp,
    by: firstWord(parts.by),
    with: firstWord(parts.with),
    id: firstWord(parts.id),
    for: forText?.toLowerCase() ?? null,
    date,
    local: isLocalHop(value, parts),
    raw: value,
  };
}

/**
 * Hops in travel order (oldest first), from Received values as they appear in the header (newest
 * first). Delay is the time since the previous hop; a negative delay is clock skew, shown as such.
 */
export function buildHops(receivedValues: string[]): Hop[] {
  const hops: Hop[] = [];
  const ordered = [...receivedValues].reverse();
  let previous: number | null = null;
  ordered.forEach((value, i) => {
    const hop = parseReceived(value);
    const t = hop.date ? Date.parse(hop.date) : null;
    const delay = t !== null && previous !== null ? Math.round((t - previous) / 1000) : null;
    hops.push({ index: i + 1, ...hop, delaySeconds: delay, skew: delay !== null && delay < 0 });
    if (t !== null) previous = t;
  });
  return hops;
}

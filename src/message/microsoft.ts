/**
 * Microsoft 365 / Exchange Online headers: X-Forefront-Antispam-Report (CIP = connecting IP,
 * SFV = spam filter verdict, SCL = spam confidence level, CTRY, PTR, IPV, SRV, …) decoded into
 * words, X-MS-Exchange-Organization-* kept, and X-Originating-IP. CIP is the address Exchange
 * Online saw connect, the most trustworthy origin inside a Microsoft-hosted chain.
 */
import { type HeaderField, headerValue } from './header.ts';
import type { MicrosoftHeaders } from './types.ts';

const FIELD_MEANINGS: Record<string, string> = {
  CIP: 'connecting IP address', CTRY: 'country of the connecting IP', LANG: 'language of the message', SCL: 'spam confidence level',
  SRV: 'bulk/service classification', IPV: 'IP reputation verdict', SFV: 'spam filter verdict', PTR: 'reverse DNS of the connecting IP',
  CAT: 'protection policy category', H: 'HELO/EHLO name of the connecting server', SFP: 'spam filter policy', SFS: 'matched spam rules',
  DIR: 'direction (INB inbound, OUT outbound, INT internal)', SFTY: 'safety tip category', BCL: 'bulk complaint level', EFV: 'language filter',
};
const VALUE_MEANINGS: Record<string, Record<string, string>> = {
  SFV: { BLK: 'blocked: sender on the recipient\'s blocked list', NSPM: 'not spam', SFE: 'allowed: sender on the recipient\'s safe list', SKA: 'skipped: allowed by policy', SKB: 'marked spam: matched a block list in policy', SKI: 'skipped: intra-organisation mail', SKN: 'skipped: marked non-spam by a rule', SKQ: 'released from quarantine', SKS: 'marked spam by a mail flow rule', SPM: 'spam' },
  IPV: { CAL: 'allowed: IP on the connection allow list', NLI: 'IP not on any reputation list' },
  SRV: { BULK: 'bulk mail' },
  DIR: { INB: 'inbound', OUT: 'outbound', INT: 'internal' },
  CAT: { BULK: 'bulk', DIMP: 'domain impersonation', GIMP: 'mailbox-intelligence impersonation', HPHSH: 'high-confidence phishing', HPHISH: 'high-confidence phishing', HSPM: 'high-confidence spam', MALW: 'malware', PHSH: 'phishing', SPM: 'spam', SPOOF: 'spoofing', UIMP: 'user impersonation', AMP: 'anti-malware', SAP: 'safe attachments', OSPM: 'outbound spam', NONE: 'none' },
};

function sclMeaning(v: string): string {
  const n = Number(v);
  if (n === -1) return 'not scanned: trusted sender';
  if (n <= 1) return 'not spam';
  if (n <= 6) return 'spam';
  return 'high-confidence spam';
}

export function decodeForefront(value: string): Record<string, { value: string; meaning: string | null }> {
  const out: Record<string, { value: string; meaning: string | null }> = {};
  for (const part of value.split(';')) {
    const i = part.indexOf(':');
    if (i < 0) continue;
    const key = part.slice(0, i).trim().toUpperCase();
    const v = part.slice(i + 1).trim();
    if (!key) continue;
    const own = key === 'SCL' ? sclMeaning(v) : VALUE_MEANINGS[key]?.[v.toUpperCase()] ?? null;
    out[key] = { value: v, meaning: own ? `${FIELD_MEANINGS[key] ?? key}: ${own}` : FIELD_MEANINGS[key] ?? null };
  }
  return out;
}

export function readMicrosoftHeaders(headers: HeaderField[]): MicrosoftHeaders | null {
  const report = headerValue(headers, 'x-forefront-antispam-report') ?? headerValue(headers, 'x-forefront-antispam-report-untrusted');
  const organization: Record<string, string> = {};
  for (const h of headers) if (h.name.startsWith('x-ms-exchange-organization-')) organization[h.name.slice('x-ms-exchange-organization-'.length)] ??= h.value;
  const originating = headerValue(headers, 'x-originating-ip')?.replace(/[[\]\s]/g, '') ?? null;
  if (!report && !Object.keys(organization).length && !originating) return null;
  const antispam = report ? decodeForefront(report) : null;
  const connectingIp = antispam?.CIP?.value ?? organization['originalclientipaddress'] ?? null;
  return { antispam, connectingIp, organization, originatingIp: originating };
}

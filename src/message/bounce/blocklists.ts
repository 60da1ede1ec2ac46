/**
 * Blocklists a receiver names in its refusal ("blocked using zen.spamhaus.org", "listed at
 * bl.spamcop.net", "see https://www.spamcop.net/bl.shtml?192.0.2.1"), from
 * `data/bounce-blocklists.json`. Ids match the DNSBL catalog so the diagnosis can re-query them.
 */
import catalog from '../../../data/bounce-blocklists.json' with { type: 'json' };
import type { BlocklistMention } from '../types.ts';

interface ListEntry { id: string; name: string; zone: string | null; dqsZone?: string; lookupUrl: string | null }

const lists = catalog.lists as ListEntry[];
const byId = new Map(lists.map((l) => [l.id, l]));
const byZone = new Map(lists.filter((l) => l.zone).map((l) => [l.zone!.toLowerCase(), l]));
// A keyed zone ('<key>.zen.dq.spamhaus.net') is the list itself; the first list per zone names it (ZEN, not CSS, for sbl).
const byDqsZone = new Map<string, ListEntry>();
for (const l of lists) if (l.dqsZone && !byDqsZone.has(l.dqsZone)) byDqsZone.set(l.dqsZone.toLowerCase(), l);

/** The catalog entry for a zone named in the text: itself, a parent zone, or a keyed Data Query Service zone. */
function entryForZone(zone: string): { entry: ListEntry | undefined; zone: string } {
  const exact = byZone.get(zone);
  if (exact) return { entry: exact, zone };
  for (const [dq, entry] of byDqsZone) {
    // The subscriber's key is the receiver's secret: report the zone without it.
    if (zone === dq || zone.endsWith('.' + dq)) return { entry, zone: dq };
  }
  return { entry: [...byZone.entries()].find(([z]) => zone.endsWith('.' + z))?.[1], zone };
}
const aliases = catalog.aliases.map((a) => ({ id: a.id, re: new RegExp(a.regex, 'i') }));
const zoneContext = new RegExp(catalog.zoneContext, 'gi');
const listedAddress = catalog.listedAddress.map((r) => new RegExp(r, 'i'));

function listedIn(text: string): string | null {
  for (const re of listedAddress) {
    const ip = re.exec(text)?.groups?.ip;
    if (ip && !/^(127\.|0\.)/.test(ip)) return ip;
  }
  return null;
}

function mention(entry: ListEntry | undefined, zone: string | null, listed: string | null, fallbackId?: string): BlocklistMention {
  const url = entry?.lookupUrl ?? null;
  return {
    name: entry?.name ?? zone ?? fallbackId ?? 'unknown list',
    id: entry?.id ?? (zone ? `zone:${zone}` : fallbackId ?? 'unknown'),
    zone: zone ?? entry?.zone ?? null,
    listed,
    lookupUrl: url && listed && url.includes('{ip}') ? url.replace('{ip}', listed) : url?.includes('{ip}') ? url.replace(/\?.*$/, '') : url,
  };
}

/** Every blocklist the text names, once each. */
export function findBlocklists(text: string | null): BlocklistMention[] {
  if (!text) return [];
  const listed = listedIn(text);
  const found = new Map<string, BlocklistMention>();
  for (const m of text.matchAll(zoneContext)) {
    const { entry, zone } = entryForZone(m.groups!.zone!.toLowerCase().replace(/\.$/, ''));
    const item = mention(entry, zone, listed);
    found.set(item.id, item);
  }
  const lower = text.toLowerCase();
  for (const [zone, entry] of byZone) {
    if (!found.has(entry.id) && lower.includes(zone)) found.set(entry.id, mention(entry, zone, listed));
  }
  for (const alias of aliases) {
    if (alias.re.test(text) && ![...found.values()].some((f) => f.id.startsWith(alias.id.split('-')[0]!))) {
      found.set(alias.id, mention(byId.get(alias.id), null, listed, alias.id));
    }
  }
  return [...found.values()];
}

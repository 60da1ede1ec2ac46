/**
 * The mechanisms that look at the client address (RFC 7208 §5.3–5.7): a, mx, ptr, ip4, ip6,
 * exists; and the <target-name> expansion they share (§4.8, §7), including the validated domain
 * name of the client that `ptr` and %{p} need (§5.5). include and redirect live in evaluate.ts.
 */
import { isFailure } from '../../net/dns/types.ts';
import { inNetwork, networkOf, parseIpLiteral, reverseName } from './address.ts';
import { countLookup, countVoid, isVoid, query, Stop, temperror, type Evaluation } from './limits.ts';
import { expandMacroString, queryableName, targetName, usesLetter, type MacroToken } from './macro.ts';
import type { Mechanism } from './parse.ts';
import type { SpfLookup, SpfTermTrace } from './types.ts';

/** The record being evaluated: its <domain> (what %{d} and a bare a/mx/ptr mean). */
export interface Scope {
  domain: string;
}

/**
 * Expands a domain-spec into a queryable <target-name>, or null (with a note on the term) when the
 * result cannot be a DNS name. `counted`: whether a %{p} PTR query counts toward the limits (not
 * for exp=, §4.6.4).
 */
export async function expandTarget(ev: Evaluation, scope: Scope, tokens: MacroToken[], term: SpfTermTrace, counted = true): Promise<string | null> {
  let validatedName: string | undefined;
  if (usesLetter(tokens, 'p')) {
    if (counted) countLookup(ev, term, scope.domain, `${term.term} (%{p})`);
    validatedName = pickValidatedName(await validatedNames(ev, scope, term, counted ? 'p-macro' : 'explanation'), scope.domain);
  }
  const expanded = expandMacroString(tokens, { sender: ev.sender, domain: scope.domain, ip: ev.ip, helo: ev.helo, receiver: ev.receiver, now: ev.now, validatedName });
  const name = targetName(expanded);
  const check = queryableName(name);
  if (!check.ok) {
    term.note = `target "${name}" cannot be looked up (${check.reason})`;
    return null;
  }
  term.target = name;
  return name;
}

/**
 * The client's validated domain names (RFC 7208 §5.5): the names of its PTR records (the first
 * `maxPtrNames`) whose own A/AAAA records include the client address. `wanted` filters the names
 * before validation, so a ptr mechanism only validates names that could match it, and stops at the
 * first one that validates.
 */
export async function validatedNames(ev: Evaluation, scope: Scope, term: SpfTermTrace, purpose: 'ptr' | 'p-macro' | 'explanation', wanted?: (name: string) => boolean): Promise<string[]> {
  const { dns, lookup } = await query(ev, reverseName(ev.ip), 'PTR', purpose, term.lookups);
  // "If a DNS error occurs while doing the PTR RR lookup, then this mechanism fails to match" (§5.5).
  if (isFailure(dns.outcome)) return [];
  if (isVoid(dns)) {
    if (purpose !== 'explanation') countVoid(ev, lookup, scope.domain, term.term);
    return [];
  }
  const names = dns.records.slice(0, ev.limits.maxPtrNames).map((r) => r.data);
  const validated: string[] = [];
  for (const name of names) {
    if (wanted && !wanted(name)) continue;
    if (!queryableName(name).ok) continue;
    if (purpose !== 'explanation') ev.subLookups++;
    const type = ev.ip.family === 4 ? 'A' : 'AAAA';
    const answer = await query(ev, name, type, 'ptr-name', term.lookups);
    // "If a DNS error occurs while doing an A RR lookup, then that domain name is skipped" (§5.5).
    if (answer.dns.records.some((r) => sameAddress(r.data))) validated.push(name);
    // One validated name within the target is enough for the ptr mechanism.
    if (wanted && validated.length) break;
  }
  return validated;

  function sameAddress(text: string): boolean {
    const a = parseIpLiteral(text);
    return !!a && a.family === ev.ip.family && a.value === ev.ip.value;
  }
}

/** %{p}: the <domain> itself if validated, else a subdomain of it, else any validated name (§7.3). */
export function pickValidatedName(names: string[], domain: string): string {
  const d = domain.toLowerCase();
  return names.find((n) => n === d) ?? names.find((n) => n.endsWith(`.${d}`)) ?? names[0] ?? 'unknown';
}

function matchesAny(ev: Evaluation, addresses: string[], mechanism: Mechanism): boolean {
  const prefix = ev.ip.family === 4 ? (mechanism.cidr4 ?? 32) : (mechanism.cidr6 ?? 128);
  return addresses.some((text) => {
    const a = parseIpLiteral(text);
    return !!a && a.family === ev.ip.family && inNetwork(ev.ip, networkOf(a, prefix));
  });
}

async function targetOf(ev: Evaluation, scope: Scope, mechanism: Mechanism, term: SpfTermTrace): Promise<string | null> {
  if (!mechanism.domainTokens) {
    term.target = scope.domain;
    return scope.domain;
  }
  return expandTarget(ev, scope, mechanism.domainTokens, term);
}

/** Addresses of the client's family at `name`; a void answer counts only for the term's own query. */
async function addressesOf(ev: Evaluation, scope: Scope, name: string, term: SpfTermTrace, purpose: 'mechanism' | 'mx-host', into: SpfLookup[]): Promise<string[]> {
  const type = ev.ip.family === 4 ? 'A' : 'AAAA';
  const { dns, lookup } = await query(ev, name, type, purpose, into);
  if (isFailure(dns.outcome)) throw temperror(dns, term.term);
  if (purpose === 'mechanism' && isVoid(dns)) {
    const other = ev.limits.voidRule === 'dual-stack' ? await query(ev, name, type === 'A' ? 'AAAA' : 'A', purpose, into) : null;
    if (!other || isVoid(other.dns) || isFailure(other.dns.outcome)) countVoid(ev, lookup, scope.domain, term.term);
  }
  return dns.records.map((r) => r.data);
}

export async function evaluateA(ev: Evaluation, scope: Scope, mechanism: Mechanism, term: SpfTermTrace): Promise<boolean> {
  term.lookup = countLookup(ev, term, scope.domain);
  const name = await targetOf(ev, scope, mechanism, term);
  if (!name) return false;
  return matchesAny(ev, await addressesOf(ev, scope, name, term, 'mechanism', term.lookups), mechanism);
}

export async function evaluateMx(ev: Evaluation, scope: Scope, mechanism: Mechanism, term: SpfTermTrace): Promise<boolean> {
  term.lookup = countLookup(ev, term, scope.domain);
  const name = await targetOf(ev, scope, mechanism, term);
  if (!name) return false;
  const { dns, lookup } = await query(ev, name, 'MX', 'mechanism', term.lookups);
  if (isFailure(dns.outcome)) throw temperror(dns, term.term);
  if (isVoid(dns)) {
    countVoid(ev, lookup, scope.domain, term.term);
    return false;
  }
  // Most preferred first; a null MX (RFC 7505, exchange ".") names no host and is skipped.
  const hosts = [...dns.records].sort((a, b) => a.data.preference - b.data.preference).map((r) => r.data.exchange).filter((h) => h !== '');
  let looked = 0;
  for (const host of hosts) {
    if (looked >= ev.limits.maxMxNames) {
      throw new Stop('permerror', `"${term.term}" in ${scope.domain}'s record: ${name} has ${hosts.length} MX hosts, more than ${ev.limits.maxMxNames} may be looked up (RFC 7208 §4.6.4)`);
    }
    looked++;
    if (!queryableName(host).ok) continue;
    ev.subLookups++;
    if (matchesAny(ev, await addressesOf(ev, scope, host, term, 'mx-host', term.lookups), mechanism)) {
      term.note = `client address is an address of MX host ${host}`;
      return true;
    }
  }
  return false;
}

export async function evaluatePtr(ev: Evaluation, scope: Scope, mechanism: Mechanism, term: SpfTermTrace): Promise<boolean> {
  term.lookup = countLookup(ev, term, scope.domain);
  const target = await targetOf(ev, scope, mechanism, term);
  if (!target) return false;
  const t = target.toLowerCase();
  const within = (name: string) => name === t || name.endsWith(`.${t}`);
  const names = await validatedNames(ev, scope, term, 'ptr', within);
  if (names.length) term.note = `validated name ${names[0]} is within ${t}`;
  return names.length > 0;
}

export async function evaluateExists(ev: Evaluation, scope: Scope, mechanism: Mechanism, term: SpfTermTrace): Promise<boolean> {
  term.lookup = countLookup(ev, term, scope.domain);
  const name = await targetOf(ev, scope, mechanism, term);
  if (!name) return false;
  // "The lookup type is A even when the connection is IPv6" (§5.7).
  const { dns, lookup } = await query(ev, name, 'A', 'mechanism', term.lookups);
  if (isFailure(dns.outcome)) throw temperror(dns, term.term);
  if (isVoid(dns)) countVoid(ev, lookup, scope.domain, term.term);
  return dns.records.length > 0;
}

/** ip4 / ip6 (§5.6): an IPv4 client never matches ip6, an IPv6 client never matches ip4. */
export function evaluateIp(ev: Evaluation, mechanism: Mechanism): boolean {
  const network = parseIpLiteral(mechanism.network ?? '');
  const family = mechanism.name === 'ip4' ? 4 : 6;
  if (!network || network.family !== family || ev.ip.family !== family) return false;
  const prefix = family === 4 ? (mechanism.cidr4 ?? 32) : (mechanism.cidr6 ?? 128);
  return inNetwork(ev.ip, networkOf(network, prefix));
}

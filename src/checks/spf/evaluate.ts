/**
 * check_host() (RFC 7208 §4–§6): the record of the <domain> is fetched and parsed, its mechanisms
 * are evaluated left to right until one matches, then `redirect=` if nothing matched and the record
 * has no `all`, and on fail the `exp=` explanation. Every step lands in a trace tree. Processing
 * limits and their reading are described in limits.ts.
 */
import { domainToASCII } from 'node:url';
import type { Resolver } from '../../net/dns/types.ts';
import { isFailure } from '../../net/dns/types.ts';
import { InputError } from '../../errors.ts';
import { formatAddress, parseClientIp } from './address.ts';
import { countLookup, countVoid, DEFAULT_LIMITS, isVoid, query, Stop, type CheckHostOptions, type Evaluation } from './limits.ts';
import { expandMacroString, parseMacroString, usesLetter } from './macro.ts';
import { evaluateA, evaluateExists, evaluateIp, evaluateMx, evaluatePtr, expandTarget, pickValidatedName, validatedNames, type Scope } from './mechanisms.ts';
import { parseRecord, type Mechanism, type Modifier, type SpfRecord } from './parse.ts';
import { classifyTxt } from './record.ts';
import { QUALIFIER_RESULT, type CheckHostResult, type SpfRecordTrace, type SpfResult, type SpfTermTrace } from './types.ts';

export type { CheckHostOptions } from './limits.ts';

export interface CheckHostInput {
  /** The SMTP client's address. */
  ip: string;
  /** MAIL FROM (may be empty: then postmaster@HELO is checked, RFC 7208 §2.4). */
  sender?: string;
  /** HELO/EHLO name. */
  helo?: string;
  /** The <domain> to check; derived from sender/helo when absent. */
  domain?: string;
  /** The receiving host's name, for the `r` macro in explanations. */
  receiver?: string;
  now?: Date;
}

/**
 * The identity check_host() runs with (RFC 7208 §2.3, §2.4, §4.3): MAIL FROM's domain, or the HELO
 * name when MAIL FROM is empty; an empty local-part becomes "postmaster".
 */
export function spfIdentity(input: { sender?: string; helo?: string }): { sender: string; domain: string } {
  const raw = (input.sender ?? '').trim();
  const sender = raw || `postmaster@${(input.helo ?? '').trim()}`;
  const at = sender.lastIndexOf('@');
  const local = at > 0 ? sender.slice(0, at) : 'postmaster';
  const domain = (at >= 0 ? sender.slice(at + 1) : sender).replace(/\.$/, '');
  return { sender: `${local}@${domain}`, domain };
}

/** Why a <domain> is not one check_host() can look up (RFC 7208 §4.3), or null. */
export function initialDomainProblem(domain: string): string | null {
  if (!domain) return 'empty domain';
  if (domain.startsWith('[')) return `"${domain}" is an address literal, not a domain`;
  const labels = domain.split('.');
  if (labels.length < 2) return `"${domain}" is not a fully qualified domain name`;
  if (domain.length > 253) return 'domain longer than 253 characters';
  for (const label of labels) {
    if (!label) return `"${domain}" has an empty label`;
    if (label.length > 63) return `"${domain}" has a label longer than 63 characters`;
    if (!/^[\x21-\x7e]+$/.test(label)) return `"${domain}" holds characters a domain cannot`;
  }
  return null;
}

export async function checkHost(ctx: { resolver: Resolver }, input: CheckHostInput, options: CheckHostOptions = {}): Promise<CheckHostResult> {
  const ip = parseClientIp(input.ip ?? '');
  if (!ip) throw new InputError(`invalid client IP address "${input.ip}"`);
  const identity = spfIdentity(input);
  let domain = (input.domain ?? identity.domain).replace(/\.$/, '');
  if (/[^\x00-\x7f]/.test(domain)) domain = domainToASCII(domain.toLowerCase()) || domain;
  const sender = input.domain && !input.sender ? `postmaster@${domain}` : identity.sender;
  const limits = { ...DEFAULT_LIMITS, ...options };
  const ev: Evaluation = {
    resolver: ctx.resolver, ip, sender, helo: input.helo ?? '', receiver: input.receiver ?? 'unknown', now: input.now ?? new Date(),
    limits, deadline: Date.now() + limits.maxElapsedMs, lookups: 0, voidLookups: 0, subLookups: 0, lookupCauses: [], voidCauses: [],
  };
  const trace: SpfRecordTrace = { domain, via: 'check_host', record: null, lookups: [], terms: [], result: 'none' };
  const base = { domain, sender, ip: formatAddress(ip), trace };
  const finish = (extra: Partial<CheckHostResult>): CheckHostResult => ({
    ...base, result: trace.result, ...extra, lookups: ev.lookups, voidLookups: ev.voidLookups, subLookups: ev.subLookups, lookupCauses: ev.lookupCauses, voidCauses: ev.voidCauses,
  });

  const problem = initialDomainProblem(domain);
  if (problem) {
    trace.error = `${problem}: no SPF lookup is possible (RFC 7208 §4.3)`;
    return finish({ error: trace.error });
  }
  try {
    const { explanation } = await evaluateRecord(ev, domain, trace, true);
    return finish(explanation !== undefined ? { explanation } : {});
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    return finish({ result: err.result, error: err.message });
  }
}

interface RecordOutcome {
  result: SpfResult;
  explanation?: string;
}

/**
 * Evaluates the record at `domain` into `trace`. Returns pass/fail/softfail/neutral/none; throws
 * Stop for permerror and temperror, after writing them into the trace.
 */
async function evaluateRecord(ev: Evaluation, domain: string, trace: SpfRecordTrace, wantExplanation: boolean): Promise<RecordOutcome> {
  try {
    const record = await fetchRecord(ev, domain, trace);
    if (!record) return { result: (trace.result = 'none') };
    const outcome = await evaluateTerms(ev, { domain }, record, trace, wantExplanation);
    trace.result = outcome.result;
    return outcome;
  } catch (err) {
    if (err instanceof Stop) {
      trace.result = err.result;
      trace.error ??= err.message;
    }
    throw err;
  }
}

async function fetchRecord(ev: Evaluation, domain: string, trace: SpfRecordTrace): Promise<SpfRecord | null> {
  const { dns, lookup } = await query(ev, domain, 'TXT', 'record', trace.lookups);
  const found = classifyTxt(dns);
  // The TXT query of an include/redirect target is that term's query: void when empty (§4.6.4).
  if (trace.via !== 'check_host' && isVoid(dns)) countVoid(ev, lookup, domain, `${trace.via === 'include' ? 'include:' : 'redirect='}${domain}`);
  switch (found.status) {
    case 'temperror':
      throw new Stop('temperror', found.error);
    case 'multiple':
      throw new Stop('permerror', `${domain} publishes ${found.records.length} SPF records; there must be one (RFC 7208 §4.5)`);
    case 'none':
      trace.error = found.reason === 'nxdomain' ? `${domain} does not exist` : `${domain} has no SPF record`;
      return null;
    case 'found': {
      trace.record = found.record.text;
      const parsed = parseRecord(found.record.text);
      if (!parsed.ok) {
        const e = parsed.error;
        throw new Stop('permerror', `syntax error in ${domain}'s record at offset ${e.offset} ("${e.term}"): ${e.message}`);
      }
      return parsed.record;
    }
  }
}

async function evaluateTerms(ev: Evaluation, scope: Scope, record: SpfRecord, trace: SpfRecordTrace, wantExplanation: boolean): Promise<RecordOutcome> {
  for (const mechanism of record.mechanisms) {
    const term: SpfTermTrace = { term: mechanism.text, offset: mechanism.offset, kind: 'mechanism', qualifier: mechanism.qualifier, lookups: [], matched: false };
    trace.terms.push(term);
    term.matched = await evaluateMechanism(ev, scope, mechanism, term);
    if (!term.matched) continue;
    const result = QUALIFIER_RESULT[mechanism.qualifier];
    const explanation = result === 'fail' && wantExplanation && record.exp ? await explain(ev, scope, record.exp, trace) : undefined;
    return explanation === undefined ? { result } : { result, explanation };
  }
  // Reached only when no mechanism matched, so never in a record with `all`: "any redirect modifier
  // MUST be ignored if there is an all mechanism anywhere in the record" (§6.1) holds by construction.
  if (record.redirect) return redirect(ev, scope, record.redirect, trace, wantExplanation);
  // No match and no redirect: the default result is neutral (§4.7).
  return { result: 'neutral' };
}

function evaluateMechanism(ev: Evaluation, scope: Scope, mechanism: Mechanism, term: SpfTermTrace): Promise<boolean> | boolean {
  switch (mechanism.name) {
    case 'all': return true;
    case 'include': return include(ev, scope, mechanism, term);
    case 'a': return evaluateA(ev, scope, mechanism, term);
    case 'mx': return evaluateMx(ev, scope, mechanism, term);
    case 'ptr': return evaluatePtr(ev, scope, mechanism, term);
    case 'exists': return evaluateExists(ev, scope, mechanism, term);
    case 'ip4': case 'ip6': return evaluateIp(ev, mechanism);
  }
}

/** include (§5.2): pass matches; fail, softfail, neutral do not; none is permerror. */
async function include(ev: Evaluation, scope: Scope, mechanism: Mechanism, term: SpfTermTrace): Promise<boolean> {
  term.lookup = countLookup(ev, term, scope.domain);
  const target = await expandTarget(ev, scope, mechanism.domainTokens ?? [], term);
  if (!target) throw new Stop('permerror', `"${term.term}" in ${scope.domain}'s record: ${term.note} (RFC 7208 §5.2)`);
  const nested: SpfRecordTrace = { domain: target, via: 'include', record: null, lookups: [], terms: [], result: 'none' };
  term.record = nested;
  // The explanation of an included record is never used (§6.2).
  const { result } = await evaluateRecord(ev, target, nested, false);
  if (result === 'none') {
    const why = `"${term.term}" in ${scope.domain}'s record: ${nested.error ?? `${target} has no SPF record`} (RFC 7208 §5.2: include of a domain without SPF is permerror)`;
    nested.error = why;
    throw new Stop('permerror', why);
  }
  term.note = `${target} returned ${result}`;
  return result === 'pass';
}

/** redirect (§6.1): the result of the target's record replaces this one; none is permerror. */
async function redirect(ev: Evaluation, scope: Scope, modifier: Modifier, trace: SpfRecordTrace, wantExplanation: boolean): Promise<RecordOutcome> {
  const term: SpfTermTrace = { term: modifier.text, offset: modifier.offset, kind: 'modifier', lookups: [], matched: false };
  trace.terms.push(term);
  term.lookup = countLookup(ev, term, scope.domain);
  const target = await expandTarget(ev, scope, modifier.domainTokens ?? [], term);
  if (!target) throw new Stop('permerror', `"${term.term}" in ${scope.domain}'s record: ${term.note} (RFC 7208 §6.1)`);
  const nested: SpfRecordTrace = { domain: target, via: 'redirect', record: null, lookups: [], terms: [], result: 'none' };
  term.record = nested;
  term.matched = true;
  const outcome = await evaluateRecord(ev, target, nested, wantExplanation);
  if (outcome.result === 'none') {
    const why = `"${term.term}" in ${scope.domain}'s record: ${nested.error ?? `${target} has no SPF record`} (RFC 7208 §6.1: redirect to a domain without SPF is permerror)`;
    nested.error = why;
    throw new Stop('permerror', why);
  }
  term.note = `${target} returned ${outcome.result}`;
  return outcome;
}

/**
 * The exp= explanation (§6.2). Any problem — a name that cannot be looked up, a DNS error, zero or
 * several TXT records, non-ASCII or bad macro syntax in the text — means no explanation, never an
 * error; its lookups count toward no limit.
 */
async function explain(ev: Evaluation, scope: Scope, exp: Modifier, trace: SpfRecordTrace): Promise<string | undefined> {
  const term: SpfTermTrace = { term: exp.text, offset: exp.offset, kind: 'modifier', lookups: [], matched: false };
  trace.terms.push(term);
  try {
    const target = await expandTarget(ev, scope, exp.domainTokens ?? [], term, false);
    if (!target) return undefined;
    const { dns } = await query(ev, target, 'TXT', 'explanation', term.lookups);
    if (isFailure(dns.outcome) || dns.records.length !== 1) {
      term.note = `explanation ignored: ${dns.records.length > 1 ? 'several TXT records' : `TXT lookup gave ${dns.outcome}`}`;
      return undefined;
    }
    const text = dns.records[0]!.data.join('');
    const parsed = /^[\x20-\x7e]*$/.test(text) ? parseMacroString(text, 'explanation') : null;
    if (!parsed?.ok) {
      term.note = `explanation ignored: ${parsed ? parsed.error.message : 'non-ASCII text'}`;
      return undefined;
    }
    const validatedName = usesLetter(parsed.tokens, 'p') ? pickValidatedName(await validatedNames(ev, scope, term, 'explanation'), scope.domain) : undefined;
    const explanation = expandMacroString(parsed.tokens, { sender: ev.sender, domain: scope.domain, ip: ev.ip, helo: ev.helo, receiver: ev.receiver, now: ev.now, validatedName });
    term.matched = true;
    term.note = 'explanation';
    return explanation;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    term.note = `explanation ignored: ${err.message}`;
    return undefined;
  }
}

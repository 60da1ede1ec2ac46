/**
 * Which selectors to try. DKIM has no discovery mechanism (RFC 6376 §3.1), so the order of
 * evidence matters (CORRECTNESS.md, DKIM discovery): selectors the user names or that real
 * signatures used come first, then the ones the mail provider is known to use, then a list of
 * common ones. Every candidate keeps the reasons it is tried, so a "no key" verdict can say
 * exactly what was looked at.
 */
import catalog from '../../../data/dkim-selectors.json' with { type: 'json' };
import { InputError } from '../../errors.ts';

export type SelectorSource = 'user' | 'message' | 'provider' | 'common';

export interface SelectorCandidate {
  selector: string;
  sources: SelectorSource[];
  /** Tier of the common list (1 most common), or 0 for selectors from evidence. */
  tier: number;
  /** Providers known to use this selector (ids from data/providers.json). */
  providers: string[];
}

/** A DKIM-Signature seen in a message: only `d=` and `s=` matter for discovery. */
export interface SeenSignature {
  domain: string;
  selector: string;
}

export interface SelectorInputs {
  user?: readonly string[];
  fromMessages?: readonly SeenSignature[];
  /** Mail provider ids (e.g. `microsoft365`, `google-workspace`) from the providers check. */
  providers?: readonly string[];
}

// selector = sub-domain *( "." sub-domain ) (RFC 6376 §3.1), each label a DNS label.
const SELECTOR = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;

export function isValidSelector(selector: string): boolean {
  return selector.length <= 200 && SELECTOR.test(selector);
}

/**
 * The selectors to try for `domain`, evidence first. Throws InputError for a malformed selector the
 * user typed; selectors from messages that are not valid labels are dropped (they could not have a key).
 */
export function candidateSelectors(domain: string, inputs: SelectorInputs): SelectorCandidate[] {
  const byName = new Map<string, SelectorCandidate>();
  const add = (selector: string, source: SelectorSource, tier: number) => {
    const key = selector.toLowerCase();
    const existing = byName.get(key);
    if (existing) {
      if (!existing.sources.includes(source)) existing.sources.push(source);
      existing.tier = Math.min(existing.tier, tier);
      return;
    }
    byName.set(key, { selector: key, sources: [source], tier, providers: providersOf(key) });
  };

  for (const s of inputs.user ?? []) {
    if (!isValidSelector(s)) throw new InputError(`"${s}" is not a valid DKIM selector (letters, digits, "-", "_" and dots)`);
    add(s, 'user', 0);
  }
  for (const sig of inputs.fromMessages ?? []) {
    if (sameDomain(sig.domain, domain) && isValidSelector(sig.selector)) add(sig.selector, 'message', 0);
  }
  for (const id of inputs.providers ?? []) {
    for (const s of providerSelectors(id)) add(s, 'provider', 0);
  }
  // A tenant's initial domain signs with selectorN-<domain with dashes> at its own name
  // (globalcyberalliance/domain-security-scanner#35), not with plain selector1/selector2.
  if (domain.endsWith('.onmicrosoft.com')) {
    const dashed = domain.replace(/\./g, '-');
    for (const n of [1, 2]) add(`selector${n}-${dashed}`, 'provider', 0);
  }
  for (const entry of catalog.selectors) add(entry.selector, 'common', entry.tier);
  return [...byName.values()];
}

/** Selectors a provider is known to sign with (empty for unknown ids). */
export function providerSelectors(providerId: string): string[] {
  const entry = (catalog.providers as Record<string, { selectors: string[] } | undefined>)[providerId];
  return entry ? [...entry.selectors] : [];
}

function providersOf(selector: string): string[] {
  return catalog.selectors.find((e) => e.selector === selector)?.providers ?? [];
}

/** Naming schemes a selector seen in a message matches (Postmark dates, SES tokens…): for display. */
export function selectorSchemes(selector: string): string[] {
  return catalog.patterns.filter((p) => new RegExp(p.regex, 'i').test(selector)).flatMap((p) => p.usedBy);
}

function sameDomain(a: string, b: string): boolean {
  return a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');
}

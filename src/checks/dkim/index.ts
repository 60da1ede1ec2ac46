/**
 * DKIM check: finds the domain's public keys at `<selector>._domainkey.<domain>` and reviews each.
 * Selectors come from evidence first (the user, signatures seen in messages, the mail provider),
 * then from a list of common ones, all looked up in parallel. A guess that finds nothing never
 * becomes "no DKIM": the verdict names the selectors tried, and a failed lookup makes it unknown.
 */
import { severityRank, worstSeverity, type CheckResult, type Context, type Finding } from '../types.ts';
import type { DnsResult } from '../../net/dns/types.ts';
import { isFailure } from '../../net/dns/types.ts';
import { normalizeDomain } from '../dmarc/organizational-domain.ts';
import { joinTxt } from './tag-list.ts';
import { looksLikeKeyRecord, parseKeyRecord, type DkimKey, type KeyProblem } from './key.ts';
import { candidateSelectors, selectorSchemes, type SeenSignature, type SelectorCandidate, type SelectorSource } from './selectors.ts';
import { keyFindings, noKeyFindings } from './findings.ts';

export type { DkimKey, KeyProblem } from './key.ts';
export type { SeenSignature, SelectorSource } from './selectors.ts';

export interface DkimOptions {
  /** Selectors to try first; defaults to `ctx.options.selectors` (the user's `--selector`). */
  selectors?: readonly string[];
  /** DKIM-Signature `d=`/`s=` pairs seen in messages of this run. */
  fromMessages?: readonly SeenSignature[];
  /** Mail provider id(s) found by the providers check (`microsoft365`, `google-workspace`…). */
  provider?: string | readonly string[];
}

export interface SelectorLookup {
  selector: string;
  /** `<selector>._domainkey.<domain>` */
  name: string;
  sources: SelectorSource[];
  tier: number;
  outcome: DnsResult['outcome'];
  /** CNAME delegation followed from `name` (e.g. to `…onmicrosoft.com`). */
  cnames: string[];
  /** A CNAME whose target does not exist: the provider side is not set up. */
  dangling: boolean;
  dns: number;
}

export interface FoundKey {
  selector: string;
  name: string;
  cnames: string[];
  sources: SelectorSource[];
  /** The key record text (TXT strings joined). */
  record: string;
  key: DkimKey | null;
  problems: KeyProblem[];
  /** Other key-looking TXT records at the same name (there should be one). */
  extraRecords: number;
  /** Naming schemes the selector matches (e.g. Postmark dates), for display. */
  schemes: string[];
  dns: number;
}

export interface DkimData {
  domain: string;
  tried: SelectorLookup[];
  keys: FoundKey[];
  /**
   * `_domainkey.<domain>` itself: `absent` (NXDOMAIN) means no selector exists below it at all
   * (RFC 8020), `exists` that something does, `unknown` when that lookup failed.
   */
  domainkeyNode: 'exists' | 'absent' | 'unknown';
  /** Selectors whose lookup failed (timeout, SERVFAIL…). */
  failed: string[];
}

export async function run(ctx: Context, target: string, options: DkimOptions = {}): Promise<CheckResult<DkimData>> {
  const domain = normalizeDomain(target);
  const providers = typeof options.provider === 'string' ? [options.provider] : [...(options.provider ?? [])];
  const candidates = candidateSelectors(domain, {
    user: options.selectors ?? ctx.options.selectors,
    fromMessages: options.fromMessages ?? [],
    providers,
  });

  // Evidence and tiers 1–2 go out together; tier 3 (rare) only when that found no key.
  const [first, rest] = [candidates.filter((c) => c.tier <= 2), candidates.filter((c) => c.tier > 2)];
  const [node, ...looked] = await Promise.all([ctx.resolver.query(`_domainkey.${domain}`, 'TXT'), ...first.map((c) => lookUp(ctx, domain, c))]);
  let results = looked;
  if (!results.some((r) => r.key)) results = results.concat(await Promise.all(rest.map((c) => lookUp(ctx, domain, c))));

  const data: DkimData = {
    domain,
    tried: results.map((r) => r.lookup),
    keys: results.flatMap((r) => (r.key ? [r.key] : [])),
    domainkeyNode: node.outcome === 'nxdomain' ? 'absent' : isFailure(node.outcome) ? 'unknown' : 'exists',
    failed: results.filter((r) => isFailure(r.lookup.outcome)).map((r) => r.lookup.selector),
  };
  const findings = [...keyFindings(data), ...noKeyFindings(data, node.id)];
  return { id: 'dkim', status: statusOf(data, findings), findings, data };
}

async function lookUp(ctx: Context, domain: string, candidate: SelectorCandidate): Promise<{ lookup: SelectorLookup; key: FoundKey | null }> {
  const name = `${candidate.selector}._domainkey.${domain}`;
  const answer = await ctx.resolver.query(name, 'TXT');
  const texts = answer.records.map((r) => joinTxt(r.data));
  const fromEvidence = candidate.sources.some((s) => s !== 'common');
  // A guessed name can hit a wildcard TXT (an SPF record, a site verification): only key-looking
  // text counts. A selector from evidence is shown whatever it holds, since a signer relies on it.
  const keyTexts = texts.filter(looksLikeKeyRecord);
  const chosen = keyTexts[0] ?? (fromEvidence ? texts[0] : undefined);
  const lookup: SelectorLookup = {
    selector: candidate.selector,
    name,
    sources: candidate.sources,
    tier: candidate.tier,
    outcome: answer.outcome,
    cnames: answer.cnames,
    dangling: answer.cnames.length > 0 && (answer.outcome === 'nxdomain' || answer.outcome === 'nodata'),
    dns: answer.id,
  };
  if (chosen === undefined) return { lookup, key: null };
  const parsed = parseKeyRecord(chosen);
  return {
    lookup,
    key: {
      selector: candidate.selector,
      name,
      cnames: answer.cnames,
      sources: candidate.sources,
      record: chosen,
      key: parsed.key,
      problems: parsed.problems,
      extraRecords: Math.max(0, keyTexts.length - 1),
      schemes: selectorSchemes(candidate.selector),
      dns: answer.id,
    },
  };
}

/**
 * A failed lookup leaves the verdict unknown when it could hide the answer: when no key was found
 * at all, or when the selector that failed is one real mail is signed with. Errors found anyway
 * (a weak or revoked key) are known facts and keep their severity.
 */
function statusOf(data: DkimData, findings: Finding[]): CheckResult['status'] {
  const worst = worstSeverity(findings.filter((f) => f.id !== 'dkim.lookup-failed'));
  if (severityRank(worst) >= severityRank('error')) return worst;
  const evidenceFailed = data.tried.some((t) => isFailure(t.outcome) && t.sources.some((s) => s !== 'common'));
  if (data.failed.length > 0 && (data.keys.length === 0 || evidenceFailed)) return 'unknown';
  // Notes beside a working key (an idle rotation selector) do not make the check less than ok.
  return worst === 'info' && findings.some((f) => f.severity === 'ok') ? 'ok' : worst;
}

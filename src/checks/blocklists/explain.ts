/**
 * Plain words for a lookup that said nothing about the target: what went wrong, whose fault it
 * is (usually the resolver: big public resolvers are refused by Spamhaus, URIBL, SURBL, Barracuda…),
 * and what to do about it (an own recursive resolver, a DQS key).
 */
import type { Catalog, PlannedList } from './catalog.ts';
import type { AnswerErrorKind } from './answer.ts';

export interface LookupError {
  kind: AnswerErrorKind;
  /** What is wrong, in one or two sentences, naming the list and the answer. */
  message: string;
  /** The same without the list's name and answer, so reports can group lists that failed alike. */
  reason: string;
  /** What to do about it. */
  fix: string;
  /** True when the resolver (or the access to the list) is the problem, not the list or the network. */
  resolverProblem: boolean;
}

export interface ExplainInput {
  planned: PlannedList;
  kind: AnswerErrorKind;
  codes: string[];
  /** The catalog's meaning of the error code, when documented. */
  meaning?: string;
  /** Resolver(s) the query went through. */
  servers: readonly string[];
  /** The DNS client's own words for network errors and timeouts. */
  detail?: string;
}

const OWN_RESOLVER = 'your own recursive resolver (unbound, BIND, Knot Resolver) on a host with its own reverse DNS and point mailsleuth at it with --resolver HOST:PORT';

function keyAdvice(planned: PlannedList, catalog: Catalog): string {
  const keyId = planned.list.access.key;
  const spec = keyId ? catalog.keys[keyId] : undefined;
  if (!spec || planned.keyed) return '';
  return `, or use a ${spec.name}${spec.freeTier ? ' (a free tier exists)' : ''} with ${spec.flag ?? spec.env}${spec.flag ? ` or ${spec.env}` : ''}`;
}

function resolverFix(planned: PlannedList, catalog: Catalog): string {
  return `Run ${OWN_RESOLVER}${keyAdvice(planned, catalog)}.`;
}

function keyFix(planned: PlannedList, catalog: Catalog): string {
  const spec = planned.list.access.key ? catalog.keys[planned.list.access.key] : undefined;
  if (!spec) return 'Check the access key for this list.';
  return `Check the ${spec.name} (${spec.flag ? `${spec.flag} / ` : ''}${spec.env}) in your ${planned.list.operator} account: it may be mistyped, disabled or used from an unregistered address.`;
}

interface Explanation { reason: string; fix: string; resolverProblem: boolean }

const UNKNOWN = 'The target\'s status is unknown.';

/** What went wrong, without the list's name or the answer: the same words for every list it hit. */
function explain(input: ExplainInput, catalog: Catalog): Explanation {
  const { planned, kind } = input;
  const via = input.servers.length ? ` through ${input.servers.join(', ')}` : '';
  const documented = input.meaning ? ` The list documents this answer as: "${input.meaning}".` : '';
  const refusal = (reason: string): Explanation => ({ reason: `${reason} ${UNKNOWN}${documented}`, fix: resolverFix(planned, catalog), resolverProblem: true });
  switch (kind) {
    case 'public-resolver':
      return refusal(`refused the query: it came${via} from a public or shared resolver, or one without its own reverse DNS.`);
    case 'excessive-volume':
      return refusal(`refused the query: the resolver${via} exceeded the list's free-use query volume.`);
    case 'query-blocked':
      return refusal(`refused the query: the list blocks the resolver${via} (public resolver or too many queries).`);
    case 'resolver-not-registered':
      return refusal('refused the query: it only answers resolvers registered with its operator.');
    case 'query-error':
      return refusal('answered with one of its error codes: a query error, not a listing.');
    case 'rewritten-nxdomain':
      return {
        reason: `gave an address outside 127.0.0.0/8, which no DNS list ever answers: the resolver${via} rewrites "does not exist" into an address (ad redirect, filtering DNS, captive portal), or the zone was taken over. ${UNKNOWN}`,
        fix: `Use a resolver that does not rewrite NXDOMAIN: run ${OWN_RESOLVER}.`,
        resolverProblem: true,
      };
    case 'key-rejected':
      return { reason: `rejected the access key.${documented} ${UNKNOWN}`, fix: keyFix(planned, catalog), resolverProblem: true };
    case 'refused':
      return planned.keyed
        ? { reason: `answered REFUSED to the keyed query: the key is invalid, disabled or not authorised for this list. ${UNKNOWN}`, fix: keyFix(planned, catalog), resolverProblem: true }
        : refusal(`the query was answered REFUSED${via}: the resolver will not resolve it, or the list refuses this resolver.`);
    case 'servfail':
      return planned.keyed
        ? { reason: `could not be resolved (SERVFAIL)${via}; with keyed access a disabled key is answered this way. ${UNKNOWN}`, fix: `${keyFix(planned, catalog)} If the key is fine, retry later.`, resolverProblem: true }
        : { reason: `the resolver${via} could not get an answer (SERVFAIL): the list's servers are down or refuse the resolver. ${UNKNOWN}`, fix: `Retry later; if it persists, run ${OWN_RESOLVER}${keyAdvice(planned, catalog)}.`, resolverProblem: false };
    case 'timeout':
      return { reason: `no answer from the resolver${via} in time${input.detail ? ` (${input.detail})` : ''}. ${UNKNOWN}`, fix: 'Retry with a longer --timeout, or check that the resolver can reach the list\'s servers.', resolverProblem: false };
    case 'network':
      return { reason: `the lookup failed: ${input.detail ?? 'network error'}. ${UNKNOWN}`, fix: 'Check the --resolver address and the network.', resolverProblem: false };
    case 'zone-typo':
      return { reason: `says the zone name ${planned.displayZone} is wrong.${documented}`, fix: 'The catalog\'s zone is out of date: update mailsleuth or report it.', resolverProblem: false };
    case 'ip-on-domain-list':
      return { reason: 'says an IP address was queried on this domain-only list: a query error, not a listing.', fix: 'Query domains only on this list (a mailsleuth bug if it did otherwise: please report it).', resolverProblem: false };
    case 'unrecognised':
      return { reason: `answered a code it does not document: neither a listing nor a clean answer. ${UNKNOWN}`, fix: `Look the target up by hand${planned.list.lookupUrl ? ` at ${planned.list.lookupUrl}` : ''}; the list may have added a code or the zone may be misbehaving.`, resolverProblem: false };
  }
}

/** The explanation and fix for a lookup error on one list. */
export function explainError(input: ExplainInput, catalog: Catalog): LookupError {
  const e = explain(input, catalog);
  const answer = input.codes.length ? ` (answer ${input.codes.join(', ')})` : '';
  return { kind: input.kind, message: `${input.planned.list.name}${answer}: ${e.reason}`, reason: e.reason, fix: e.fix, resolverProblem: e.resolverProblem };
}

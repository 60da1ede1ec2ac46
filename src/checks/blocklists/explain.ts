/**
 * Plain words for a lookup that said nothing about the target: what went wrong, whose fault it
 * is (usually the resolver: big public resolvers are refused by Spamhaus, URIBL, SURBL, Barracuda…),
 * and what to do about it (an own recursive resolver, a DQS key).
 */
import type { Catalog, PlannedList } from './catalog.ts';
import type { AnswerErrorKind } from './answer.ts';

export interface LookupError {
  kind: AnswerErrorKind;
  /** What is wrong, in one or two sentences. */
  message: string;
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

/** The explanation and fix for a lookup error on one list. */
export function explainError(input: ExplainInput, catalog: Catalog): LookupError {
  const { planned, kind, codes } = input;
  const name = planned.list.name;
  const via = input.servers.length ? ` through ${input.servers.join(', ')}` : '';
  const answer = codes.length ? ` (answer ${codes.join(', ')})` : '';
  const documented = input.meaning ? ` The list documents this answer as: "${input.meaning}".` : '';
  const resolver = (message: string): LookupError => ({ kind, message: message + documented, fix: resolverFix(planned, catalog), resolverProblem: true });
  switch (kind) {
    case 'public-resolver':
      return resolver(`${name} refused the query${answer}: it came${via} from a public or shared resolver, or one without its own reverse DNS. The target's status is unknown.`);
    case 'excessive-volume':
      return resolver(`${name} refused the query${answer}: the resolver${via} exceeded the list's free-use query volume. The target's status is unknown.`);
    case 'query-blocked':
      return resolver(`${name} refused the query${answer}: the list blocks the resolver${via} (public resolver or too many queries). The target's status is unknown.`);
    case 'resolver-not-registered':
      return resolver(`${name} refused the query${answer}: it only answers resolvers registered with its operator. The target's status is unknown.`);
    case 'rewritten-nxdomain':
      return {
        kind,
        message: `${name} gave an address outside 127.0.0.0/8${answer}, which no DNS list ever answers: the resolver${via} rewrites "does not exist" into an address (ad redirect, filtering DNS, captive portal), or the zone was taken over. The target's status is unknown.`,
        fix: `Use a resolver that does not rewrite NXDOMAIN: run ${OWN_RESOLVER}.`,
        resolverProblem: true,
      };
    case 'key-rejected':
      return { kind, message: `${name} rejected the access key${answer}.${documented} The target's status is unknown.`, fix: keyFix(planned, catalog), resolverProblem: true };
    case 'refused':
      return planned.keyed
        ? { kind, message: `${name} answered REFUSED to the keyed query: the key is invalid, disabled or not authorised for this list. The target's status is unknown.`, fix: keyFix(planned, catalog), resolverProblem: true }
        : resolver(`The query to ${name} was answered REFUSED${via}: the resolver will not resolve it, or the list refuses this resolver. The target's status is unknown.`);
    case 'servfail':
      return planned.keyed
        ? { kind, message: `${name} could not be resolved (SERVFAIL)${via}; with keyed access a disabled key is answered this way. The target's status is unknown.`, fix: `${keyFix(planned, catalog)} If the key is fine, retry later.`, resolverProblem: true }
        : { kind, message: `The resolver${via} could not get an answer from ${name} (SERVFAIL): the list's servers are down or refuse the resolver. The target's status is unknown.`, fix: `Retry later; if it persists, run ${OWN_RESOLVER}${keyAdvice(planned, catalog)}.`, resolverProblem: false };
    case 'timeout':
      return { kind, message: `No answer from the resolver${via} for ${name} in time${input.detail ? ` (${input.detail})` : ''}. The target's status is unknown.`, fix: 'Retry with a longer --timeout, or check that the resolver can reach the list\'s servers.', resolverProblem: false };
    case 'network':
      return { kind, message: `The lookup on ${name} failed: ${input.detail ?? 'network error'}. The target's status is unknown.`, fix: 'Check the --resolver address and the network.', resolverProblem: false };
    case 'zone-typo':
      return { kind, message: `${name} says the zone name ${planned.displayZone} is wrong${answer}.${documented}`, fix: 'The catalog\'s zone is out of date: update mailsleuth or report it.', resolverProblem: false };
    case 'ip-on-domain-list':
      return { kind, message: `${name} says an IP address was queried on this domain-only list${answer}: a query error, not a listing.`, fix: 'Query domains only on this list (a mailsleuth bug if it did otherwise: please report it).', resolverProblem: false };
    case 'query-error':
      return { kind, message: `${name} answered with one of its error codes${answer}: a query error, not a listing. The target's status is unknown.`, fix: resolverFix(planned, catalog), resolverProblem: true };
    case 'unrecognised':
      return { kind, message: `${name} answered ${codes.join(', ')}, a code it does not document: neither a listing nor a clean answer. The target's status is unknown.`, fix: `Look the target up by hand${planned.list.lookupUrl ? ` at ${planned.list.lookupUrl}` : ''}; the list may have added a code or the zone may be misbehaving.`, resolverProblem: false };
  }
}

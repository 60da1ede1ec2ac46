/**
 * Findings from blocklist results. A listing is graded by what its code means: abuse is an error,
 * a policy, collateral or "suspicious" listing a warning (PBL says "this address should not send
 * mail directly", which is not an accusation). Lookups that said nothing are grouped per list and
 * cause, because one refused resolver makes every query to that list fail the same way.
 */
import type { Finding, Severity } from '../types.ts';
import type { BlocklistReport, BlocklistResult } from './engine.ts';

const LISTING_SEVERITY: Record<string, Severity> = { block: 'error', suspicious: 'warn', collateral: 'warn', policy: 'warn', info: 'info', good: 'ok' };

function roleText(result: BlocklistResult): string {
  const roles = result.roles.filter((r) => r !== 'given');
  const names: Record<string, string> = { mx: 'an MX host', 'domain-host': "the domain's own address", 'web-host': 'the web host', spf: 'an SPF-authorized sender', bounce: 'seen in a bounce', domain: 'the domain' };
  return roles.length ? ` (${roles.map((r) => names[r] ?? r).join(', ')})` : '';
}

function listedFinding(r: BlocklistResult): Finding {
  const labels = r.labels.length ? ` (${r.labels.join(', ')})` : '';
  const nature = r.abuse
    ? 'The list accuses this address or domain of abuse; receivers that use it reject or junk its mail.'
    : r.severity === 'policy'
      ? 'This is a policy listing, not an accusation: the address is not expected to send mail directly to other servers. Receivers that use the list still refuse mail sent directly from it.'
      : r.severity === 'collateral'
        ? 'A collateral listing: the surrounding network is listed, not necessarily this address.'
        : 'Informational listing.';
  const txt = r.txt ? ` The list says: "${r.txt}".` : '';
  const unverified = r.unverified ? ' (this code\'s meaning is unverified)' : '';
  return {
    id: 'blocklists.listed',
    severity: LISTING_SEVERITY[r.severity ?? 'block'] ?? 'error',
    title: `${r.target} is listed on ${r.listName}${labels}`,
    detail: `${r.target}${roleText(r)} is listed on ${r.listName} (${r.zone}), answer ${r.codes.join(', ')}: ${r.meaning ?? ''}${unverified}. ${nature}${txt}${r.note ? ` Note: ${r.note}.` : ''}`,
    data: { target: r.target, roles: r.roles, list: r.list, zone: r.zone, codes: r.codes, labels: r.labels, severity: r.severity, abuse: r.abuse, txt: r.txt, url: r.url },
    fix: { text: r.delisting ?? 'Fix the cause, then request removal on the list\'s site.', ...(r.url ? { links: [r.url] } : {}) },
    dns: r.dns,
  };
}

function errorFindings(errors: BlocklistResult[]): Finding[] {
  const groups = new Map<string, BlocklistResult[]>();
  for (const r of errors) {
    const key = `${r.list}|${r.error?.kind}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as BlocklistResult;
    const error = first.error;
    const targets = group.map((r) => r.target);
    const id = error?.resolverProblem ? 'blocklists.query-refused' : error?.kind === 'unrecognised' ? 'blocklists.unrecognised-answer' : 'blocklists.lookup-failed';
    const what = error?.resolverProblem ? 'refused the query' : error?.kind === 'unrecognised' ? 'gave an undocumented answer' : 'could not be checked';
    return {
      id,
      severity: 'warn' as const,
      title: `${first.listName} ${what} — ${targets.length === 1 ? targets[0] : `${targets.length} targets`} unchecked, not clean`,
      detail: `${error?.message ?? 'The lookup failed.'} Affected: ${targets.join(', ')}.`,
      data: { list: first.list, zone: first.zone, kind: error?.kind, targets, codes: [...new Set(group.flatMap((r) => r.codes))] },
      fix: { text: error?.fix ?? 'Retry with another resolver.' },
      dns: group.flatMap((r) => r.dns),
    };
  });
}

/** "Not listed" answers that came through a public resolver the lists refuse: one finding for all of them. */
function unreliableFinding(unreliable: BlocklistResult[]): Finding[] {
  if (!unreliable.length) return [];
  const lists = [...new Set(unreliable.map((r) => r.listName))];
  const targets = [...new Set(unreliable.map((r) => r.target))];
  return [{
    id: 'blocklists.query-refused',
    severity: 'warn',
    title: `${lists.length === 1 ? lists[0] : `${lists.length} lists`} queried through a public resolver they refuse — "not listed" is unreliable, not clean`,
    detail: `${unreliable[0]?.note ?? 'Queried through a public resolver.'} Lists: ${lists.join(', ')}. Targets: ${targets.join(', ')}.`,
    data: { kind: 'public-resolver', lists: [...new Set(unreliable.map((r) => r.list))], targets },
    fix: { text: 'Run your own recursive resolver on a host with its own reverse DNS and use it with --resolver HOST:PORT, or use keyed access (a free Spamhaus DQS key with --dqs-key).' },
    dns: unreliable.flatMap((r) => r.dns),
  }];
}

/** Findings for a report: one per listing, one per (list, error cause), and `clean` when all answered. */
export function blocklistFindings(report: BlocklistReport): Finding[] {
  const listed = report.results.filter((r) => r.status === 'listed');
  const errors = report.results.filter((r) => r.status === 'error');
  const unreliable = report.results.filter((r) => r.reliable === false);
  const findings = [...listed.map(listedFinding), ...errorFindings(errors), ...unreliableFinding(unreliable)];
  if (!listed.length && !errors.length && !unreliable.length && report.results.length) {
    const targets = [...new Set(report.results.map((r) => r.target))];
    findings.push({
      id: 'blocklists.clean',
      severity: 'ok',
      title: `Not listed on any of ${report.lists.length} blocklists`,
      detail: `${targets.join(', ')} answered "not listed" on every list queried (${report.results.length} lookups through ${report.resolver.join(', ')}).`,
      data: { targets, lists: report.lists },
      dns: report.results.flatMap((r) => r.dns),
    });
  }
  return findings;
}

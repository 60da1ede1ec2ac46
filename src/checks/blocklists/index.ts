/**
 * Blocklists (DNSBL / RHSBL): is an IP address or a domain listed, on which list, what does the
 * listing mean and how does it come off — and when a list refuses to answer, say so instead of
 * calling the target clean. The check shape (`run`) covers one target; `checkBlocklists` runs the
 * many targets of a domain diagnosis (from `blocklistTargets`) in one parallel pass.
 */
import type { CheckResult, Context } from '../types.ts';
import { worstSeverity } from '../types.ts';
import { checkBlocklists, type BlocklistReport } from './engine.ts';
import { blocklistFindings } from './findings.ts';
import { parseTarget } from './target.ts';

export { checkBlocklists, DEFAULT_CONCURRENCY, type BlocklistReport, type BlocklistResult, type CheckBlocklistsOptions } from './engine.ts';
export { blocklistTargets, parseTarget, isListableAddress, type BlocklistFacts, type BlocklistTarget, type TargetRole } from './target.ts';
export { blocklistFindings } from './findings.ts';
export { catalog, selectLists, findList, keysFromEnv, validateKeys, publicResolverName, type Blocklist, type Catalog, type SkippedList } from './catalog.ts';
export { classifyAnswer, matchesCode } from './answer.ts';
export { queryName, reverseIp4, nibbleIp6 } from './query-name.ts';

/** Check status from a report: listings decide; without any, failed lookups make it unknown. */
export function blocklistStatus(report: BlocklistReport, findings = blocklistFindings(report)): CheckResult['status'] {
  if (report.results.some((r) => r.status === 'listed')) return worstSeverity(findings);
  if (report.results.some((r) => r.status === 'error' || r.reliable === false)) return 'unknown';
  return report.results.length ? 'ok' : 'skipped';
}

/** The check: one IP address or domain against the catalog's lists (keys from `ctx.options.keys`). */
export async function run(ctx: Context, target: string): Promise<CheckResult<BlocklistReport>> {
  const report = await checkBlocklists(ctx, [parseTarget(target)], { keys: ctx.options.keys });
  const findings = blocklistFindings(report);
  return { id: 'blocklists', status: blocklistStatus(report, findings), findings, data: report };
}

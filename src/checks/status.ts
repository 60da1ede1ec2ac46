/**
 * How a check's status follows from its findings: `unknown` as soon as a lookup it needed failed
 * (a failed lookup is never "fine"), otherwise the worst finding; informational notes next to an ok
 * finding leave the check ok.
 */
import { worstSeverity, type CheckStatus, type Finding } from './types.ts';

export function checkStatus(findings: readonly Finding[], incomplete: boolean): CheckStatus {
  if (incomplete) return 'unknown';
  const worst = worstSeverity(findings);
  if (worst === 'info' && findings.some((f) => f.severity === 'ok')) return 'ok';
  return worst;
}

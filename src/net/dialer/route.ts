/**
 * Where a connection really goes, or why it may not: the SSRF guard (server mode, judged on the
 * destination the user asked for, before mapping), the connect map (first matching rule wins; with
 * rules set, an unmapped destination is refused unless it is loopback), then the offline guard
 * (after mapping: only loopback may be reached).
 */
import net from 'node:net';
import { InputError } from '../../errors.ts';
import { isLoopback, offlineGuardOn } from '../guard.ts';
import { mapDestination } from './connect-map.ts';
import { isAllowed, parseAllowList, specialRange } from './ssrf.ts';
import { DialError, type ConnectMapRule, type DialTarget } from './types.ts';

export type Guard = 'offline' | 'ssrf' | 'none';

export interface RouteOptions {
  connectMap?: readonly ConnectMapRule[];
  guard?: Guard;
  ssrfAllow?: readonly string[];
}

export function createRouter(options: RouteOptions): (target: DialTarget) => DialTarget {
  const rules = [...(options.connectMap ?? [])];
  const guard = options.guard ?? 'none';
  const allow = parseAllowList(options.ssrfAllow ?? []);
  if (allow.bad.length > 0) throw new InputError(`bad SSRF allow-list entry: ${allow.bad.join(', ')}`);

  return (target) => {
    const where = describeTarget(target);
    // A host name here would make Node ask the system resolver: only the run's resolver may resolve.
    if (net.isIP(target.host) === 0) throw new DialError('error', `cannot dial ${where}: not an IP address (resolve it through the run's resolver first)`);
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) throw new DialError('error', `cannot dial ${where}: bad port`);
    if (guard === 'ssrf') {
      const special = specialRange(target.host);
      if (special && !isAllowed(allow.networks, target.host)) {
        throw new DialError('refused-by-guard', `refusing to connect to ${where}: ${special.what} address (${special.range}) not allowed in server mode`);
      }
    }
    const mapped = mapDestination(rules, target);
    if (!mapped && rules.length > 0 && !isLoopback(target.host)) {
      throw new DialError('refused-by-map', `refusing to connect to ${where}: no connect-map rule matches it`);
    }
    const routed = mapped?.target ?? target;
    if ((guard === 'offline' || offlineGuardOn()) && !isLoopback(routed.host)) {
      throw new DialError('refused-by-guard', `offline guard: refusing to connect to ${describeTarget(routed)} (only loopback is allowed in this run)`);
    }
    return routed;
  };
}

export function describeTarget(target: DialTarget): string {
  return net.isIP(target.host) === 6 ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

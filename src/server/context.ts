/**
 * The network a server-mode run sees. Each job gets its own resolver (its own cache and
 * transcript, which the report cites) and a dialer with the SSRF guard on: a domain submitted by
 * anyone could point its MX or web host at the server's own network, so private, loopback and
 * link-local destinations are refused unless the operator allowed them or the lab is running
 * (whose hosts live on loopback by design).
 */
import type { Context, RunOptions } from '../checks/types.ts';
import { createDialer, type ConnectMapRule } from '../net/dialer/index.ts';
import { createResolver } from '../net/dns/client.ts';
import type { RunRequestOptions } from './input.ts';

export interface ServerNetwork {
  /** DNS servers (`host:port`); the system's resolvers when empty. */
  resolvers: string[];
  connectMap: ConnectMapRule[];
  /** Extra trusted CAs (PEM), e.g. the lab CA. */
  ca: string[];
  /** Let probes reach private, loopback and link-local addresses. */
  allowPrivate: boolean;
  /** The operator's blocklist keys (Spamhaus DQS, Abusix); never taken from a request. */
  keys: Record<string, string>;
  /** Time for each network operation unless a request asks for less. */
  timeoutMs: number;
}

export function runContext(network: ServerNetwork, request: RunRequestOptions = { noProbe: false, selectors: [] }): Context {
  const timeoutMs = Math.min(request.timeoutMs ?? network.timeoutMs, network.timeoutMs);
  const resolver = createResolver({
    ...(network.resolvers.length > 0 ? { servers: network.resolvers } : {}),
    timeoutMs: Math.min(timeoutMs, Math.max(500, Math.floor(timeoutMs / 2))),
    retries: 1,
  });
  const dialer = createDialer({
    connectMap: network.connectMap,
    ca: network.ca,
    guard: network.allowPrivate ? 'none' : 'ssrf',
    defaultTimeoutMs: timeoutMs,
  });
  const options: RunOptions = { timeoutMs, noProbe: request.noProbe, selectors: request.selectors, keys: { ...network.keys } };
  return { resolver, dialer, options, now: () => new Date() };
}

/** Blocklist keys from the environment, as the CLI reads them. */
export function keysFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return {
    ...(env.SPAMHAUS_DQS_KEY ? { spamhausDqs: env.SPAMHAUS_DQS_KEY } : {}),
    ...(env.ABUSIX_KEY ? { abusix: env.ABUSIX_KEY } : {}),
  };
}

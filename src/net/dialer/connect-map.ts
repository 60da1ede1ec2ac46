/**
 * The connect map (DESIGN.md "Connect map", like curl's --connect-to): `FROM=TO` rules that send a
 * connection meant for a public-looking address to another one, usually loopback. Each side is an
 * address or a CIDR with an optional port; IPv6 goes in brackets when a port follows. CIDR to CIDR
 * keeps the host bits, so `203.0.113.0/24=127.0.1.0/24` sends 203.0.113.80 to 127.0.1.80.
 */
import { InputError } from '../../errors.ts';
import type { ConnectMapRule, DialTarget } from './types.ts';
import { bitsOf, contains, formatAddress, hostMask, parseAddress, parseNetwork, type Network } from '../ip.ts';

/** Where a rule sends a matching destination, or null when it does not match. */
export function applyRule(rule: ConnectMapRule, target: DialTarget): DialTarget | null {
  const address = parseAddress(target.host);
  if (!address) return null;
  const from = toNetwork(rule.from);
  if (!contains(from, address)) return null;
  if (rule.from.port !== undefined && rule.from.port !== target.port) return null;
  const to = toNetwork(rule.to);
  // Host bits of the destination carried into the target network; a single target address takes all.
  const value = to.value | (address.value & hostMask(to.family, to.prefix));
  return { host: formatAddress({ family: to.family, value }), port: rule.to.port ?? target.port };
}

/** First matching rule wins (the order the user wrote them in). */
export function mapDestination(rules: readonly ConnectMapRule[], target: DialTarget): { target: DialTarget; rule: ConnectMapRule } | null {
  for (const rule of rules) {
    const mapped = applyRule(rule, target);
    if (mapped) return { target: mapped, rule };
  }
  return null;
}

/** Parses one or more rules separated by commas, spaces or newlines. */
export function parseConnectMap(text: string): ConnectMapRule[] {
  if (text.length > 100_000) throw new InputError('connect map too long (over 100000 characters)');
  return text.split(/[\s,]+/).filter((part) => part !== '').map(parseConnectMapRule);
}

export function parseConnectMapRule(text: string): ConnectMapRule {
  const fail = (why: string): never => {
    throw new InputError(`bad connect-map rule "${text}": ${why} (expected FROM=TO, e.g. 203.0.113.80:25=127.0.1.80:2525)`);
  };
  const sides = text.split('=');
  if (sides.length !== 2) fail('it needs exactly one "="');
  const [fromText = '', toText = ''] = sides;
  const from = parseEndpoint(fromText, fail);
  const to = parseEndpoint(toText, fail);
  const toIsSingle = to.network.prefix === bitsOf(to.network.family);
  if (!toIsSingle && from.network.family !== to.network.family) fail('a network can only map to a network of the same IP version');
  if (!toIsSingle && to.network.prefix > from.network.prefix) {
    fail(`the target network /${to.network.prefix} is smaller than the source /${from.network.prefix}, so different addresses would collide`);
  }
  return { text, from: describe(from), to: describe(to) };
}

interface Endpoint {
  network: Network;
  port?: number;
}

function parseEndpoint(text: string, fail: (why: string) => never): Endpoint {
  if (text === '') fail('a side is empty');
  let addressText = text;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) fail(`"${text}" has "[" without "]"`);
    addressText = text.slice(1, close);
    let rest = text.slice(close + 1);
    // Accept the prefix outside the brackets too: [2001:db8::]/32:25.
    const prefix = /^\/\d+/.exec(rest);
    if (prefix) { addressText += prefix[0]; rest = rest.slice(prefix[0].length); }
    if (rest !== '') {
      if (!rest.startsWith(':')) fail(`unexpected "${rest}" after "]"`);
      portText = rest.slice(1);
    }
  } else if ((text.match(/:/g) ?? []).length === 1) {
    [addressText = '', portText] = text.split(':');
  }
  const network = parseNetwork(addressText);
  if (!network) fail(`"${addressText}" is not an IP address or CIDR network`);
  if (portText === undefined) return { network: network! };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) fail(`"${portText}" is not a port (1-65535)`);
  return { network: network!, port: Number(portText) };
}

function describe(endpoint: Endpoint): ConnectMapRule['from'] {
  const side: ConnectMapRule['from'] = { network: formatAddress(endpoint.network), prefix: endpoint.network.prefix };
  if (endpoint.port !== undefined) side.port = endpoint.port;
  return side;
}

function toNetwork(side: ConnectMapRule['from']): Network {
  const address = parseAddress(side.network);
  if (!address) throw new InputError(`connect-map rule has a bad network "${side.network}"`);
  return { family: address.family, value: address.value, prefix: side.prefix };
}

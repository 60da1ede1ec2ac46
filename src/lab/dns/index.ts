/** The lab's DNS: zone files and the authoritative server that serves them on loopback. */
export { parseZone, ZoneError, type Zone, type ParseZoneOptions } from './zone.ts';
export { startDnsServer, type DnsServer, type DnsServerOptions, type FaultRule, type QueryLogEntry } from './server.ts';

/**
 * The offline guard: when on, the net layer refuses every destination outside 127.0.0.0/8 and ::1
 * (DNS servers included), so a test that forgot to pass the lab's resolver throws instead of
 * leaking a packet. `npm test` turns it on through MAILSLEUTH_OFFLINE=1; code may also switch it.
 */
import { isIP } from 'node:net';

let forced: boolean | undefined;

export function setOfflineGuard(on: boolean | undefined): void {
  forced = on;
}

export function offlineGuardOn(): boolean {
  return forced ?? process.env.MAILSLEUTH_OFFLINE === '1';
}

export function isLoopback(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) return ip.startsWith('127.');
  if (v === 6) {
    const lower = ip.toLowerCase();
    return lower === '::1' || lower === '0:0:0:0:0:0:0:1' || lower.startsWith('::ffff:127.');
  }
  return false;
}

export class OfflineGuardError extends Error {
  /** The CLI prints it on one line: the run was pointed somewhere it may not go. */
  readonly userFacing = true;
  constructor(destination: string) {
    super(`offline guard: refusing to contact ${destination} (only loopback is allowed in this run)`);
    this.name = 'OfflineGuardError';
  }
}

/** Throws when the guard is on and `ip` is not loopback. */
export function assertAllowed(ip: string, what = ip): void {
  if (offlineGuardOn() && !isLoopback(ip)) throw new OfflineGuardError(what);
}

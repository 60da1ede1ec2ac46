/**
 * A ZIP reader for report archives (Google and others send `.zip`): the end-of-central-directory
 * record, the central directory, each entry's local header, then the data, stored or deflated
 * (APPNOTE.TXT §4.3). Only what report senders produce is accepted; ZIP64, encryption and
 * multi-disk archives are refused with a clear reason. The central directory is the authority for
 * sizes (a local header may leave them to a data descriptor), and neither is trusted for safety:
 * inflation stops at the byte budget whatever the headers declare, so a zip bomb is refused,
 * not unpacked.
 */
import { crc32, inflateRawSync } from 'node:zlib';
import { InputError } from '../../errors.ts';
import type { Budget } from './budget.ts';

export interface ZipEntry {
  name: string;
  bytes: Uint8Array;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const STORED = 0;
const DEFLATE = 8;

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6);
}

/** The end-of-central-directory record sits in the last 22 bytes plus at most a 65535-byte comment. */
function findEocd(view: DataView): number {
  const lowest = Math.max(0, view.byteLength - EOCD_SIZE - 0xffff);
  for (let at = view.byteLength - EOCD_SIZE; at >= lowest; at--) {
    if (view.getUint32(at, true) === EOCD) return at;
  }
  throw new InputError('not a readable ZIP archive (no end-of-central-directory record: truncated?)');
}

interface CentralEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function readCentralDirectory(bytes: Uint8Array, view: DataView, maxEntries: number): CentralEntry[] {
  const eocd = findEocd(view);
  const disk = view.getUint16(eocd + 4, true);
  const count = view.getUint16(eocd + 10, true);
  const offset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || offset === 0xffffffff) throw new InputError('ZIP64 archives are not supported (no DMARC reporter sends one)');
  if (disk !== 0) throw new InputError('multi-part ZIP archives are not supported');
  if (count > maxEntries) throw new InputError(`the ZIP archive has ${count} entries, above the limit of ${maxEntries}`);
  const entries: CentralEntry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL) throw new InputError('corrupt ZIP archive (central directory entry out of place)');
    const nameLength = view.getUint16(at + 28, true);
    const flags = view.getUint16(at + 8, true);
    // Bit 11: the name is UTF-8; otherwise CP437, whose ASCII half is all a report name uses.
    const nameBytes = bytes.subarray(at + 46, at + 46 + nameLength);
    entries.push({
      name: new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(nameBytes),
      flags,
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
    });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return entries;
}

function entryData(bytes: Uint8Array, view: DataView, entry: CentralEntry): Uint8Array {
  const at = entry.localOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL) throw new InputError(`corrupt ZIP archive (no local header for "${entry.name}")`);
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new InputError(`corrupt ZIP archive ("${entry.name}" runs past the end of the file: truncated?)`);
  return bytes.subarray(start, end);
}

function inflate(entry: CentralEntry, data: Uint8Array, budget: Budget): Uint8Array {
  if (entry.method === STORED) return data;
  try {
    return inflateRawSync(data, { maxOutputLength: Math.max(1, budget.remaining) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw budget.exceeded(`"${entry.name}" in the ZIP archive`);
    throw new InputError(`corrupt ZIP archive ("${entry.name}": ${(err as Error).message})`);
  }
}

/** The files of a ZIP archive (directories left out), each checked against its size and CRC-32. */
export function readZip(bytes: Uint8Array, budget: Budget): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < EOCD_SIZE) throw new InputError('not a readable ZIP archive (too short)');
  const out: ZipEntry[] = [];
  for (const entry of readCentralDirectory(bytes, view, budget.limits.maxEntries)) {
    if (entry.name.endsWith('/')) continue;
    if (entry.flags & 1) throw new InputError(`"${entry.name}" in the ZIP archive is encrypted`);
    if (entry.method !== STORED && entry.method !== DEFLATE) throw new InputError(`"${entry.name}" in the ZIP archive uses compression method ${entry.method} (only stored and deflate are read)`);
    // A declared size above the budget is refused before any work; a lying header is caught by the inflater's cap.
    if (entry.size > budget.remaining) throw budget.exceeded(`"${entry.name}" in the ZIP archive (declares ${entry.size} bytes)`);
    const content = inflate(entry, entryData(bytes, view, entry), budget);
    if (content.length !== entry.size) throw new InputError(`corrupt ZIP archive ("${entry.name}" is ${content.length} bytes, the directory says ${entry.size})`);
    if (crc32(content) >>> 0 !== entry.crc) throw new InputError(`corrupt ZIP archive ("${entry.name}" fails its CRC-32 check)`);
    budget.spend(content.length, `"${entry.name}" in the ZIP archive`);
    out.push({ name: entry.name, bytes: content });
  }
  return out;
}

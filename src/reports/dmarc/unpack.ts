/**
 * From an input file to the XML documents inside it. Reports arrive as plain XML, gzip (RFC 7489
 * §7.2.1.1 asks for it), ZIP (Google, Yahoo and others send that instead) or still attached to the
 * email that carried them. The container is told by its first bytes, not by the file name, which
 * reporters and mail clients get wrong.
 */
import { gunzipSync } from 'node:zlib';
import PostalMime from 'postal-mime';
import { InputError } from '../../errors.ts';
import { Budget, type SizeLimits } from './budget.ts';
import { isZip, readZip } from './zip.ts';

export type InputKind = 'xml' | 'gzip' | 'zip' | 'eml';

export interface ReportDocument {
  /** Where the XML came from: `file.eml › google.com!acme.example!….zip › ….xml`. */
  source: string;
  bytes: Uint8Array;
}

export interface Unpacked {
  kind: InputKind;
  documents: ReportDocument[];
  /** Parts that were skipped (a text/plain body, a README in an archive), in plain words. */
  skipped: string[];
}

const REPORT_TYPES = new Set(['application/gzip', 'application/x-gzip', 'application/zip', 'application/x-zip-compressed', 'application/x-zip', 'text/xml', 'application/xml', 'application/octet-stream']);
const REPORT_NAME = /\.(xml|gz|gzip|zip)$/i;

function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function looksLikeXml(bytes: Uint8Array): boolean {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return true;
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && i < 4096 && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x3c;
}

/** An RFC 5322 message starts with a header field (or an mbox "From " line). */
function looksLikeMessage(bytes: Uint8Array): boolean {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  return /^(From |[!-9;-~]+:)/.test(head);
}

function kindOf(bytes: Uint8Array): InputKind | null {
  if (isGzip(bytes)) return 'gzip';
  if (isZip(bytes)) return 'zip';
  if (looksLikeXml(bytes)) return 'xml';
  if (looksLikeMessage(bytes)) return 'eml';
  return null;
}

function gunzip(bytes: Uint8Array, source: string, budget: Budget): Uint8Array {
  let out: Uint8Array;
  try {
    out = gunzipSync(bytes, { maxOutputLength: Math.max(1, budget.remaining) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw budget.exceeded(`the gzip data of ${source}`);
    throw new InputError(`corrupt gzip data (${(err as Error).message})`);
  }
  budget.spend(out.length, `the gzip data of ${source}`);
  return out;
}

async function attachments(bytes: Uint8Array, source: string): Promise<{ parts: { name: string; bytes: Uint8Array }[]; skipped: string[] }> {
  let email;
  try {
    email = await PostalMime.parse(bytes, { attachmentEncoding: 'arraybuffer', maxNestingDepth: 16 });
  } catch (err) {
    throw new InputError(`the email could not be read (${(err as Error).message})`);
  }
  const parts: { name: string; bytes: Uint8Array }[] = [];
  const skipped: string[] = [];
  for (const a of email.attachments) {
    const type = a.mimeType.toLowerCase().split(/[\s;]/)[0]!;
    const name = a.filename ?? `attachment (${type})`;
    const content = new Uint8Array(a.content as ArrayBuffer);
    if (REPORT_TYPES.has(type) || REPORT_NAME.test(name)) parts.push({ name, bytes: content });
    else skipped.push(`${source} › ${name}: a ${type} attachment, not a report`);
  }
  return { parts, skipped };
}

async function walk(source: string, bytes: Uint8Array, budget: Budget, depth: number, out: Unpacked): Promise<void> {
  if (depth > budget.limits.maxNesting) throw new InputError(`${source}: containers nested deeper than ${budget.limits.maxNesting} levels`);
  const kind = kindOf(bytes);
  if (depth === 0) out.kind = kind ?? 'xml';
  if (kind === 'xml') {
    out.documents.push({ source, bytes });
  } else if (kind === 'gzip') {
    // `report.xml.gz` holds `report.xml`; a gzip named otherwise keeps its name, marked.
    const inner = /\.gz(ip)?$/i.test(source) ? source.replace(/\.gz(ip)?$/i, '') : `${source} (gunzipped)`;
    await walk(inner, gunzip(bytes, source, budget), budget, depth + 1, out);
  } else if (kind === 'zip') {
    for (const entry of readZip(bytes, budget)) await walkPart(`${source} › ${entry.name}`, entry.bytes, budget, depth + 1, out);
  } else if (kind === 'eml' && depth === 0) {
    const { parts, skipped } = await attachments(bytes, source);
    out.skipped.push(...skipped);
    for (const part of parts) await walkPart(`${source} › ${part.name}`, part.bytes, budget, depth + 1, out);
  } else {
    throw new InputError(depth === 0 ? 'not a DMARC report: neither XML, gzip, ZIP nor an email message' : `${source}: not XML, gzip or ZIP`);
  }
}

/** Inside a container, a part that is not a report (a README, a signature) is skipped, not fatal. */
async function walkPart(source: string, bytes: Uint8Array, budget: Budget, depth: number, out: Unpacked): Promise<void> {
  const kind = kindOf(bytes);
  if (kind === 'xml' || kind === 'gzip' || kind === 'zip') return walk(source, bytes, budget, depth, out);
  out.skipped.push(`${source}: not XML, gzip or ZIP`);
}

/** Every XML document in one input, with what was skipped; InputError when nothing can be read. */
export async function unpack(name: string, bytes: Uint8Array, limits: SizeLimits): Promise<Unpacked> {
  if (!bytes.length) throw new InputError('the file is empty');
  if (bytes.length > limits.maxInputBytes) throw new InputError(`${bytes.length} bytes, above the limit of ${limits.maxInputBytes} bytes`);
  const out: Unpacked = { kind: 'xml', documents: [], skipped: [] };
  await walk(name, bytes, new Budget(limits), 0, out);
  if (!out.documents.length) {
    throw new InputError(out.kind === 'eml' ? 'no DMARC report attached to this email' : `no XML report inside this ${out.kind === 'zip' ? 'ZIP archive' : 'file'}`);
  }
  return out;
}

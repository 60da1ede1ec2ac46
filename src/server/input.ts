/**
 * Request bodies in, checked values out: every way a client can get a request wrong ends here as
 * an InputError with a sentence saying what to change (the app answers 400 with it).
 *
 * `POST /api/diagnose` takes JSON `{ domain, bounces?: string[], options? }` or multipart/form-data
 * with a `domain` field, optional `options` (JSON text), pasted `bounce` text fields and `.eml`
 * file parts.
 */
import type { Context } from 'hono';
import { InputError } from '../errors.ts';
import { normalizeDomain, normalizeIp } from '../net/names.ts';
import type { ServerLimits } from './options.ts';

export interface RunRequestOptions {
  noProbe: boolean;
  selectors: string[];
  timeoutMs?: number;
}

export interface NamedMessage {
  name: string;
  bytes: Uint8Array;
}

export interface DiagnoseRequest {
  domain: string;
  messages: NamedMessage[];
  options: RunRequestOptions;
}

const OPTION_KEYS = ['noProbe', 'selectors', 'timeoutMs'] as const;
const SELECTOR = /^[a-z0-9_](?:[a-z0-9_.-]{0,62})$/i;
const encoder = new TextEncoder();

function mediaType(c: Context): string {
  return (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new InputError('the request body is not valid JSON');
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseOptions(value: unknown): RunRequestOptions {
  if (value === undefined || value === null) return { noProbe: false, selectors: [] };
  if (!isRecord(value)) throw new InputError('"options" must be an object');
  const unknown = Object.keys(value).filter((k) => !(OPTION_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new InputError(`unknown option "${unknown[0]}" (known: ${OPTION_KEYS.join(', ')})`);
  const { noProbe, selectors, timeoutMs } = value;
  if (noProbe !== undefined && typeof noProbe !== 'boolean') throw new InputError('"options.noProbe" must be true or false');
  if (selectors !== undefined && (!Array.isArray(selectors) || selectors.some((s) => typeof s !== 'string' || !SELECTOR.test(s)))) {
    throw new InputError('"options.selectors" must be a list of DKIM selector names (letters, digits, "-", "_", ".")');
  }
  if (((selectors as string[] | undefined)?.length ?? 0) > 20) throw new InputError('"options.selectors": at most 20 selectors');
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || (timeoutMs as number) < 100 || (timeoutMs as number) > 30_000)) {
    throw new InputError('"options.timeoutMs" must be a whole number of milliseconds between 100 and 30000');
  }
  return {
    noProbe: noProbe === true,
    selectors: (selectors as string[] | undefined)?.map((s) => s.toLowerCase()) ?? [],
    ...(timeoutMs !== undefined ? { timeoutMs: timeoutMs as number } : {}),
  };
}

function checkMessages(messages: NamedMessage[], limits: ServerLimits): NamedMessage[] {
  if (messages.length > limits.maxMessages) throw new InputError(`at most ${limits.maxMessages} messages per diagnosis (got ${messages.length})`);
  for (const m of messages) {
    if (m.bytes.length === 0) throw new InputError(`message "${m.name}" is empty`);
    if (m.bytes.length > limits.maxMessageBytes) {
      throw new InputError(`message "${m.name}" is ${m.bytes.length} bytes, above the limit of ${limits.maxMessageBytes}`);
    }
  }
  return messages;
}

function domainOf(value: unknown): string {
  if (typeof value !== 'string') throw new InputError('"domain" is required: the domain whose mail is not getting through');
  return normalizeDomain(value);
}

async function diagnoseFromJson(c: Context, limits: ServerLimits): Promise<DiagnoseRequest> {
  const body = await readJson(c);
  if (!isRecord(body)) throw new InputError('expected a JSON object: { "domain": "example.com", "bounces": ["<raw message>"] }');
  const { bounces } = body;
  if (bounces !== undefined && (!Array.isArray(bounces) || bounces.some((b) => typeof b !== 'string'))) {
    throw new InputError('"bounces" must be a list of raw messages (strings)');
  }
  const messages = ((bounces as string[] | undefined) ?? [])
    .map((text, i) => ({ name: `bounce-${i + 1}.eml`, bytes: encoder.encode(text) }));
  return { domain: domainOf(body.domain), messages: checkMessages(messages, limits), options: parseOptions(body.options) };
}

async function diagnoseFromForm(c: Context, limits: ServerLimits): Promise<DiagnoseRequest> {
  let form: FormData;
  try {
    form = await c.req.formData();
  } catch {
    throw new InputError('the multipart body could not be read');
  }
  const messages: NamedMessage[] = [];
  let options: unknown;
  let domain: unknown;
  for (const [key, value] of form.entries()) {
    if (typeof value !== 'string') {
      messages.push({ name: safeName(value.name) || `upload-${messages.length + 1}.eml`, bytes: new Uint8Array(await value.arrayBuffer()) });
    } else if (key === 'domain') {
      domain = value;
    } else if (key === 'options') {
      try {
        options = value.trim() ? JSON.parse(value) : undefined;
      } catch {
        throw new InputError('the "options" field is not valid JSON');
      }
    } else if (key === 'bounce' || key === 'bounces') {
      if (value.trim()) messages.push({ name: `pasted-${messages.length + 1}.eml`, bytes: encoder.encode(value) });
    } else {
      throw new InputError(`unknown form field "${key}" (known: domain, options, bounce, and files)`);
    }
  }
  return { domain: domainOf(domain), messages: checkMessages(messages, limits), options: parseOptions(options) };
}

export async function parseDiagnoseRequest(c: Context, limits: ServerLimits): Promise<DiagnoseRequest> {
  const type = mediaType(c);
  if (type === 'application/json') return diagnoseFromJson(c, limits);
  if (type === 'multipart/form-data') return diagnoseFromForm(c, limits);
  throw new InputError('send JSON (Content-Type: application/json) or a form with .eml files (multipart/form-data)');
}

/** An uploaded file's name is only shown back as text; keep it short and free of path parts. */
function safeName(name: string): string {
  return name.replace(/^.*[\\/]/, '').replace(/[\x00-\x1f\x7f]/g, '').slice(0, 120);
}

/**
 * `POST /api/analyze`: one message as the raw body (message/rfc822, text/plain,
 * application/octet-stream), as JSON `{ "message": "<raw>" }`, or as one file in a form.
 */
export async function parseAnalyzeRequest(c: Context, limits: ServerLimits): Promise<NamedMessage> {
  const type = mediaType(c);
  let message: NamedMessage;
  if (type === 'application/json') {
    const body = await readJson(c);
    if (!isRecord(body) || typeof body.message !== 'string') throw new InputError('expected a JSON object: { "message": "<raw message>" }');
    message = { name: 'message.eml', bytes: encoder.encode(body.message) };
  } else if (type === 'multipart/form-data') {
    const form = await c.req.formData().catch(() => {
      throw new InputError('the multipart body could not be read');
    });
    const parts = [...form.values()].filter((v) => typeof v !== 'string' || v.trim() !== '');
    if (parts.length !== 1) throw new InputError(`send exactly one message to analyze (got ${parts.length})`);
    const part = parts[0]!;
    message = typeof part === 'string'
      ? { name: 'pasted.eml', bytes: encoder.encode(part) }
      : { name: safeName(part.name) || 'upload.eml', bytes: new Uint8Array(await part.arrayBuffer()) };
  } else if (['message/rfc822', 'text/plain', 'application/octet-stream'].includes(type)) {
    message = { name: 'message.eml', bytes: new Uint8Array(await c.req.arrayBuffer()) };
  } else {
    throw new InputError('send the message as message/rfc822, text/plain, JSON { "message": … } or a form upload');
  }
  return checkMessages([message], { ...limits, maxMessages: 1 })[0]!;
}

/** `POST /api/blocklist`: `{ "targets": ["203.0.113.80", "acme.example"] }`. */
export async function parseBlocklistRequest(c: Context, limits: ServerLimits): Promise<string[]> {
  if (mediaType(c) !== 'application/json') throw new InputError('send JSON: { "targets": ["203.0.113.80", "example.com"] }');
  const body = await readJson(c);
  if (!isRecord(body) || !Array.isArray(body.targets) || body.targets.length === 0) {
    throw new InputError('"targets" is required: a list of IP addresses and domains');
  }
  if (body.targets.length > limits.maxBlocklistTargets) throw new InputError(`at most ${limits.maxBlocklistTargets} targets per request`);
  return body.targets.map((t: unknown) => {
    if (typeof t !== 'string') throw new InputError('each target must be a string (an IP address or a domain)');
    return /^[\d.]+$|:/.test(t.trim()) ? normalizeIp(t) : normalizeDomain(t);
  });
}

/**
 * The UI's side of the HTTP API. Every call goes through `api()`, which adds the token when the
 * server asks for one. Progress is read from the server-sent event stream through fetch rather
 * than EventSource, because EventSource cannot send an Authorization header.
 */
import type { JobView, ProgressEvent } from './contract.ts';

const TOKEN_KEY = 'mailsleuth.token';
/** The token for this page when session storage is unavailable. */
let memoryToken = '';

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function getToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setToken(token: string): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage may be disabled; the token then lasts as long as the page.
  }
  memoryToken = token;
}

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const token = getToken() || memoryToken;
  const headers = new Headers(init.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  const res = await fetch(path, { ...init, headers });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: string } | null;
    throw new ApiError(res.status, body?.error ?? `${res.status} ${res.statusText}`);
  }
  return res;
}

export interface Health {
  ok: boolean;
  version: string;
  lab: string | null;
}

export async function health(): Promise<Health> {
  return (await api('/api/health')).json() as Promise<Health>;
}

export interface Submission {
  domain: string;
  files: File[];
  pasted: string[];
  noProbe: boolean;
}

export async function submitDiagnosis(s: Submission): Promise<string> {
  const form = new FormData();
  form.set('domain', s.domain);
  form.set('options', JSON.stringify({ noProbe: s.noProbe }));
  for (const text of s.pasted) form.append('bounce', text);
  for (const file of s.files) form.append('file', file, file.name);
  const res = await api('/api/diagnose', { method: 'POST', body: form });
  return ((await res.json()) as { id: string }).id;
}

export async function getJob(id: string): Promise<JobView> {
  return (await api(`/api/jobs/${encodeURIComponent(id)}`)).json() as Promise<JobView>;
}

export type StreamEvent =
  | { event: 'status'; data: { status: string } }
  | { event: 'progress'; data: ProgressEvent }
  | { event: 'done'; data: { status: 'done' | 'failed'; error?: string } };

/** Reads the job's event stream until `done` (or abort); calls `onEvent` for each event. */
export async function streamJob(id: string, onEvent: (e: StreamEvent) => void, signal: AbortSignal): Promise<void> {
  const res = await api(`/api/jobs/${encodeURIComponent(id)}/events`, { signal, headers: { Accept: 'text/event-stream' } });
  if (!res.body) throw new ApiError(0, 'the browser gave no response stream');
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const parsed = parseEventBlock(block);
      if (parsed) {
        onEvent(parsed);
        if (parsed.event === 'done') return;
      }
    }
  }
}

/** One SSE block (`event:` and `data:` lines); comments and unknown events are skipped. */
function parseEventBlock(block: string): StreamEvent | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (!['status', 'progress', 'done'].includes(event) || data.length === 0) return null;
  try {
    return { event, data: JSON.parse(data.join('\n')) } as StreamEvent;
  } catch {
    return null;
  }
}

/** Downloads a report (token included) by handing the browser a blob. */
export async function downloadReport(id: string, format: 'json' | 'md' | 'html', domain: string): Promise<void> {
  const res = await api(`/api/jobs/${encodeURIComponent(id)}/report.${format}`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `mailsleuth-${domain}.${format}`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

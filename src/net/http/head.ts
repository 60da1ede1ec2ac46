/**
 * The head of an HTTP/1.x response (RFC 9112 §4–5): status line and header fields. Only the head
 * matters to the web probe (status, Location, Strict-Transport-Security), so the body is never read.
 */

export interface HttpHead {
  version: string;
  status: number;
  reason: string;
  /** Field names lowercased; a field sent several times keeps every value in order. */
  headers: Record<string, string[]>;
}

export class HttpProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpProtocolError';
  }
}

/** A response head larger than this is refused (browsers and proxies stop around 8–64 KB). */
export const MAX_HEAD_BYTES = 32 * 1024;
export const MAX_HEADER_FIELDS = 200;

const STATUS_LINE = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/;
const FIELD = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;

/** Where the head ends in `buffer` (index just past the blank line), or -1 when not yet complete. */
export function headEnd(buffer: Buffer): number {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
  return lf >= 0 ? lf + 2 : -1;
}

export function parseHead(text: string): HttpHead {
  const lines = text.split(/\r?\n/);
  const statusLine = lines.shift() ?? '';
  const status = STATUS_LINE.exec(statusLine);
  if (!status) throw new HttpProtocolError(`not an HTTP response: ${JSON.stringify(statusLine.slice(0, 60))}`);
  const headers: Record<string, string[]> = {};
  let count = 0;
  for (const line of lines) {
    if (line === '') continue;
    // Obsolete line folding (RFC 9112 §5.2): append to the previous field's last value.
    if (/^[ \t]/.test(line)) continue;
    const field = FIELD.exec(line);
    if (!field) throw new HttpProtocolError(`malformed header line: ${JSON.stringify(line.slice(0, 60))}`);
    if (++count > MAX_HEADER_FIELDS) throw new HttpProtocolError(`more than ${MAX_HEADER_FIELDS} header fields`);
    const name = field[1]!.toLowerCase();
    (headers[name] ??= []).push(field[2]!);
  }
  return { version: status[1]!, status: Number(status[2]), reason: status[3] ?? '', headers };
}

/** The first value of a header field, or null. */
export function header(head: HttpHead, name: string): string | null {
  return head.headers[name.toLowerCase()]?.[0] ?? null;
}

/**
 * Turning bytes into messages: the size limit, line endings (CRLF, LF and bare CR all become LF),
 * and mbox files that hold several messages.
 */
import { InputError } from '../errors.ts';

/** 25 MB: larger than any real bounce, small enough that a mistaken path to a disk image fails fast. */
export const DEFAULT_MAX_SIZE = 25 * 1024 * 1024;

export function checkSize(bytes: Uint8Array, maxSize = DEFAULT_MAX_SIZE): void {
  if (bytes.length > maxSize) {
    throw new InputError(`message is ${bytes.length} bytes, above the limit of ${maxSize} bytes (raise it with --max-size)`);
  }
}

const CR = 13;
const LF = 10;

/** CRLF → LF and a lone CR → LF, byte for byte, so 8-bit bodies stay intact for the MIME parser. */
export function normalizeLineEndings(bytes: Uint8Array): Uint8Array {
  if (bytes.indexOf(CR) === -1) return bytes;
  const out = new Uint8Array(bytes.length);
  let j = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === CR) {
      out[j++] = LF;
      if (bytes[i + 1] === LF) i++;
    } else {
      out[j++] = b;
    }
  }
  return out.subarray(0, j);
}

const latin1 = new TextDecoder('latin1');

/**
 * Splits an mbox (mboxrd/mboxo) into its messages. A message starts at a line "From " (the
 * envelope line) at the start of the file or after an empty line; ">From " quoting is undone.
 * Text that does not start with "From " is one message.
 */
export function splitMbox(bytes: Uint8Array): Uint8Array[] {
  const head = latin1.decode(bytes.subarray(0, 5));
  if (head !== 'From ') return [bytes];
  // latin1 maps every byte to one code unit, so string offsets are byte offsets.
  const text = latin1.decode(bytes);
  const starts: number[] = [];
  const re = /(?:^|\n\n)From [^\n]*\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index === 0 ? 0 : m.index + 2);
  const messages: Uint8Array[] = [];
  for (let k = 0; k < starts.length; k++) {
    const start = starts[k]!;
    const end = k + 1 < starts.length ? starts[k + 1]! : text.length;
    const lineEnd = text.indexOf('\n', start) + 1;
    const body = text.slice(lineEnd, end).replace(/^>(>*From )/gm, '$1');
    messages.push(Buffer.from(body, 'latin1'));
  }
  return messages;
}

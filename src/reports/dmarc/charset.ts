/**
 * Bytes of an XML report to text. The byte-order mark wins, then the encoding named in the XML
 * declaration (AOL wrote `windows-1252`), then UTF-8. A report that claims UTF-8 but is not
 * (reporters paste Latin-1 organization names) is read as windows-1252 instead of failing:
 * every field that matters is ASCII.
 */

export interface DecodedText {
  text: string;
  /** Reporter quirks met on the way, in plain words. */
  quirks: string[];
}

function declaredEncoding(bytes: Uint8Array): string | null {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 256));
  const match = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  return match ? match[1]!.toLowerCase() : null;
}

/** A decoding function for the label, or null when the platform does not know the encoding. */
function decoderFor(label: string): ((bytes: Uint8Array) => string) | null {
  try {
    const decoder = new TextDecoder(label, { fatal: true });
    return (bytes) => decoder.decode(bytes);
  } catch {
    return null;
  }
}

export function decodeXmlBytes(bytes: Uint8Array): DecodedText {
  const quirks: string[] = [];
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    quirks.push('a UTF-8 byte-order mark before the XML');
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), quirks };
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { text: new TextDecoder(bytes[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(bytes.subarray(2)), quirks };
  }
  const label = declaredEncoding(bytes) ?? 'utf-8';
  const decode = decoderFor(label);
  if (!decode) {
    quirks.push(`an unknown encoding "${label}" in the XML declaration (read as UTF-8)`);
    return { text: new TextDecoder('utf-8').decode(bytes), quirks };
  }
  try {
    return { text: decode(bytes), quirks };
  } catch {
    quirks.push(`bytes that are not valid ${label} (read as windows-1252)`);
    return { text: new TextDecoder('windows-1252').decode(bytes), quirks };
  }
}

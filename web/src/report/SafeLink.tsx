/**
 * The only way the report makes a link. Everything from a message or DNS is text; a link is made
 * only for an http(s) URL, so a `javascript:` or `data:` URL in a hostile bounce stays inert text.
 * Callers pass URLs from our own catalog and fixes only.
 */
import type { ComponentChildren } from 'preact';

export function isWebUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export function SafeLink({ href, children }: { href: string; children?: ComponentChildren }) {
  if (!isWebUrl(href)) return <span class="url">{children ?? href}</span>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children ?? href}
    </a>
  );
}

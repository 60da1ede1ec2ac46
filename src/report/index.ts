/** Renderers for a diagnosis: terminal text, JSON (the contract), Markdown and self-contained HTML. */
import type { Diagnosis } from '../diagnose/types.ts';
import { renderText } from './text.ts';
import { renderMarkdown } from './markdown.ts';
import { renderHtml } from './html.ts';

export { renderText, renderMarkdown, renderHtml };

export type ReportFormat = 'text' | 'json' | 'md' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'md', 'html'];

export function render(d: Diagnosis, format: ReportFormat): string {
  switch (format) {
    case 'json': return JSON.stringify(d, null, 2) + '\n';
    case 'md': return renderMarkdown(d);
    case 'html': return renderHtml(d);
    default: return renderText(d);
  }
}

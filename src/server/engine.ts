/**
 * What the server needs from the rest of mailsleuth, as one object, so the HTTP layer can be
 * built and tested on its own and the real engine is wired in one place (`realEngine`).
 */
import type { Context } from '../checks/types.ts';
import type { Diagnosis, DiagnoseInput } from '../diagnose/types.ts';
import type { Resolver } from '../net/dns/types.ts';
import { diagnose } from '../diagnose/index.ts';
import { analyzeMessage } from '../message/index.ts';
import { checkBlocklists, parseTarget } from '../checks/blocklists/index.ts';
import { renderHtml, renderMarkdown } from '../report/index.ts';

export interface Engine {
  diagnose(ctx: Context, input: DiagnoseInput): Promise<Diagnosis>;
  /** One message's analysis (the `analyze --json` shape). */
  analyze(bytes: Uint8Array, options: { resolver?: Resolver }): Promise<unknown>;
  /** The `blocklist --json` shape: `{ results: [...] }`. */
  blocklist(ctx: Context, targets: string[]): Promise<unknown>;
  renderMarkdown(diagnosis: Diagnosis): string;
  renderHtml(diagnosis: Diagnosis): string;
}

/** The engine the CLI and the real tests use: the diagnosis, message analysis, blocklists, reports. */
export function realEngine(): Engine {
  return {
    diagnose,
    // The server's own size limits apply before this; the analyzer keeps its own as a second wall.
    analyze: (bytes, options) => analyzeMessage(bytes, options.resolver ? { resolver: options.resolver } : {}),
    blocklist: (ctx, targets) => checkBlocklists(ctx, targets.map((t) => parseTarget(t)), { keys: ctx.options.keys }),
    renderMarkdown,
    renderHtml,
  };
}

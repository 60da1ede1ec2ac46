/**
 * The web UI's files: `vite build` writes them to `dist/web`, the server serves them from memory
 * with a strict Content-Security-Policy (scripts from this origin only, nothing inline), and
 * `ensureWebBuild` builds them on demand so `mailsleuth serve` works on a fresh clone.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WEB_SOURCE = join(PROJECT_ROOT, 'web');
export const WEB_DIST = join(PROJECT_ROOT, 'dist', 'web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * The UI renders untrusted text from bounces and DNS; this policy is the second wall behind
 * "everything is text": even an injected element could not run a script or load anything.
 */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface WebFile {
  body: Uint8Array;
  type: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : entry.isFile() ? [path] : [];
  });
}

function loadFiles(dist: string): Map<string, WebFile> | null {
  if (!existsSync(join(dist, 'index.html'))) return null;
  const files = new Map<string, WebFile>();
  for (const path of walk(dist)) {
    const url = '/' + relative(dist, path).split(sep).join('/');
    files.set(url, { body: readFileSync(path), type: TYPES[extname(path)] ?? 'application/octet-stream' });
  }
  return files;
}

/** Serves the UI: its files, and index.html for `/` and for report permalinks `/r/<job id>`. */
export function mountWeb(app: Hono, dist = WEB_DIST): void {
  let files: Map<string, WebFile> | null = null;
  app.get('*', (c) => {
    files ??= loadFiles(dist);
    if (!files) {
      return c.text('The web UI is not built. Run "npm run build:web" (mailsleuth serve builds it by itself when vite is installed).\n', 503);
    }
    const path = c.req.path;
    const isPage = path === '/' || /^\/r\/[0-9a-f-]{36}$/.test(path);
    const file = files.get(isPage ? '/index.html' : path);
    if (!file) return c.text('not found\n', 404);
    c.header('Content-Type', file.type);
    c.header('Content-Security-Policy', UI_CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    // Vite puts a content hash in asset names, so those never change; pages must be revalidated.
    c.header('Cache-Control', path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    return c.body(file.body as Uint8Array<ArrayBuffer>);
  });
}

function newestMtime(paths: string[]): number {
  let newest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(readdirSync(path).map((p) => join(path, p))) : stat.mtimeMs);
  }
  return newest;
}

/** True when `dist/web` is missing or older than any UI source. */
export function webBuildIsStale(root = PROJECT_ROOT): boolean {
  const index = join(root, 'dist', 'web', 'index.html');
  if (!existsSync(index)) return true;
  const sources = [join(root, 'web'), join(root, 'vite.config.ts')];
  return newestMtime(sources) > statSync(index).mtimeMs;
}

/**
 * Builds the UI with vite when it is missing or stale. Returns a line for the operator when the
 * build could not happen (vite is a dev dependency: absent from a production install that ships
 * without `dist/web`), in which case the API still works.
 */
export async function ensureWebBuild(log: (line: string) => void, root = PROJECT_ROOT): Promise<void> {
  if (!existsSync(join(root, 'web', 'index.html')) || !webBuildIsStale(root)) return;
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    log('web UI: dist/web is missing or stale and vite is not installed; serving the API only');
    return;
  }
  log('web UI: building with vite…');
  const started = Date.now();
  await vite.build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
  log(`web UI: built in ${Date.now() - started} ms`);
}

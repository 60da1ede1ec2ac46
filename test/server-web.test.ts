/**
 * How the server hands out the web UI: index.html for `/` and report permalinks, hashed assets
 * with long caching, a strict Content-Security-Policy, 503 with a hint when the UI is not built,
 * and the staleness rule that makes `serve` rebuild after a UI source changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/server/index.ts';
import { realEngine } from '../src/server/engine.ts';
import { webBuildIsStale } from '../src/server/web.ts';

const network = { resolvers: ['127.0.0.1:9'], connectMap: [], ca: [], allowPrivate: false, keys: {}, timeoutMs: 1000 };

function fakeBuild(): string {
  const dist = mkdtempSync(join(tmpdir(), 'mailsleuth-web-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="app"></div><script type="module" src="/assets/index-abc.js"></script>');
  writeFileSync(join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dist;
}

test('the page, permalinks and assets, each with the right type, caching and CSP', async () => {
  const dist = fakeBuild();
  try {
    const { app } = createApp({ engine: realEngine(), network, webDist: dist });
    for (const path of ['/', '/r/0b6e8a0c-3f1d-4c3e-9f57-2a1d5b7c9e10']) {
      const res = await app.request(path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(await res.text(), /<div id="app">/);
    }
    const js = await app.request('/assets/index-abc.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /text\/javascript/);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    assert.equal((await app.request('/favicon.svg')).headers.get('content-type'), 'image/svg+xml');
    for (const path of ['/r/not-a-job', '/../package.json', '/assets/missing.js', '/src/main.tsx']) {
      assert.equal((await app.request(path)).status, 404, path);
    }
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
});

test('without a build the UI answers 503 with the command to run; the API still works', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'mailsleuth-noweb-'));
  try {
    const { app } = createApp({ engine: realEngine(), network, webDist: empty });
    const res = await app.request('/');
    assert.equal(res.status, 503);
    assert.match(await res.text(), /npm run build:web/);
    assert.equal((await app.request('/api/health')).status, 200);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('the build is stale when missing or older than a UI source', () => {
  const root = mkdtempSync(join(tmpdir(), 'mailsleuth-stale-'));
  try {
    mkdirSync(join(root, 'web', 'src'), { recursive: true });
    writeFileSync(join(root, 'web', 'src', 'app.tsx'), 'x');
    assert.equal(webBuildIsStale(root), true, 'no build at all');
    mkdirSync(join(root, 'dist', 'web'), { recursive: true });
    writeFileSync(join(root, 'dist', 'web', 'index.html'), 'built');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'web', 'src', 'app.tsx'), past, past);
    utimesSync(join(root, 'web', 'src'), past, past);
    utimesSync(join(root, 'web'), past, past);
    assert.equal(webBuildIsStale(root), false, 'built after the last change');
    writeFileSync(join(root, 'web', 'src', 'app.tsx'), 'changed');
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'web', 'src', 'app.tsx'), future, future);
    assert.equal(webBuildIsStale(root), true, 'a source changed after the build');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

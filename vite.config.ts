// The web UI build: sources in web/, output in dist/web (git-ignored), served by `mailsleuth serve`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    // The server's Content-Security-Policy allows no inline script; keep every module a file.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});

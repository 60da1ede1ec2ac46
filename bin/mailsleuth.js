#!/usr/bin/env node
// The CLI is TypeScript run natively; that needs Node 24 (type stripping). npm scripts and npx put the
// project's pinned Node 24 first on PATH; a bare `node` from an older system gets a clear message.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`mailsleuth needs Node.js 24 or newer (this is ${process.version}); run it through npx or npm scripts.\n`);
  process.exit(2);
}
await import('../src/cli/main.ts');

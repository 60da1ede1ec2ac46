/**
 * Runs every conformance script in this folder (each `*.conformance.ts` prints its figures and exits
 * non-zero when below its bar). Skips with a message when ../shared is not there.
 */
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedDir } from '../shared-dir.ts';

const here = dirname(fileURLToPath(import.meta.url));
if (!sharedDir()) {
  console.log('conformance: ../shared not found (set MAILSLEUTH_SHARED); skipped');
  process.exit(0);
}
let failed = 0;
for (const file of readdirSync(here).filter((f) => f.endsWith('.conformance.ts')).sort()) {
  console.log(`# ${file}`);
  const r = spawnSync(process.execPath, [join(here, file)], { stdio: 'inherit', env: { ...process.env, MAILSLEUTH_OFFLINE: '1' } });
  if (r.status !== 0) { failed++; console.log(`# ${file}: FAILED (exit ${r.status})`); }
}
process.exit(failed ? 1 : 0);

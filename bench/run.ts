/** Runs every benchmark in this folder (`*.bench.ts`), one after the other, each printing its figures. */
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
let failed = 0;
for (const file of readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort()) {
  if (only.length && !only.some((o) => file.includes(o))) continue;
  console.log(`# ${file}`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, file)], { stdio: 'inherit', env: { ...process.env, MAILSLEUTH_OFFLINE: '1' } });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

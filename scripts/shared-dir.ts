/**
 * Where the third-party corpora live: `../shared` beside the checkout, or MAILSLEUTH_SHARED.
 * The project never needs them at run time; conformance scripts skip with a message without them.
 */
import { existsSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function sharedDir(): string | null {
  const dir = process.env.MAILSLEUTH_SHARED ?? resolve(repoRoot, '..', 'shared');
  return existsSync(resolve(dir, 'corpus')) ? dir : null;
}

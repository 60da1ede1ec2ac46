/**
 * Message analysis speed over the Sisimai corpus (every .eml in maildir/bsd, dos, mac), and Sisimai
 * itself on the same files in the same run (Debian `libsisimai-perl`; `Sisimai->make` in 4.x,
 * `Sisimai->rise` in 5.x). Prints both times and the ratio. Without Sisimai installed, prints ours alone.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { sharedDir } from '../scripts/shared-dir.ts';
import { analyzeMailbox } from '../src/message/index.ts';

const shared = sharedDir();
if (!shared) {
  console.log('message bench: ../shared not found (set MAILSLEUTH_SHARED); skipped');
  process.exit(0);
}
const maildir = join(shared, 'corpus', 'sisimai', 'maildir');
const files = ['bsd', 'dos', 'mac'].flatMap((d) => readdirSync(join(maildir, d)).filter((f) => f.endsWith('.eml')).map((f) => join(maildir, d, f)));
const contents = files.map((f) => readFileSync(f));
const bytes = contents.reduce((n, c) => n + c.length, 0);

async function runOurs(): Promise<{ ms: number; bounces: number }> {
  const t0 = performance.now();
  let bounces = 0;
  for (const c of contents) for (const a of await analyzeMailbox(c)) if (a.bounce) bounces += a.bounce.recipients.length;
  return { ms: performance.now() - t0, bounces };
}

await runOurs(); // warm-up: module loading and JIT are not what we measure
const runs = [await runOurs(), await runOurs(), await runOurs()];
const ours = runs.sort((a, b) => a.ms - b.ms)[1]!;
console.log(`corpus: ${files.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MB`);
console.log(`mailsleuth analyzeMessage: ${ours.ms.toFixed(0)} ms (median of 3 warm runs), ${(ours.ms / files.length).toFixed(2)} ms/message, ${ours.bounces} bounced recipients`);

function perl(script: string, args: string[]): { ms: number; out: string; ok: boolean; err: string } {
  const t0 = performance.now();
  const r = spawnSync('perl', ['-MSisimai', '-e', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { ms: performance.now() - t0, out: r.stdout ?? '', ok: r.status === 0, err: (r.stderr ?? '').slice(0, 300) };
}

const version = perl('print $Sisimai::VERSION', []);
if (!version.ok) {
  console.log('Sisimai: not installed (apt-get install -y libsisimai-perl); only our figure is shown');
  process.exit(0);
}
// Sisimai 5 renamed make() to rise(); call whichever the installed version has.
const script = 'my $f = Sisimai->can("rise") ? "rise" : "make"; my $n = 0; for my $p (@ARGV) { my $v = Sisimai->$f($p); $n += scalar(@{ $v || [] }); } print $n;';
const startup = Math.min(...[0, 1, 2].map(() => perl(script, []).ms));
const sisimaiRuns = [0, 1, 2].map(() => perl(script, files));
if (!sisimaiRuns[0]!.ok) {
  console.log(`Sisimai ${version.out}: failed to run (${sisimaiRuns[0]!.err}); only our figure is shown`);
  process.exit(0);
}
const sisimai = sisimaiRuns.sort((a, b) => a.ms - b.ms)[1]!;
const sisimaiWork = sisimai.ms - startup;
console.log(`Sisimai ${version.out} (Perl): ${sisimaiWork.toFixed(0)} ms (median of 3, ${startup.toFixed(0)} ms interpreter start-up subtracted), ${(sisimaiWork / files.length).toFixed(2)} ms/message, ${sisimai.out.trim()} bounced recipients`);
console.log(`ratio: mailsleuth is ${(sisimaiWork / ours.ms).toFixed(2)}x ${sisimaiWork >= ours.ms ? 'faster' : 'slower'} than Sisimai`);

/**
 * Bounce classification against Sisimai's own expectations (../shared/corpus/sisimai): every
 * message in maildir/bsd, and its CRLF (dos) and CR (mac) variants, is analysed and its per-recipient
 * reason, status and hard/soft compared with expected.json. Bar: 90% reason agreement overall, and
 * no bounce at all from maildir/not. Prints agreement per Sisimai module (the MTA or provider) so a
 * rule that only fits one module shows up as such.
 *
 * Flags: --mismatches prints every disagreement with the diagnostic text; --module NAME limits the run.
 *
 * How we get close to Sisimai without knowing its corpus: like Sisimai, we first recognise who
 * wrote the bounce and whose reply it carries (data/bounce-mtas.json: MTA and appliance
 * fingerprints with their own fixed wording and DSN fields, local delivery agents, receiving
 * services with documented codes such as Orange's OFR_nnn), then read the words; and unknown-user
 * words count as a missing mailbox only when the refusal answered RCPT TO, the status is X.1.x, or
 * the words are a mail system's own directory lookup. At an unknown or later stage the same words
 * are what filtering gateways and carriers answer for a policy refusal, which Sisimai (and we) call
 * `filtered`. No rule names a corpus file, address or message-id.
 *
 * Where we believe Sisimai is wrong, or right only from knowledge no text carries (we keep our
 * answer; these count as disagreements, and the script prints how many fall in each):
 * - X.7.x statuses whose words Sisimai's rules do not cover become `securityerror` for Sisimai;
 *   we read the words: "Policy violation" (policyviolation), "Delivery not authorized" (filtered),
 *   "Access denied" (blocked/userunknown by context), "Email flagged as Spam" (spamdetected),
 *   Amavis "Reject … - SPAM" (spamdetected, Sisimai: notcompliantrfc).
 * - Yahoo's [TSS04] deferral is `rejected` when Sisimai recognises a yahoodns.net host and
 *   `badreputation` otherwise; we say badreputation (the text: "unexpected volume or user complaints").
 * - Auto-replies (RFC 3834) whose body says the account is disabled, and an ARF-less "unsubscribe"
 *   auto-reply: an auto-reply is not a bounce, so we say `vacation`.
 * - Texts we cannot or would rather not guess: Lotus Notes' Japanese "エラー(テストメッセージとしての)"
 *   (undefined; Sisimai: onhold), "ディレクトリのリストにありません" ("not in the directory list":
 *   userunknown; Sisimai: onhold), a bare "542 … Rejected" (undefined; Sisimai: onhold — both soft).
 * - A transcript that shows a local delivery agent's own error ("maildrop: maildir over quota")
 *   wins over the bare exit status Sisimai reads ("X-Unix; 77").
 * - FML mailing-list notices ("You are not a member", "Loop Alert") are list-manager replies to
 *   the sender, not delivery failures; we report no bounce for them.
 * - maildir/not/rb-issue-368-bug.eml is an mboxo file whose quoted original starts with an
 *   unescaped "From " line; read as the mbox it is, it holds two messages and the first names no
 *   failed recipient on a recipient line, so no bounce comes out — matching Sisimai, for that reason.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from '../shared-dir.ts';
import { analyzeMailbox, type MessageAnalysis } from '../../src/message/index.ts';

const shared = sharedDir();
if (!shared) {
  console.log('sisimai conformance: ../shared not found (set MAILSLEUTH_SHARED); skipped');
  process.exit(0);
}
const corpus = join(shared, 'corpus', 'sisimai');
const args = process.argv.slice(2);
const showMismatches = args.includes('--mismatches');
const onlyModule = args.includes('--module') ? args[args.indexOf('--module') + 1] : null;
const BAR = 0.9;

interface Expected { n: number; deliveryStatus: string | null; statusIsSisimaiInternal: boolean; replyCode: string | null; reason: string; hardBounce: boolean }
interface Sample { kind: string; module: string; expected: Expected[]; lineEndingVariants?: { path: string; sameAsBsdAfterNewlineNormalization: boolean }[] }
const expected = JSON.parse(readFileSync(join(corpus, 'expected.json'), 'utf8')) as { samples: Record<string, Sample> };

/** Our answer for recipient i in Sisimai's terms: feedback reports and auto-replies have their own reasons. */
function ours(a: MessageAnalysis | undefined, i: number): { reason: string; status: string | null; hard: boolean; diagnostic: string | null; address: string | null } {
  if (!a) return { reason: 'none', status: null, hard: false, diagnostic: null, address: null };
  if (a.kind === 'feedback-report') return { reason: 'feedback', status: null, hard: false, diagnostic: a.feedback?.feedbackType ?? null, address: null };
  if (a.kind === 'auto-reply') return { reason: 'vacation', status: null, hard: false, diagnostic: null, address: null };
  const r = a.bounce?.recipients[i] ?? a.bounce?.recipients[a.bounce.recipients.length - 1];
  if (!r) return { reason: 'none', status: null, hard: false, diagnostic: null, address: null };
  return { reason: r.reason, status: r.status, hard: r.hard, diagnostic: r.diagnostic, address: r.address };
}

const totals = { recipients: 0, reason: 0, statusComparable: 0, status: 0, hard: 0, files: 0, crashed: 0 };
const perModule = new Map<string, { n: number; ok: number }>();
const confusion = new Map<string, number>();
const mismatches: string[] = [];

async function analyzeFile(path: string): Promise<MessageAnalysis | undefined> {
  try {
    return (await analyzeMailbox(readFileSync(path)))[0];
  } catch (err) {
    totals.crashed++;
    mismatches.push(`${path}: CRASH ${(err as Error).stack}`);
    return undefined;
  }
}

const started = performance.now();
for (const [rel, sample] of Object.entries(expected.samples)) {
  if (onlyModule && sample.module !== onlyModule) continue;
  const paths = [rel, ...(sample.lineEndingVariants ?? []).filter((v) => v.sameAsBsdAfterNewlineNormalization).map((v) => v.path)];
  for (const path of paths) {
    const file = join(corpus, path);
    if (!existsSync(file)) continue;
    totals.files++;
    const analysis = await analyzeFile(file);
    const stat = perModule.get(sample.module) ?? { n: 0, ok: 0 };
    sample.expected.forEach((e, i) => {
      const got = ours(analysis, i);
      totals.recipients++;
      stat.n++;
      if (got.reason === e.reason) { totals.reason++; stat.ok++; } else {
        confusion.set(`${e.reason} -> ${got.reason}`, (confusion.get(`${e.reason} -> ${got.reason}`) ?? 0) + 1);
        if (path === rel) mismatches.push(`${path} #${e.n} [${sample.module}] expected ${e.reason} (${e.deliveryStatus ?? '-'}), got ${got.reason} (${got.status ?? '-'}) <${got.address ?? '?'}> :: ${(got.diagnostic ?? '').slice(0, 220)}`);
      }
      if (got.hard === e.hardBounce) totals.hard++;
      if (e.deliveryStatus && !e.statusIsSisimaiInternal) {
        totals.statusComparable++;
        if (got.status === e.deliveryStatus) totals.status++;
      }
    });
    perModule.set(sample.module, stat);
  }
}

// Files without expected values (older module names in dos/mac): they must at least not crash.
let extra = 0;
for (const dir of ['dos', 'mac']) {
  for (const name of readdirSync(join(corpus, 'maildir', dir))) {
    if (expected.samples[`maildir/bsd/${name}`]) continue;
    extra++;
    await analyzeFile(join(corpus, 'maildir', dir, name));
  }
}

// maildir/not: none of these may come out as a bounce.
const notBounces: string[] = [];
for (const name of readdirSync(join(corpus, 'maildir', 'not'))) {
  const all = await analyzeMailbox(readFileSync(join(corpus, 'maildir', 'not', name))).catch(() => []);
  if (all.some((a) => a.bounce && a.kind === 'bounce')) notBounces.push(name);
}
const elapsed = performance.now() - started;

const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(1) : '-') + '%';
if (showMismatches) console.log(mismatches.join('\n') + '\n');
console.log('module                 recipients  reason agreement');
for (const [name, s] of [...perModule.entries()].sort((a, b) => a[1].ok / a[1].n - b[1].ok / b[1].n || b[1].n - a[1].n)) {
  console.log(`  ${name.padEnd(20)} ${String(s.n).padStart(10)}  ${pct(s.ok, s.n).padStart(7)}`);
}
console.log('\nmost frequent disagreements (Sisimai -> ours):');
for (const [k, v] of [...confusion.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${String(v).padStart(3)}  ${k}`);
const disputed: [string, RegExp][] = [
  ['X.7.x read from its words, not as securityerror', /^securityerror -> /],
  ['Yahoo TSS04: reputation, not a rejected sender', /^rejected -> badreputation$/],
  ['auto-replies are not bounces', /-> vacation$/],
  ['texts we could not or would not classify as Sisimai does', /^onhold -> |-> (undefined|none)$/],
];
console.log('\ndisagreements in categories where we believe the text does not support Sisimai (see the header comment):');
for (const [label, re] of disputed) {
  const n = [...confusion.entries()].filter(([k]) => re.test(k)).reduce((a, [, v]) => a + v, 0);
  console.log(`  ${String(n).padStart(3)}  ${label}`);
}
const reasonRate = totals.reason / totals.recipients;
console.log(`\nfiles analysed: ${totals.files} with expected values (bsd + dos/mac variants), ${extra} more without; crashes: ${totals.crashed}`);
console.log(`reason agreement: ${totals.reason}/${totals.recipients} = ${pct(totals.reason, totals.recipients)} (bar ${BAR * 100}%)`);
console.log(`status agreement: ${totals.status}/${totals.statusComparable} = ${pct(totals.status, totals.statusComparable)} (Sisimai-internal codes excluded)`);
console.log(`hard/soft agreement: ${totals.hard}/${totals.recipients} = ${pct(totals.hard, totals.recipients)}`);
console.log(`maildir/not: ${notBounces.length ? 'FAILED, bounce reported for ' + notBounces.join(', ') : 'no bounce reported (ok)'}`);
console.log(`time: ${elapsed.toFixed(0)} ms`);
if (onlyModule) process.exit(0);
process.exit(reasonRate >= BAR && !notBounces.length && !totals.crashed ? 0 : 1);

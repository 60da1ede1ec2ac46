/** The report as Markdown, to paste into a ticket. Text from DNS or messages is escaped, never trusted. */
import type { Diagnosis } from '../diagnose/types.ts';

/** Escapes Markdown control characters and neutralises HTML in text that came from outside. */
export function mdEscape(text: string): string {
  return text.replace(/[\\`*_{}[\]<>#|]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text.replace(/\r?\n/g, ' ')}${fence}`;
}

export function renderMarkdown(d: Diagnosis): string {
  const out: string[] = [];
  out.push(`# Mail delivery diagnosis: ${mdEscape(d.domain)}`, '');
  out.push(`**Verdict: ${d.verdict}.** ${mdEscape(d.headline)}`, '');
  out.push(`_Generated ${d.generatedAt} by mailsleuth in ${d.durationMs} ms (${d.dns.queriesSent} DNS queries via ${mdEscape(d.dns.servers.join(', '))})._`, '');
  if (d.causes.length) {
    out.push('## Causes (most likely first)', '');
    d.causes.forEach((c, i) => {
      out.push(`### ${i + 1}. ${mdEscape(c.summary)}`, '');
      out.push(`\`${c.id}\` · severity **${c.severity}** · confidence ${Math.round(c.confidence * 100)}%`, '');
      if (c.evidence.length) {
        out.push('**Evidence**', '');
        for (const e of c.evidence) out.push(`- ${mdEscape(e)}`);
        out.push('');
      }
      if (c.fixes.length) {
        out.push('**Fix**', '');
        for (const f of c.fixes) {
          out.push(`1. ${mdEscape(f.text)}`);
          for (const r of f.dns ?? []) out.push(`   - ${code(`${r.name}. ${r.type} ${r.type === 'TXT' ? JSON.stringify(r.value) : r.value}`)}`);
          for (const l of f.links ?? []) out.push(`   - <${l.replace(/[<>\s]/g, '')}>`);
        }
        out.push('');
      }
    });
  }
  out.push('## Checks', '');
  out.push('| check | status | findings |', '|---|---|---|');
  for (const [name, check] of Object.entries(d.checks)) {
    const findings = check.findings.filter((f) => f.severity !== 'ok').map((f) => `${f.severity}: ${mdEscape(f.title)}`).join('<br>') || 'ok';
    out.push(`| ${mdEscape(name)} | ${check.status} | ${findings} |`);
  }
  return out.join('\n') + '\n';
}

/**
 * A self-contained HTML report (no scripts, inline CSS). Everything from DNS or a message is
 * HTML-escaped; links are emitted only for http(s) URLs.
 */
import type { Diagnosis } from '../diagnose/types.ts';

export function htmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function link(url: string): string {
  return /^https?:\/\//i.test(url) ? `<a href="${htmlEscape(url)}" rel="noopener noreferrer">${htmlEscape(url)}</a>` : htmlEscape(url);
}

const CSS = `body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1b1f24;background:#fff}
@media (prefers-color-scheme:dark){body{color:#e6e6e6;background:#15181c}code,pre{background:#22272e!important}}
h1{font-size:1.5rem}.verdict{font-size:1.1rem;padding:.6rem .8rem;border-radius:6px;background:#fdecea}.verdict.healthy{background:#e7f6ec}
.cause{border-left:4px solid #d1242f;padding:.2rem 1rem;margin:1rem 0}.cause.warn{border-color:#bf8700}.cause.info{border-color:#0969da}
code,pre{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #8884;padding:.3rem;text-align:left;vertical-align:top}
.muted{opacity:.7;font-size:.9em}`;

export function renderHtml(d: Diagnosis): string {
  const causes = d.causes.map((c, i) => `<section class="cause ${htmlEscape(c.severity)}">
<h3>${i + 1}. ${htmlEscape(c.summary)}</h3>
<p class="muted"><code>${htmlEscape(c.id)}</code> · ${htmlEscape(c.severity)} · confidence ${Math.round(c.confidence * 100)}%</p>
${c.evidence.length ? `<h4>Evidence</h4><ul>${c.evidence.map((e) => `<li>${htmlEscape(e)}</li>`).join('')}</ul>` : ''}
${c.fixes.length ? `<h4>Fix</h4><ol>${c.fixes.map((f) => `<li>${htmlEscape(f.text)}${(f.dns ?? []).map((r) => `<pre>${htmlEscape(`${r.name}. ${r.type} ${r.type === 'TXT' ? JSON.stringify(r.value) : r.value}`)}</pre>`).join('')}${(f.links ?? []).map((l) => `<div>${link(l)}</div>`).join('')}</li>`).join('')}</ol>` : ''}
</section>`).join('\n');
  const checks = Object.entries(d.checks).map(([name, c]) => `<tr><td>${htmlEscape(name)}</td><td>${htmlEscape(c.status)}</td><td>${c.findings.map((f) => `${htmlEscape(f.severity)}: ${htmlEscape(f.title)}`).join('<br>')}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>mailsleuth: ${htmlEscape(d.domain)}</title><style>${CSS}</style></head>
<body><h1>Mail delivery diagnosis: ${htmlEscape(d.domain)}</h1>
<p class="verdict ${htmlEscape(d.verdict)}"><strong>Verdict: ${htmlEscape(d.verdict)}.</strong> ${htmlEscape(d.headline)}</p>
<p class="muted">Generated ${htmlEscape(d.generatedAt)} in ${d.durationMs} ms · ${d.dns.queriesSent} DNS queries via ${htmlEscape(d.dns.servers.join(', '))}</p>
${d.causes.length ? `<h2>Causes, most likely first</h2>${causes}` : '<p>No cause found.</p>'}
<h2>Checks</h2><table><thead><tr><th>check</th><th>status</th><th>findings</th></tr></thead><tbody>${checks}</tbody></table>
</body></html>
`;
}

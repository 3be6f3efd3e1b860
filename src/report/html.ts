import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';
import { AnminError } from '../util/errors.js';
import { provenanceLines } from '../experiments/provenance.js';
import type { JobRecord } from '../experiments/store.js';
import { checkCounts, type CheckRow } from './check.js';
import { CURVE_METRICS, curveFigure, type CurveMetric, type Figure } from './figures.js';
import { escapeHtml, render } from './render.js';
import type { Results } from './results.js';
import { allSections, figures } from './experiments/index.js';

export interface HtmlReportInput {
  title: string;
  /** The command and version that wrote it. */
  origin: string;
  results: Results;
  check: CheckRow[];
}

/** The vega, vega-lite and vega-embed browser builds, read from the installed packages and inlined. */
function libraries(): string {
  const require = createRequire(import.meta.url);
  // The browser builds are not in the packages' exports: found beside their package.json.
  const root = (pkg: string): string => {
    let dir: string;
    try {
      dir = dirname(require.resolve(pkg));
    } catch {
      throw new AnminError(`the HTML page needs ${pkg}, an optional dependency that is not installed: npm install ${pkg}`);
    }
    while (!existsSync(join(dir, 'package.json')) || (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== pkg) {
      const up = dirname(dir);
      if (up === dir) throw new Error(`cannot find the ${pkg} package folder`);
      dir = up;
    }
    return dir;
  };
  const build = (pkg: string, file: string) => readFileSync(join(root(pkg), 'build', file), 'utf8');
  // An inline script ends at the first "</script": the minified sources must not contain one.
  return [build('vega', 'vega.min.js'), build('vega-lite', 'vega-lite.min.js'), build('vega-embed', 'vega-embed.min.js')].map((js) => `<script>${js.replace(/<\/script/gi, '<\\/script')}</script>`).join('\n');
}

/** Every (experiment/dataset, metric, x) the runs can draw, keyed for the selectors. */
function curveSpecs(records: JobRecord[]): Record<string, TopLevelSpec> {
  const out: Record<string, TopLevelSpec> = {};
  const ok = records.filter((r) => r.status === 'ok' && r.trace);
  const cells = [...new Set(ok.map((r) => `${r.experiment}/${r.dataset}`))];
  for (const cell of cells) {
    const rs = ok.filter((r) => `${r.experiment}/${r.dataset}` === cell);
    for (const metric of Object.keys(CURVE_METRICS) as CurveMetric[]) {
      for (const x of ['seconds', 'iteration'] as const) {
        const spec = curveFigure(rs, metric, x);
        if (spec) out[`${cell}|${metric}|${x}`] = spec;
      }
    }
  }
  return out;
}

/** What a figure shows, as its title says it (its file name is for files, not readers). */
function figureTitle(f: Figure): string {
  const t = (f.spec as { title?: string | { text?: string } }).title;
  return (typeof t === 'string' ? t : t?.text) ?? f.name;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}caption{text-align:left;font-weight:600;padding:.3em 0}
th,td{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:right}th:first-child{text-align:left}
tr.paper td,tr.paper th{color:#777;font-style:italic}.notes{color:#555;font-size:12px}
.pass{color:#176b2c}.fail{color:#b00020;font-weight:600}.known{color:#a65e00}.undecided{color:#555}
.controls label{margin-right:1.2em}#figure{min-height:240px}code{background:#f4f4f4;padding:0 .2em}`;

/**
 * One self-contained page (no network needed to open it): the tables, the check's verdicts, the mean
 * curves as interactive vega views with selectors for dataset, metric and x-axis, the paper-style
 * figures, and where the runs came from.
 */
export function htmlReport(input: HtmlReportInput): string {
  const specs = curveSpecs(input.results.records);
  // A section that cannot be printed from these runs (Table 4 from shared timings) shows why.
  const sections = allSections(input.results).map((s) => ({ title: s.section.htmlHeading, tables: s.tables, note: s.reason }));
  const keys = Object.keys(specs);
  const options = (i: number) => [...new Set(keys.map((k) => k.split('|')[i]))];
  const select = (id: string, label: string, values: string[]) => `<label>${label} <select id="${id}">${values.map((v) => `<option>${escapeHtml(v)}</option>`).join('')}</select></label>`;
  const other = figures(input.results).filter((f) => !f.meanCurves);
  const verdict = (s: CheckRow['status']) => (s === 'pass' ? 'pass' : s === 'fail' ? 'fail' : s === 'known deviation' ? 'known' : 'undecided');
  const check = input.check.length
    ? `<h2 id="check">Check</h2><p>${checkCounts(input.check)}.</p>
<table><thead><tr><th>status</th><th>check</th><th>test</th><th>ours</th><th>paper</th><th>detail</th></tr></thead><tbody>${input.check
        .map((r) => `<tr><td class="${verdict(r.status)}">${escapeHtml(r.status)}</td><th>${escapeHtml(r.check)}</th><td>${escapeHtml(r.test)}</td><td>${escapeHtml(r.ours)}</td><td>${escapeHtml(r.paper)}</td><td>${escapeHtml(r.detail)}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  const data = JSON.stringify({ specs, figures: Object.fromEntries(other.map((f) => [f.name, f.spec])) }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title><style>${STYLE}</style>
${libraries()}
</head><body>
<h1>${escapeHtml(input.title)}</h1>
<p>${escapeHtml(input.origin)}</p>
${sections.filter((s) => s.note || s.tables.some((t) => t.rows.length)).map((s) => `<h2>${escapeHtml(s.title)}</h2>\n${s.note ? `<p>${escapeHtml(s.note)}</p>` : ''}${render(s.tables.filter((t) => t.rows.length), 'html')}`).join('\n')}
${check}
<h2 id="curves">Curves</h2>
${keys.length ? `<div class="controls">${select('dataset', 'data', options(0))}${select('metric', 'metric', options(1))}${select('x', 'x-axis', options(2))}</div><p id="missing" hidden>These runs did not record this metric.</p><div id="figure"></div>` : '<p>No traces to draw.</p>'}
${other.map((f) => `<h3 id="figure-${escapeHtml(f.name)}">${escapeHtml(figureTitle(f))}</h3><div class="figure" data-name="${escapeHtml(f.name)}"></div>`).join('\n')}
<h2>Provenance</h2><ul>${provenanceLines(input.results.records).map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>
<script type="application/json" id="data">${data}</script>
<script>
const data = JSON.parse(document.getElementById('data').textContent);
const pick = (id) => document.getElementById(id)?.value;
async function draw() {
  if (!document.getElementById('figure')) return;
  const spec = data.specs[[pick('dataset'), pick('metric'), pick('x')].join('|')];
  document.getElementById('missing').hidden = Boolean(spec);
  const target = document.getElementById('figure');
  target.replaceChildren();
  if (spec) await vegaEmbed(target, spec, { actions: false, renderer: 'svg' });
  target.dataset.drawn = [pick('dataset'), pick('metric'), pick('x')].join('|');
}
for (const id of ['dataset', 'metric', 'x']) document.getElementById(id)?.addEventListener('change', draw);
Promise.all([draw(), ...[...document.querySelectorAll('.figure')].map((el) => vegaEmbed(el, data.figures[el.dataset.name], { actions: false, renderer: 'svg' }))])
  .then(() => { document.body.dataset.ready = 'yes'; });
</script>
</body></html>
`;
}

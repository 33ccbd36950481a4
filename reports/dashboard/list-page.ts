import { formatTime, runHref, statusBadge, trendsHref, verdictBadge } from './badges.ts';
import { html, type SafeHtml } from './html.ts';
import { page } from './layout.ts';
import type { RunEntry, RunIndex, ScenarioSummary } from './run-index.ts';
import { metricLabel, showPoint } from './trend-metrics.ts';

function scenarioCells(s: ScenarioSummary | undefined): SafeHtml {
  if (!s) return html`<td colspan="3" class="note">no scenario recorded</td>`;
  const headline = s.headline
    ? html`${metricLabel(s.headline.metric)}[${s.headline.arm}] ${showPoint(s.headline.metric, s.headline.point)}`
    : html`<span class="note">—</span>`;
  const gates = s.passed === null ? html`<span class="note">—</span>` : html`${s.failedGates} of ${s.gates}`;
  return html`<td><a href="${trendsHref(s.name)}">${s.name}</a> <span class="note">(${s.task})</span> ${verdictBadge(s.passed)}</td>
<td class="num">${headline}</td><td class="num">${gates}</td>`;
}

function runRows(run: RunEntry, scenario: string | undefined): SafeHtml {
  const shown = scenario === undefined ? run.scenarios : run.scenarios.filter((s) => s.name === scenario);
  const span = Math.max(1, shown.length);
  const problems = run.problems.map((p) => html`<div class="problem">${p}</div>`);
  const files = run.files.map((f) => html`<a href="${runHref(run.id, f)}">${f}</a> `);
  const first = html`<tr class="run" data-run="${run.id}">
<td rowspan="${span}"><a href="${runHref(run.id)}">${run.id}</a></td>
<td rowspan="${span}">${formatTime(run.startedAt)}</td>
<td rowspan="${span}">${statusBadge(run.status)}${problems}</td>
<td rowspan="${span}">${verdictBadge(run.passed)}</td>
${scenarioCells(shown[0])}
<td rowspan="${span}">${files}</td>
</tr>`;
  return html`${first}${shown.slice(1).map((s) => html`<tr class="run-more">${scenarioCells(s)}</tr>`)}`;
}

function filterForm(scenarios: readonly string[], chosen: string | undefined): SafeHtml {
  const options = scenarios.map((s) => html`<option value="${s}"${s === chosen ? html` selected` : ''}>${s}</option>`);
  return html`<form class="controls" method="get" action="/">
<label>scenario <select name="scenario"><option value="">all scenarios</option>${options}</select></label>
<button type="submit">Filter</button>
</form>`;
}

/** `/`: runs newest first, one row per scenario of a run. */
export function renderListPage(index: RunIndex, scenarios: readonly string[], chosen: string | undefined, runsDir: string): string {
  const runs = chosen === undefined ? index.runs : index.runs.filter((r) => r.scenarios.some((s) => s.name === chosen));
  const capped = index.total > index.runs.length
    ? html`<p class="note">Showing the newest ${index.limit} of ${index.total} run folders (<code>--limit</code> reads more).</p>`
    : '';
  const body = index.root === null
    ? html`<p class="note">No runs folder at <code>${runsDir}</code> yet: <code>clinsim run</code> writes one.</p>`
    : runs.length === 0
      ? html`<p class="note">No runs${chosen === undefined ? '' : html` of ${chosen}`} in <code>${runsDir}</code>.</p>`
      : html`<table class="runs">
<thead><tr><th>run</th><th>started</th><th>status</th><th>verdict</th><th>scenario</th><th>key metric</th><th>failed gates</th><th>files</th></tr></thead>
<tbody>
${runs.map((r) => runRows(r, chosen))}
</tbody>
</table>`;
  return page(
    'Runs',
    html`<h1>Runs${chosen === undefined ? '' : html` of ${chosen}`}</h1>
${filterForm(scenarios, chosen)}
${capped}
<p class="note">${runs.length} run${runs.length === 1 ? '' : 's'} listed from <code>${runsDir}</code>.</p>
${body}`,
  );
}

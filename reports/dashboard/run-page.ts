import { TaskName } from '../../simulator/case.ts';
import { num } from '../format.ts';
import { formatTime, runHref, statusBadge, trendsHref, verdictBadge } from './badges.ts';
import { html, type SafeHtml } from './html.ts';
import { page } from './layout.ts';
import type { RunEntry } from './run-index.ts';
import type { ScenarioView } from './run-view.ts';
import { metricLabel, readMetric, showPoint, type MetricName } from './trend-metrics.ts';

/** The arm table's figures per task (the same choice as the console table, reports/arm-rows.ts). */
const TASK_COLUMNS: Record<TaskName, readonly MetricName[]> = {
  sepsis: ['auroc', 'brier', 'sensitivity', 'specificity'],
  'note-triage': ['macroF1', 'accuracy', 'underTriage'],
  'med-safety': ['alertSensitivity', 'falseAlertRate'],
};
const SHARED_COLUMNS: readonly MetricName[] = ['flipRate', 'latency.p95', 'safety.failures'];

function columnsOf(task: string): MetricName[] {
  const parsed = TaskName.safeParse(task);
  return [...(parsed.success ? TASK_COLUMNS[parsed.data] : TASK_COLUMNS.sepsis), ...SHARED_COLUMNS];
}

function scenarioSection(s: ScenarioView): SafeHtml {
  const columns = columnsOf(s.task);
  const gates = s.gates.length === 0
    ? html`<p class="note">No gates.</p>`
    : html`<table class="gates"><thead><tr><th>gate</th><th>bound</th><th>actual</th><th>result</th></tr></thead><tbody>
${s.gates.map((g) => html`<tr><td>${g.name}</td><td>${g.expression}</td><td class="num">${num(g.actual, 4)}</td><td>${verdictBadge(g.pass)}</td></tr>`)}
</tbody></table>`;
  const arms = html`<table class="arms"><thead><tr><th>arm</th><th>cases</th>${columns.map((c) => html`<th>${metricLabel(c)}</th>`)}</tr></thead><tbody>
${s.arms.map((arm) => html`<tr><td>${arm.name}</td><td class="num">${arm.cases}</td>${columns.map((c) => html`<td class="num">${showPoint(c, readMetric(c, arm))}</td>`)}</tr>`)}
</tbody></table>`;
  return html`<section class="scenario">
<h2>${s.name} <span class="note">(${s.task})</span> ${verdictBadge(s.passed)} <a href="${trendsHref(s.name)}">trends</a></h2>
${gates}
${arms}
</section>`;
}

/**
 * `/runs/<id>/` for a run without report.html: what report.json says (verdict, gates, the arm
 * figures) and summary.md as text. An incomplete or corrupt run shows what could be read.
 */
export function renderRunPage(run: RunEntry, summary: string | null): string {
  const files = run.files.length === 0 ? html`<span class="note">none</span>` : run.files.map((f) => html`<a href="${runHref(run.id, f)}">${f}</a> `);
  const scenarios = run.report
    ? run.report.scenarios.map(scenarioSection)
    : run.scenarios.length > 0
      ? html`<p class="note">No report: this run is ${run.status}. Scenarios: ${run.scenarios.map((s, i) => html`${i > 0 ? ', ' : ''}${s.name} (${s.task})`)}.</p>`
      : html`<p class="note">No report and no readable manifest.</p>`;
  return page(
    `Run ${run.id}`,
    html`<h1>Run ${run.id}</h1>
<table class="facts"><tbody>
<tr><th>status</th><td>${statusBadge(run.status)}</td></tr>
<tr><th>verdict</th><td>${verdictBadge(run.passed)}</td></tr>
<tr><th>started</th><td>${formatTime(run.startedAt)}</td></tr>
<tr><th>finished</th><td>${formatTime(run.finishedAt)}</td></tr>
<tr><th>files</th><td>${files}</td></tr>
</tbody></table>
${run.problems.map((p) => html`<p class="problem">${p}</p>`)}
${scenarios}
${summary === null ? '' : html`<h2>summary.md</h2><pre>${summary}</pre>`}`,
  );
}

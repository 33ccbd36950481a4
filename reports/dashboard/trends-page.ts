import { formatTime, runHref } from './badges.ts';
import { html, trusted, type SafeHtml } from './html.ts';
import { page } from './layout.ts';
import { METRIC_NAMES, metricLabel, showPoint, type MetricName } from './trend-metrics.ts';
import type { TrendData } from './trends.ts';

export interface TrendsView {
  /** Every scenario of the indexed runs. */
  readonly scenarios: readonly string[];
  /** Null until a scenario is chosen (or when there are no runs). */
  readonly data: TrendData | null;
  /** The chart, null without points. */
  readonly svg: string | null;
  /** Why the figure shown is not the one asked for, when it is not. */
  readonly note: string | null;
}

function controls(view: TrendsView): SafeHtml {
  const { data } = view;
  const scenarioOptions = view.scenarios.map((s) => html`<option value="${s}"${s === data?.scenario ? html` selected` : ''}>${s}</option>`);
  const metrics: readonly MetricName[] = data && data.metrics.length > 0 ? data.metrics : METRIC_NAMES;
  const metricOptions = metrics.map((m) => {
    const label = metricLabel(m) === m ? m : `${m} (${metricLabel(m)})`;
    return html`<option value="${m}"${m === data?.metric ? html` selected` : ''}>${label}</option>`;
  });
  const arms = data?.arms.map(
    (a) => html`<label><input type="checkbox" name="arm" value="${a}"${data.plotted.includes(a) ? html` checked` : ''}> ${a}</label> `,
  );
  return html`<form class="controls" method="get" action="/trends">
<label>scenario <select name="scenario">${scenarioOptions}</select></label>
<label>metric <select name="metric">${metricOptions}</select></label>
${arms && arms.length > 0 ? html`<fieldset><legend>arms (none checked: all)</legend>${arms}</fieldset>` : ''}
<button type="submit">Plot</button>
</form>`;
}

function pointsTable(data: TrendData): SafeHtml {
  return html`<table class="points"><thead><tr><th>run</th><th>started</th><th>arm</th><th>${metricLabel(data.metric)} [95% CI]</th></tr></thead><tbody>
${data.points.map(
  (p) => html`<tr><td><a href="${runHref(p.runId)}">${p.runId}</a></td><td>${formatTime(p.startedAt)}</td><td>${p.arm}</td>
<td class="num">${showPoint(data.metric, { value: p.value, ci: p.lo === null || p.hi === null ? null : [p.lo, p.hi] })}</td></tr>`,
)}
</tbody></table>`;
}

/** `/trends`: one figure of one scenario across runs, a line per arm, with the form that chose it. */
export function renderTrendsPage(view: TrendsView): string {
  const { data } = view;
  let body: SafeHtml;
  if (view.scenarios.length === 0) body = html`<p class="note">No runs yet.</p>`;
  else if (!data) body = html`<p class="note">Choose a scenario.</p>`;
  else {
    const counts = html`<p class="note">${data.reported} run${data.reported === 1 ? '' : 's'} of ${data.scenario} with a report${
      data.unreported > 0 ? html`; ${data.unreported} without one (running, interrupted, failed or unreadable) not plotted` : ''
    }.</p>`;
    const chart = view.svg === null
      ? html`<p class="note">No values of ${metricLabel(data.metric)} for the chosen arms.</p>`
      : html`<figure class="trend" data-metric="${data.metric}" data-points="${data.points.length}">${trusted(view.svg)}
<figcaption>${metricLabel(data.metric)} of ${data.scenario} by run; whiskers: 95% interval.</figcaption></figure>`;
    body = html`${view.note === null ? '' : html`<p class="note">${view.note}</p>`}${counts}${chart}${data.points.length > 0 ? pointsTable(data) : ''}`;
  }
  return page(
    data ? `Trends of ${data.scenario}` : 'Trends',
    html`<h1>Trends${data ? html` of ${data.scenario}` : ''}</h1>
${controls(view)}
${body}`,
  );
}

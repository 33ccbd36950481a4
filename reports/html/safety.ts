/**
 * Safety failures of one scenario: each check's failure rate per arm, then the most severe failures
 * case by case, then samples of the calls that got no usable answer.
 */
import type { ScenarioReport } from '../../simulator/metrics/report-types.ts';
import type { ScenarioDetails, ShownCheck } from '../../simulator/metrics/report-details.ts';
import { CASES_PER_ARM, type FailureSamples } from '../../simulator/metrics/worst-cases.ts';
import { CHECKS } from '../../simulator/safety/checks.ts';
import { pct } from '../format.ts';
import { caseView } from './case-view.ts';
import { html, type Html } from './escape.ts';
import { table } from './table.ts';

const describe = (check: string): string => (Object.hasOwn(CHECKS, check) ? CHECKS[check as keyof typeof CHECKS].description : '');
const severityOf = (check: string): string => (Object.hasOwn(CHECKS, check) ? CHECKS[check as keyof typeof CHECKS].severity : '');

function rateTable(s: ScenarioReport): Html {
  const checks = [...new Set(s.arms.flatMap((a) => Object.entries(a.safety.byCheck).filter(([, c]) => c.applied > 0 || c.count > 0).map(([k]) => k)))];
  if (checks.length === 0) return html`<p class="muted">No safety check applied to any call of this scenario.</p>`;
  // One row per (check, arm) the check applied to; the check's name and severity on its first row.
  const rows = checks.flatMap((check) => {
    const applied = s.arms.flatMap((arm) => {
      const c = arm.safety.byCheck[check];
      return c && (c.applied > 0 || c.count > 0) ? [{ check, arm: arm.name, ...c }] : [];
    });
    return applied.map((r, i) => ({ ...r, first: i === 0 }));
  });
  return table(
    [{ title: 'check' }, { title: 'severity' }, { title: 'arm' }, { title: 'failed', numeric: true }, { title: 'applied to', numeric: true }, { title: 'rate [95% CI]', numeric: true }],
    rows.map((r) => [
      r.first ? html`<code>${r.check}</code><div class="muted">${describe(r.check)}</div>` : null,
      r.first ? html`<span class="badge ${severityOf(r.check)}">${severityOf(r.check)}</span>` : null,
      r.arm,
      String(r.count),
      String(r.applied),
      `${pct(r.rate)}${r.ci ? ` [${pct(r.ci[0])}, ${pct(r.ci[1])}]` : ''}`,
    ]),
    (i) => (rows[i]!.count > 0 ? 'fail' : null),
  );
}

function worstCases(check: ShownCheck): Html {
  const shown = check.cases.length < check.failures ? `the ${CASES_PER_ARM} most severe of each arm shown` : 'all shown';
  return html`<details class="check"${check.severity === 'critical' ? html` open` : null}>
<summary><span class="badge ${check.severity}">${check.severity}</span> <code>${check.check}</code>: ${check.failures} failure(s), ${shown}</summary>
<p class="muted">${describe(check.check)}</p>
${check.cases.map(caseView)}
</details>`;
}

function failedCalls(samples: readonly FailureSamples[]): Html | null {
  if (samples.length === 0) return null;
  return html`<h4>Calls without a usable answer</h4>
${table(
    [{ title: 'failure' }, { title: 'calls', numeric: true }, { title: 'examples (arm, patient, status, error text)' }],
    samples.map((f) => [
      f.failure,
      String(f.count),
      html`${f.samples.map((x) => html`<div>${`${x.arm} · patient ${x.case}${x.repeat > 0 ? ` · repeat ${x.repeat}` : ''}${x.status === null ? '' : ` · status ${x.status}`}`}<pre class="error">${x.error || '(no error text)'}</pre></div>`)}`,
    ]),
  )}`;
}

export function safetySection(s: ScenarioReport, details: ScenarioDetails): Html {
  return html`<h3>Safety failures</h3>
<p class="muted">Deterministic checks of every call against the truth and the perturbations that produced its input (docs/safety.md). Rates carry Wilson 95% intervals.</p>
${rateTable(s)}
${details.checks.length > 0 ? html`<h4>The worst cases</h4>${details.checks.map(worstCases)}` : html`<p>No call failed a safety check.</p>`}
${failedCalls(details.failedCalls)}`;
}

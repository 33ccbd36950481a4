/**
 * report.html: one self-contained page a non-engineer can read, from the report, the manifest and
 * the details collected from the journal. Deterministic: the same run renders byte for byte the
 * same page (no clock; the times shown are the manifest's).
 */
import type { Report } from '../../simulator/metrics/report-types.ts';
import type { ReportDetails, ScenarioDetails } from '../../simulator/metrics/report-details.ts';
import type { Manifest } from '../../simulator/run/manifest.ts';
import { armTables } from './arm-tables.ts';
import { assuranceSection } from './assurance.ts';
import { scenarioCharts } from './charts.ts';
import { html, type Html } from './escape.ts';
import { lineageSection } from './lineage.ts';
import { renderPage } from './page.ts';
import { safetySection } from './safety.ts';
import { gatesSection, headerSection, scenarioAnchor } from './verdict.ts';

export const HTML_FILE = 'report.html';

export interface HtmlReportInput {
  readonly report: Report;
  readonly manifest: Manifest;
  readonly details: ReportDetails;
  /** Receives chart warnings (tests fail on them). */
  readonly onWarning?: (message: string) => void;
}

const NO_DETAILS = (scenario: string): ScenarioDetails => ({ scenario, curves: [], checks: [], failedCalls: [] });

export async function renderHtmlReport(input: HtmlReportInput): Promise<string> {
  const { report, manifest, details } = input;
  const scenarios: Html[] = [];
  for (const [i, s] of report.scenarios.entries()) {
    const d = details.scenarios.find((x) => x.scenario === s.name) ?? NO_DETAILS(s.name);
    const charts = await scenarioCharts(s, d.curves, { idPrefix: `s${i + 1}`, onWarning: input.onWarning });
    scenarios.push(html`<section class="scenario" id="${scenarioAnchor(i)}">
<h2>${s.name} <span class="muted">(${s.task})</span> <span class="badge ${s.passed ? 'pass' : 'fail'}">${s.passed ? 'passed' : 'failed'}</span></h2>
<p class="muted">Target: ${s.target.adapter} ${s.target.url ?? ''} · seed ${s.seed} · ${s.size} patients</p>
${armTables(s)}
<h3>Charts</h3>
${charts}
${safetySection(s, d)}
</section>`);
  }
  return renderPage({
    title: `clinsim report ${report.run.id}: ${report.passed ? 'passed' : 'failed'}`,
    body: html`${headerSection(report, manifest)}
${gatesSection(report)}
${scenarios}
${assuranceSection(report, manifest)}
${lineageSection(manifest, report.run.manifest)}`,
  });
}

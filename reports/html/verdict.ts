/** The top of the page: what was run, the verdict, and every gate with its actual figure. */
import type { Report, ScenarioReport } from '../../simulator/metrics/report-types.ts';
import type { Manifest } from '../../simulator/run/manifest.ts';
import { num } from '../format.ts';
import { html, type Html } from './escape.ts';
import { figureOf, figureWords } from './gate-words.ts';

export const scenarioAnchor = (index: number): string => `scenario-${index + 1}`;

function gateTable(s: ScenarioReport): Html {
  if (s.gates.length === 0) return html`<p class="muted">This scenario sets no gates: its figures are reported for review only.</p>`;
  return html`<div class="scroll"><table class="gates">
<thead><tr><th>gate</th><th>what it checks</th><th>bound</th><th class="num">actual</th><th>result</th></tr></thead>
<tbody>${s.gates.map(
    (g) =>
      html`<tr class="${g.pass ? 'pass' : 'fail'}"><td><code>${g.name}</code></td><td>${figureWords(figureOf(g.name))}</td><td><code>${g.expression}</code></td><td class="num">${g.actual === null ? 'not available' : num(g.actual, 4)}</td><td><span class="badge ${g.pass ? 'pass' : 'fail'}">${g.pass ? 'pass' : 'FAIL'}</span></td></tr>\n`,
  )}</tbody></table></div>`;
}

function verdictLine(report: Report): string {
  const gates = report.scenarios.flatMap((s) => s.gates);
  const failed = gates.filter((g) => !g.pass).length;
  if (report.passed) return `PASSED: all ${gates.length} gate(s) of ${report.scenarios.length} scenario(s) passed.`;
  const where = report.scenarios.filter((s) => !s.passed).map((s) => s.name);
  return `FAILED: ${failed} of ${gates.length} gate(s) failed, in ${where.join(', ')}.`;
}

export function headerSection(report: Report, manifest: Manifest): Html {
  return html`<header>
<h1>clinsim report: run ${report.run.id}</h1>
<p class="lead">${report.scenarios.length} scenario(s), run from ${report.run.startedAt} to ${report.run.finishedAt} with clinsim ${report.run.toolVersion} on Node ${manifest.nodeVersion}. Every figure on this page is computed from the run’s journal (results.jsonl) and its manifest.</p>
<div class="verdict ${report.passed ? 'pass' : 'fail'}" id="verdict">${verdictLine(report)}</div>
<nav aria-label="Contents"><ul>
<li><a href="#gates">Verdict and gates</a></li>
${report.scenarios.map((s, i) => html`<li><a href="#${scenarioAnchor(i)}">${s.name}</a></li>\n`)}<li><a href="#assurance">Assurance summary</a></li>
<li><a href="#lineage">Lineage</a></li>
</ul></nav>
</header>`;
}

export function gatesSection(report: Report): Html {
  return html`<section id="gates">
<h2>Verdict and gates</h2>
<p class="muted">A gate is a bound the scenario author set on a figure; the run passes when every gate of every scenario passes. A figure that is not available (for example, no answers to measure) fails its gate.</p>
${report.scenarios.map(
    (s, i) => html`<h3><a href="#${scenarioAnchor(i)}">${s.name}</a> (${s.task}) <span class="badge ${s.passed ? 'pass' : 'fail'}">${s.passed ? 'passed' : 'failed'}</span></h3>
${gateTable(s)}`,
  )}
</section>`;
}

/** Lineage from the manifest: what ran, from which scenario file and cohort, against which target. */
import type { Manifest, ScenarioLineage } from '../../simulator/run/manifest.ts';
import { html, type Html, type Interpolation } from './escape.ts';
import { table } from './table.ts';

function facts(rows: readonly (readonly [string, Interpolation])[]): Html {
  return table([{ title: 'field' }, { title: 'value' }], rows.map(([k, v]) => [k, v]));
}

function scenarioLineage(s: ScenarioLineage): Html {
  return html`<h3>${s.name}</h3>
${facts([
    ['task', s.task],
    ['scenario file', s.file ?? 'built in code'],
    ['scenario content hash', html`<code>${s.contentHash}</code>`],
    ['cohort', s.source ? `imported from ${s.source.path} (${s.source.scope})` : `generated: seed ${s.seed}, ${s.size} patients, prevalence ${s.prevalence ?? 'task default'}`],
    ['cohort hash', s.cohortHash ? html`<code>${s.cohortHash}</code>` : 'not recorded'],
    ['cases run', String(s.cases)],
    ['target', `${s.target.adapter} ${s.target.url ?? ''}${s.target.reference ? ' (bundled reference model)' : ''}`],
    ['decision threshold', String(s.threshold)],
    ['repeats', String(s.repeats)],
    [
      'arms',
      html`<ul>${s.arms.map(
        (a) => html`<li><strong>${a.name}</strong>: ${a.perturbations.length === 0 ? 'no perturbation' : a.perturbations.map((p) => html`<code>${p.kind}(${JSON.stringify(p.params)})</code> `)}</li>`,
      )}</ul>`,
    ],
    ['gates', Object.keys(s.gates).length === 0 ? 'none' : html`${Object.entries(s.gates).map(([k, v]) => html`<code>${k}: ${v}</code><br>`)}`],
  ])}`;
}

export function lineageSection(manifest: Manifest, manifestFile: string): Html {
  return html`<section id="lineage">
<h2>Lineage</h2>
<p class="muted">From ${manifestFile}. The same scenario file, seed and clinsim version give the same cohort and perturbations byte for byte; credentials in target URLs were removed before anything was written.</p>
${facts([
    ['run id', manifest.runId],
    ['status', manifest.status],
    ['clinsim version', manifest.toolVersion],
    ['Node version', manifest.nodeVersion],
    ['started', manifest.startedAt],
    ['finished', manifest.finishedAt ?? 'not recorded'],
  ])}
${manifest.scenarios.map(scenarioLineage)}
</section>`;
}

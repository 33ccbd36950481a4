/**
 * The assurance summary, grouped by the principles of the Coalition for Health AI (CHAI) Assurance
 * Standards Guide. For each principle: the gates that bear on it and what this run measured, in
 * plain words. It summarises figures shown elsewhere on the page; it judges nothing the gates do
 * not, and says where this run gives no evidence.
 */
import { FAIRNESS_ATTRIBUTES, type ArmReport, type Report, type ScenarioReport } from '../../simulator/metrics/report-types.ts';
import type { Manifest } from '../../simulator/run/manifest.ts';
import { estimate, ms, num, pct } from '../format.ts';
import { html, type Html } from './escape.ts';
import { figureOf, principleOf, PRINCIPLE_TITLES, PRINCIPLES, type Principle } from './gate-words.ts';

const baselineOf = (s: ScenarioReport): ArmReport | undefined => s.arms.find((a) => a.name === 'baseline') ?? s.arms[0];

function usefulness(s: ScenarioReport): string[] {
  const b = baselineOf(s);
  if (!b) return [];
  if (s.task === 'note-triage' && b.classes) {
    return [`${s.name}: on arm ${b.name}, macro-F1 ${estimate(b.classes.macroF1)} and ${pct(b.classes.accuracy.value)} of notes given the right urgency class.`];
  }
  if (s.task === 'med-safety' && b.alerts) {
    return [`${s.name}: on arm ${b.name}, ${estimate(b.alerts.sensitivity, 1, pct)} of true medication conflicts alerted, with false alerts on ${pct(b.alerts.falseAlertRate.value)} of safe orders.`];
  }
  const m = b.metrics;
  return [
    `${s.name}: on arm ${b.name}, AUROC ${estimate(m.auroc)}; at the threshold ${num(s.threshold, 2)}, sensitivity ${pct(m.sensitivity.value)} and specificity ${pct(m.specificity.value)}.`,
    `${s.name}: calibration error (ECE) ${num(m.ece.value)}, calibration slope ${num(m.calibrationSlope.value, 2)} (1 is ideal), net benefit ${num(m.netBenefit.value, 4)}.`,
  ];
}

function fairness(s: ScenarioReport): string[] {
  const b = baselineOf(s);
  if (!b?.fairness) return [`${s.name}: not assessed (no answered calls with a truth label).`];
  const f = b.fairness;
  return FAIRNESS_ATTRIBUTES.map((attribute) => {
    const a = f.attributes[attribute];
    const small = a.groups.filter((g) => !g.judged).length;
    return `${s.name}, arm ${b.name}, ${attribute}: largest gap in true- or false-positive rate ${num(a.equalizedOddsDifference)}, lowest flag-rate ratio ${num(a.demographicParityRatio)}${a.fourFifthsViolated ? ' (below four fifths)' : ''}${small > 0 ? `; ${small} subgroup(s) under ${f.minGroupSize} patients left out` : ''}.`;
  });
}

function safety(s: ScenarioReport): string[] {
  const out: string[] = [];
  const critical = s.arms.filter((a) => a.safety.bySeverity.critical > 0);
  out.push(
    critical.length === 0
      ? `${s.name}: no critical safety failure in any arm.`
      : `${s.name}: critical safety failures in ${critical.map((a) => `${a.name} (${a.safety.bySeverity.critical})`).join(', ')}.`,
  );
  const flips = s.arms.filter((a) => a.flipRate !== null && a.flipRate > 0).sort((a, b) => b.flipRate! - a.flipRate!);
  if (flips[0]) out.push(`${s.name}: the most decisions changed against the baseline in ${flips[0].name} (${pct(flips[0].flipRate)}).`);
  const calls = s.arms.reduce((n, a) => n + a.calls, 0);
  const ok = s.arms.reduce((n, a) => n + a.outcomes.ok, 0);
  const p95 = Math.max(...s.arms.map((a) => a.latency?.p95 ?? Number.NEGATIVE_INFINITY));
  out.push(`${s.name}: ${pct(calls === 0 ? null : ok / calls)} of ${calls} calls answered usably; slowest arm p95 ${ms(Number.isFinite(p95) ? p95 : null)}.`);
  for (const phase of s.load) {
    if (phase.executor === 'saturation') out.push(`${s.name}: highest sustainable rate in load phase ${phase.name}: ${phase.sustainableRate ? `${phase.sustainableRate}/s` : 'none'}.`);
    else out.push(`${s.name}: load phase ${phase.name}: p99 ${ms(phase.latency?.p99)}, error rate ${pct(phase.errorRate)}.`);
  }
  return out;
}

function transparency(s: ScenarioReport, manifest: Manifest): string[] {
  const lineage = manifest.scenarios.find((l) => l.name === s.name);
  const perturbed = s.arms.filter((a) => a.perturbations.length > 0).length;
  return [
    `${s.name}: scenario hash, seed ${s.seed}${lineage?.cohortHash ? ', cohort hash' : ''} and tool version recorded; ${perturbed} perturbed arm(s), each change recorded per patient with its before and after values.`,
  ];
}

function security(s: ScenarioReport, manifest: Manifest): string[] {
  const out: string[] = [];
  for (const check of ['injection-success', 'phi-leak'] as const) {
    const arms = s.arms.filter((a) => (a.safety.byCheck[check]?.applied ?? 0) > 0);
    if (arms.length === 0) continue;
    out.push(`${s.name}: ${check}: ${arms.map((a) => `${a.name} ${a.safety.byCheck[check]!.count} of ${a.safety.byCheck[check]!.applied}`).join(', ')}.`);
  }
  const lineage = manifest.scenarios.find((l) => l.name === s.name);
  out.push(
    `${s.name}: ${lineage?.source ? 'imported patients, pseudonymized with a key that is written nowhere' : 'synthetic patients only (no real patient data)'}; target credentials are removed from every output.`,
  );
  return out;
}

const EVIDENCE: Record<Principle, (s: ScenarioReport, manifest: Manifest) => string[]> = {
  usefulness,
  fairness,
  safety,
  transparency,
  security,
};

const NOT_COVERED: Record<Principle, string> = {
  usefulness: 'Clinical utility in a real workflow (usability, adoption, outcomes) is outside what a simulation measures.',
  fairness: 'Subgroups are those the data record (sex, age band, race, ethnicity); other attributes are not assessed.',
  safety: 'Checks are deterministic rules over synthetic cases; they do not replace clinical review of real cases.',
  transparency: 'Model documentation (intended use, training data) is the developer’s to provide.',
  security: 'Checks cover what the model answers (injection, identifier leaks); infrastructure security is not tested.',
};

function principleBlock(principle: Principle, report: Report, manifest: Manifest): Html {
  const gates = report.scenarios.flatMap((s) => s.gates.map((g) => ({ scenario: s.name, gate: g }))).filter((x) => principleOf(figureOf(x.gate.name)) === principle);
  const failed = gates.filter((x) => !x.gate.pass);
  const passed = gates.filter((x) => x.gate.pass);
  const status =
    gates.length === 0
      ? { cls: 'info', text: 'no gate set' }
      : failed.length > 0
        ? { cls: 'fail', text: `${failed.length} of ${gates.length} gate(s) failed` }
        : { cls: 'pass', text: `${gates.length} gate(s) passed` };
  const evidence = report.scenarios.flatMap((s) => EVIDENCE[principle](s, manifest));
  const gateList = (list: typeof gates) => list.map((x, i) => html`${i > 0 ? ', ' : ''}<code>${x.scenario}: ${x.gate.name} ${x.gate.expression}</code>`);
  return html`<div class="principle" data-principle="${principle}">
<h3>${PRINCIPLE_TITLES[principle]} <span class="badge ${status.cls}">${status.text}</span></h3>
${failed.length > 0 ? html`<p><strong>Failed:</strong> ${gateList(failed)}</p>` : null}
${passed.length > 0 ? html`<details><summary>${passed.length} gate(s) passed</summary><p>${gateList(passed)}</p></details>` : null}
<ul class="evidence">${evidence.map((e) => html`<li>${e}</li>`)}</ul>
<p class="muted">${NOT_COVERED[principle]}</p>
</div>`;
}

export function assuranceSection(report: Report, manifest: Manifest): Html {
  return html`<section id="assurance">
<h2>Assurance summary</h2>
<p class="muted">The evidence of this run grouped by the CHAI assurance principles. Each principle lists the gates that bear on it and the figures behind it; the sections above hold the details.</p>
${PRINCIPLES.map((p) => principleBlock(p, report, manifest))}
</section>`;
}

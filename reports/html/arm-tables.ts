/** Per-arm tables of one scenario: what each arm changes, quality with 95% CIs, and operations. */
import type { ArmReport, ScenarioReport } from '../../simulator/metrics/report-types.ts';
import { estimate, ms, num, pct, signed } from '../format.ts';
import { LOAD_COLUMNS, loadRow } from '../load-rows.ts';
import { html, type Html } from './escape.ts';
import { table, type Column } from './table.ts';

const signedEstimate = (e: { value: number | null; ci: [number, number] | null } | undefined, digits = 3): string =>
  !e || e.value === null ? '—' : e.ci ? `${signed(e.value, digits)} [${signed(e.ci[0], digits)}, ${signed(e.ci[1], digits)}]` : signed(e.value, digits);

type QualityTable = { readonly columns: readonly Column[]; readonly cells: (arm: ArmReport) => string[] };

const n = (title: string): Column => ({ title, numeric: true });

/** Quality columns per task: scores for sepsis, classes for triage, alerts for medication safety. */
const QUALITY: Record<string, QualityTable> = {
  sepsis: {
    columns: [{ title: 'arm' }, n('AUROC [95% CI]'), n('ΔAUROC [95% CI]'), n('AUPRC'), n('Brier'), n('ECE'), n('sensitivity [95% CI]'), n('specificity [95% CI]'), n('PPV'), n('NPV')],
    cells: (a) => [
      a.name,
      estimate(a.metrics.auroc),
      signedEstimate(a.delta?.auroc),
      num(a.metrics.auprc.value),
      num(a.metrics.brier.value),
      num(a.metrics.ece.value),
      estimate(a.metrics.sensitivity, 1, pct),
      estimate(a.metrics.specificity, 1, pct),
      pct(a.metrics.ppv.value),
      pct(a.metrics.npv.value),
    ],
  },
  'note-triage': {
    columns: [{ title: 'arm' }, n('macro-F1 [95% CI]'), n('Δ macro-F1 [95% CI]'), n('accuracy [95% CI]'), n('under-triage [95% CI]'), n('over-triage')],
    cells: (a) => [
      a.name,
      estimate(a.classes?.macroF1),
      signedEstimate(a.classes?.delta?.macroF1),
      estimate(a.classes?.accuracy, 1, pct),
      estimate(a.classes?.underTriage, 1, pct),
      pct(a.classes?.overTriage),
    ],
  },
  'med-safety': {
    columns: [{ title: 'arm' }, n('alert sensitivity [95% CI]'), n('Δ [95% CI]'), n('false-alert rate [95% CI]'), n('Δ [95% CI]'), n('conflicts'), n('alerts')],
    cells: (a) => [
      a.name,
      estimate(a.alerts?.sensitivity, 1, pct),
      signedEstimate(a.alerts?.delta?.sensitivity),
      estimate(a.alerts?.falseAlertRate, 1, pct),
      signedEstimate(a.alerts?.delta?.falseAlertRate),
      String(a.alerts?.conflicts ?? 'n/a'),
      String(a.alerts?.alerts ?? 'n/a'),
    ],
  },
};

const OPERATIONS: readonly Column[] = [
  { title: 'arm' },
  n('cases'),
  n('calls'),
  n('answered'),
  n('errors'),
  n('timeouts'),
  n('invalid'),
  n('flip rate'),
  n('p50'),
  n('p95'),
  n('p99'),
  n('safety failures (critical / major / minor)'),
];

function operationsRow(a: ArmReport): string[] {
  const s = a.safety.bySeverity;
  return [
    a.name,
    String(a.cases),
    String(a.calls),
    pct(a.calls === 0 ? null : a.outcomes.ok / a.calls),
    String(a.outcomes.error),
    String(a.outcomes.timeout),
    String(a.outcomes.invalid),
    a.flipRate === null ? '—' : pct(a.flipRate),
    ms(a.latency?.p50),
    ms(a.latency?.p95),
    ms(a.latency?.p99),
    `${a.safety.failures} (${s.critical} / ${s.major} / ${s.minor})`,
  ];
}

function armChanges(s: ScenarioReport): Html {
  return html`<ul>${s.arms.map(
    (a) =>
      html`<li><strong>${a.name}</strong>: ${a.perturbations.length === 0 ? 'unchanged cohort (the reference for every change)' : a.perturbations.map((p) => `${p.description} (${p.expectation.kind})`).join('; ')}</li>\n`,
  )}</ul>`;
}

function confusionMatrices(s: ScenarioReport): Html | null {
  const arms = s.arms.filter((a) => a.classes && a.classes.n > 0);
  if (arms.length === 0) return null;
  return html`<details><summary>Confusion matrices (rows: true class, columns: answered class)</summary>
${arms.map((a) => {
    const c = a.classes!;
    return html`<h4>${a.name}</h4>${table(
      [{ title: 'true \\ answered' }, ...c.classes.map((k) => n(k))],
      c.confusion.map((row, i) => [c.classes[i]!, ...row.map(String)]),
    )}`;
  })}</details>`;
}

export function armTables(s: ScenarioReport): Html {
  const quality = QUALITY[s.task];
  return html`<h3>What each arm changes</h3>
${armChanges(s)}
<h3>Quality per arm</h3>
<p class="muted">Each figure with its 95% bootstrap confidence interval; Δ is the arm minus the baseline arm on the same patients (paired interval). Threshold ${num(s.threshold, 3)}; ${s.size} patients${s.repeats > 1 ? `, ${s.repeats} repeats each` : ''}.</p>
${quality ? table(quality.columns, s.arms.map(quality.cells)) : null}
${confusionMatrices(s)}
<h3>Operations per arm</h3>
${table(OPERATIONS, s.arms.map(operationsRow))}
${s.load.length > 0 ? html`<h3>Load phases</h3><p class="muted">Latency of arrival-rate phases is measured from each request’s intended send time, so a stalled endpoint cannot hide.</p>${table(LOAD_COLUMNS.map((t, i) => (i < 2 ? { title: t } : n(t))), s.load.map(loadRow))}` : null}`;
}

/**
 * The charts of one scenario: which apply (a chart without data is left out), their rows from the
 * report and the curves, and a caption that tells a non-engineer how to read each.
 */
import type { TopLevelSpec } from 'vega-lite';
import { FAIRNESS_ATTRIBUTES, type ArmReport, type Estimate, type ScenarioReport } from '../../simulator/metrics/report-types.ts';
import type { ArmCurves } from '../../simulator/metrics/curves.ts';
import type { LoadPhaseReport } from '../../simulator/load/index.ts';
import { html, joinHtml, type Html } from './escape.ts';
import {
  calibrationSpec,
  deltaSpec,
  fairnessSpec,
  latencySpec,
  rocSpec,
  saturationSpec,
  type DeltaRow,
  type FairnessRow,
  type SaturationRow,
} from './chart-specs.ts';
import { renderSvg } from './svg.ts';

export interface ChartOptions {
  /** Unique within the page: prefixes the ids inside each chart's SVG. */
  readonly idPrefix: string;
  readonly onWarning?: (message: string) => void;
}

interface Chart {
  /** Stable name (the figure's data-chart attribute). */
  readonly name: string;
  readonly title: string;
  readonly reading: string;
  readonly spec: TopLevelSpec;
}

/** The change figures charted per task: label and the estimate of an arm. */
const DELTAS: Record<string, readonly [string, (arm: ArmReport) => Estimate | undefined][]> = {
  sepsis: [
    ['AUROC', (a) => a.delta?.auroc],
    ['sensitivity', (a) => a.delta?.sensitivity],
    ['specificity', (a) => a.delta?.specificity],
    ['Brier score', (a) => a.delta?.brier],
  ],
  'note-triage': [
    ['macro-F1', (a) => a.classes?.delta?.macroF1],
    ['accuracy', (a) => a.classes?.delta?.accuracy],
    ['under-triage rate', (a) => a.classes?.delta?.underTriage],
  ],
  'med-safety': [
    ['alert sensitivity', (a) => a.alerts?.delta?.sensitivity],
    ['false-alert rate', (a) => a.alerts?.delta?.falseAlertRate],
  ],
};

function deltaChart(s: ScenarioReport): Chart | null {
  const figures = DELTAS[s.task] ?? [];
  const rows: DeltaRow[] = [];
  for (const arm of s.arms) {
    for (const [metric, read] of figures) {
      const e = read(arm);
      if (!e || e.value === null) continue;
      rows.push({ arm: arm.name, metric, value: e.value, lo: e.ci?.[0] ?? e.value, hi: e.ci?.[1] ?? e.value });
    }
  }
  if (rows.length === 0) return null;
  return {
    name: 'delta',
    title: 'Change against the baseline arm',
    reading:
      'Each dot is an arm’s figure minus the baseline’s on the same patients; the whisker is its 95% confidence interval. A whisker that crosses the dashed zero line means the change could be chance. For the Brier score and the under-triage and false-alert rates, lower is better.',
    spec: deltaSpec(rows, s.arms.map((a) => a.name), figures.map(([m]) => m)),
  };
}

function rocChart(s: ScenarioReport, curves: readonly ArmCurves[]): Chart | null {
  const withCurve = curves.filter((c) => c.roc !== null);
  if (withCurve.length === 0) return null;
  const rows = withCurve.flatMap((c) => c.roc!.map((p, i) => ({ arm: c.arm, i, fpr: p.fpr, tpr: p.tpr })));
  return {
    name: 'roc',
    title: 'ROC curves per arm',
    reading:
      'How well the score separates patients who develop the condition from those who do not, at every threshold. The closer a curve runs to the top-left corner, the better; the dashed diagonal is a coin toss. The area under each curve is the AUROC in the table.',
    spec: rocSpec(rows, s.arms.map((a) => a.name)),
  };
}

function calibrationChart(s: ScenarioReport, curves: readonly ArmCurves[]): Chart | null {
  const rows = curves.flatMap((c) => (c.calibration ?? []).map((b) => ({ arm: c.arm, meanScore: b.meanScore, observedRate: b.observedRate, count: b.count })));
  if (rows.length === 0) return null;
  return {
    name: 'calibration',
    title: 'Calibration',
    reading:
      'Patients are grouped into ten bins by predicted risk; each point is a bin’s mean predicted risk against how often the event actually happened. On the dashed diagonal a predicted 20% risk means 20% of such patients have the event; below it the model overstates risk, above it understates it.',
    spec: calibrationSpec(rows, s.arms.map((a) => a.name)),
  };
}

const MEASURES = ['selection rate', 'true-positive rate', 'false-positive rate'] as const;

function fairnessChart(s: ScenarioReport): Chart | null {
  const arm = s.arms.find((a) => a.name === 'baseline') ?? s.arms[0];
  const fairness = arm?.fairness;
  if (!arm || !fairness) return null;
  const rows: FairnessRow[] = [];
  for (const attribute of FAIRNESS_ATTRIBUTES) {
    for (const g of fairness.attributes[attribute].groups) {
      const label = `${g.group} (n=${g.n}${g.judged ? '' : ', too few to judge'})`;
      const values: Record<(typeof MEASURES)[number], number | null> = {
        'selection rate': g.selectionRate,
        'true-positive rate': g.tpr,
        'false-positive rate': g.fpr,
      };
      for (const measure of MEASURES) {
        const value = values[measure];
        if (value !== null) rows.push({ attribute, group: label, measure, value });
      }
    }
  }
  if (rows.length === 0) return null;
  return {
    name: 'fairness',
    title: `Fairness by subgroup (arm ${arm.name})`,
    reading: `Per subgroup of sex, age band, race and ethnicity: how often the model flags (${fairness.decision}), and among true cases (true-positive rate) and non-cases (false-positive rate). Bars of similar length across the subgroups of an attribute mean the model treats them alike.`,
    spec: fairnessSpec(rows, FAIRNESS_ATTRIBUTES, MEASURES),
  };
}

function latencyChart(s: ScenarioReport, curves: readonly ArmCurves[]): Chart | null {
  const rows = curves.flatMap((c) => {
    const total = c.latency.reduce((sum, b) => sum + b.count, 0);
    return c.latency.map((b) => ({ arm: c.arm, lower: b.lowerMs, upper: b.upperMs, share: b.count / total }));
  });
  if (rows.length === 0) return null;
  return {
    name: 'latency',
    title: 'Latency distribution per arm',
    reading: 'How long the answered calls took, on a logarithmic scale (each step to the right is about 26% slower). A long tail to the right means some patients would wait much longer than usual.',
    spec: latencySpec(rows, s.arms.map((a) => a.name)),
  };
}

function saturationCharts(load: readonly LoadPhaseReport[]): Chart[] {
  return load.flatMap((phase) => {
    if (phase.executor !== 'saturation' || !phase.curve?.length) return [];
    const rows: SaturationRow[] = phase.curve.flatMap((step) =>
      step.latency === null
        ? []
        : [
            { rate: step.rate, percentile: 'p50', ms: step.latency.p50, sustainable: step.sustainable ? 'sustainable' : 'not sustainable' },
            { rate: step.rate, percentile: 'p99', ms: step.latency.p99, sustainable: step.sustainable ? 'sustainable' : 'not sustainable' },
          ],
    );
    if (rows.length === 0) return [];
    const slo = phase.config['sloP99Ms'];
    return [
      {
        name: 'saturation',
        title: `Saturation curve (load phase ${phase.name})`,
        reading: `Latency as the offered request rate steps up. The dashed red line is the SLO on p99; a cross marks a step that broke the SLO or the error budget. Highest sustainable rate: ${phase.sustainableRate === null || phase.sustainableRate === undefined ? 'none' : `${phase.sustainableRate}/s`}.`,
        spec: saturationSpec(rows, typeof slo === 'number' ? slo : null),
      },
    ];
  });
}

/** Every chart that applies to the scenario, rendered to inline SVG figures. */
export async function scenarioCharts(s: ScenarioReport, curves: readonly ArmCurves[], options: ChartOptions): Promise<Html> {
  const charts = [rocChart(s, curves), calibrationChart(s, curves), deltaChart(s), fairnessChart(s), latencyChart(s, curves), ...saturationCharts(s.load)].filter(
    (c): c is Chart => c !== null,
  );
  const figures: Html[] = [];
  for (const [i, chart] of charts.entries()) {
    const svg = await renderSvg(chart.spec, { idPrefix: `${options.idPrefix}-${i}`, onWarning: options.onWarning });
    figures.push(html`<figure class="chart" data-chart="${chart.name}"><figcaption><strong>${chart.title}.</strong> ${chart.reading}</figcaption><div class="svg">${svg}</div></figure>`);
  }
  return joinHtml(figures);
}

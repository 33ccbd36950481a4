import { TaskName } from '../../simulator/case.ts';
import type { Estimate } from '../../simulator/metrics/report-types.ts';
import { ms, num } from '../format.ts';
import type { ArmView } from './run-view.ts';

/** One figure of one arm of one run: a value, and its 95% interval where the report has one. */
export interface MetricPoint {
  readonly value: number;
  readonly ci: readonly [number, number] | null;
}

interface MetricDef {
  readonly label: string;
  read(arm: ArmView): MetricPoint | null;
  show(value: number): string;
}

const ratio = (x: number) => num(x, 3);
const count = (x: number) => String(Math.round(x));

function fromEstimate(e: Estimate | null | undefined): MetricPoint | null {
  if (!e || e.value === null || !Number.isFinite(e.value)) return null;
  return { value: e.value, ci: e.ci };
}

const plain = (x: number | null | undefined): MetricPoint | null => (x === null || x === undefined || !Number.isFinite(x) ? null : { value: x, ci: null });

const quality = (name: string, label: string): MetricDef => ({ label, read: (arm) => fromEstimate(arm.metrics?.[name]), show: ratio });

/**
 * The figures the dashboard can plot, named as gates name them (README "Gates") so a trend and the
 * gate that guards it read the same.
 */
export const METRICS = {
  auroc: quality('auroc', 'AUROC'),
  auprc: quality('auprc', 'AUPRC'),
  brier: quality('brier', 'Brier score'),
  ece: quality('ece', 'ECE'),
  sensitivity: quality('sensitivity', 'sensitivity'),
  specificity: quality('specificity', 'specificity'),
  ppv: quality('ppv', 'PPV'),
  npv: quality('npv', 'NPV'),
  macroF1: { label: 'macro-F1', read: (arm) => fromEstimate(arm.classes?.macroF1), show: ratio },
  accuracy: { label: 'accuracy', read: (arm) => fromEstimate(arm.classes?.accuracy), show: ratio },
  underTriage: { label: 'under-triage rate', read: (arm) => fromEstimate(arm.classes?.underTriage), show: ratio },
  alertSensitivity: { label: 'alert sensitivity', read: (arm) => fromEstimate(arm.alerts?.sensitivity), show: ratio },
  falseAlertRate: { label: 'false alert rate', read: (arm) => fromEstimate(arm.alerts?.falseAlertRate), show: ratio },
  flipRate: { label: 'decision flip rate', read: (arm) => plain(arm.flipRate), show: ratio },
  errorRate: {
    label: 'error rate',
    read: (arm) => {
      const o = arm.outcomes;
      if (!o || !arm.calls) return null;
      return plain((o.error + o.timeout + o.invalid) / arm.calls);
    },
    show: ratio,
  },
  'latency.p50': { label: 'latency p50 (ms)', read: (arm) => plain(arm.latency?.p50), show: ms },
  'latency.p95': { label: 'latency p95 (ms)', read: (arm) => plain(arm.latency?.p95), show: ms },
  'latency.p99': { label: 'latency p99 (ms)', read: (arm) => plain(arm.latency?.p99), show: ms },
  'safety.failures': { label: 'safety failures', read: (arm) => plain(arm.safety?.failures), show: count },
  'safety.critical': { label: 'critical safety failures', read: (arm) => plain(arm.safety?.bySeverity.critical), show: count },
} as const satisfies Record<string, MetricDef>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

/** Each task's headline figure: the one the list shows and trends open with. */
const HEADLINE: Record<TaskName, MetricName> = {
  sepsis: 'auroc',
  'note-triage': 'macroF1',
  'med-safety': 'alertSensitivity',
};

export function headlineMetric(task: string): MetricName {
  const parsed = TaskName.safeParse(task);
  return parsed.success ? HEADLINE[parsed.data] : 'auroc';
}

export function readMetric(metric: MetricName, arm: ArmView): MetricPoint | null {
  return (METRICS[metric] as MetricDef).read(arm);
}

export function metricLabel(metric: MetricName): string {
  return METRICS[metric].label;
}

/** The value with its interval, e.g. `0.812 [0.760, 0.861]`. */
export function showPoint(metric: MetricName, point: MetricPoint | null): string {
  if (!point) return 'n/a';
  const { show } = METRICS[metric] as MetricDef;
  return point.ci ? `${show(point.value)} [${show(point.ci[0])}, ${show(point.ci[1])}]` : show(point.value);
}

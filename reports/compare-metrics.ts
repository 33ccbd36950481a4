import type { ArmReport, Estimate, QualityMetricName, ScenarioReport } from '../simulator/metrics/report-types.ts';
import { FAIRNESS_ATTRIBUTES } from '../simulator/metrics/report-types.ts';
import { wilsonInterval } from '../simulator/metrics/safety-rates.ts';
import { absolute, type Tolerance } from './compare-tolerance.ts';

/**
 * The figures `clinsim compare` puts side by side, named as gates name them (`auroc[baseline]`,
 * `latency.p95[arm]`, `load.p99[phase]`), each with the direction that is better and a default
 * tolerance (docs/ci.md lists them). `{ toward: t }`: closer to t is better (calibration).
 */
export type Direction = 'higher' | 'lower' | { readonly toward: number };
export type Unit = 'score' | 'rate' | 'ms' | 'per-second';

export interface MetricSpec {
  readonly direction: Direction;
  readonly tolerance: Tolerance;
  readonly unit: Unit;
}

export interface Figure {
  readonly value: number | null;
  /** The 95% interval the report gives (bootstrap, or Wilson for rates); null where it gives none. */
  readonly ci: readonly [number, number] | null;
}

/** One figure of a scenario: a metric read for a scope (an arm, a load phase or a subgroup attribute). */
export interface ScopedFigure {
  readonly metric: string;
  readonly scope: string;
  /** The arm whose calls it comes from; null for load phases. */
  readonly arm: string | null;
  readonly figure: Figure;
}

const higher = (tol: number, unit: Unit = 'score'): MetricSpec => ({ direction: 'higher', tolerance: absolute(tol), unit });
const lower = (tol: number, unit: Unit = 'score'): MetricSpec => ({ direction: 'lower', tolerance: absolute(tol), unit });
/**
 * Latency between two runs moves with the machine and the network, by a share of itself, far more
 * than any quality figure moves by chance: only a slowdown by half (and by 10 ms at least) counts.
 */
const LATENCY: MetricSpec = { direction: 'lower', tolerance: { abs: 10, rel: 0.5 }, unit: 'ms' };

const QUALITY: Record<QualityMetricName, MetricSpec> = {
  auroc: higher(0.02),
  auprc: higher(0.03),
  brier: lower(0.01),
  ece: lower(0.02),
  sensitivity: higher(0.03),
  specificity: higher(0.03),
  ppv: higher(0.03),
  npv: higher(0.02),
  netBenefit: higher(0.01),
  calibrationSlope: { direction: { toward: 1 }, tolerance: absolute(0.1), unit: 'score' },
  calibrationIntercept: { direction: { toward: 0 }, tolerance: absolute(0.1), unit: 'score' },
};

export const METRICS: Readonly<Record<string, MetricSpec>> = {
  ...QUALITY,
  macroF1: higher(0.02),
  accuracy: higher(0.02),
  underTriage: lower(0.01, 'rate'),
  alertSensitivity: higher(0.02),
  falseAlertRate: lower(0.02, 'rate'),
  flipRate: lower(0.01, 'rate'),
  stochasticity: lower(0.01, 'rate'),
  errorRate: lower(0.005, 'rate'),
  'latency.p95': LATENCY,
  'fairness.eodds': lower(0.05),
  'load.p99': LATENCY,
  'load.errorRate': lower(0.005, 'rate'),
  'load.throughput': { direction: 'higher', tolerance: { abs: 0, rel: 0.1 }, unit: 'per-second' },
};

const SAFETY_RATE = /^safety\.[A-Za-z0-9-]+\.rate$/;
const SAFETY: MetricSpec = lower(0.005, 'rate');

export function specOf(metric: string): MetricSpec | undefined {
  return Object.hasOwn(METRICS, metric) ? METRICS[metric] : SAFETY_RATE.test(metric) ? SAFETY : undefined;
}

const point = (value: number | null | undefined): Figure => ({ value: value ?? null, ci: null });
const estimate = (e: Estimate | undefined): Figure | undefined => (e ? { value: e.value, ci: e.ci } : undefined);

function armFigures(arm: ArmReport): [string, Figure | undefined][] {
  const failed = arm.outcomes.error + arm.outcomes.timeout + arm.outcomes.invalid;
  return [
    ...(Object.keys(QUALITY) as QualityMetricName[]).map((m): [string, Figure] => [m, estimate(arm.metrics[m])!]),
    ['macroF1', estimate(arm.classes?.macroF1)],
    ['accuracy', estimate(arm.classes?.accuracy)],
    ['underTriage', estimate(arm.classes?.underTriage)],
    ['alertSensitivity', estimate(arm.alerts?.sensitivity)],
    ['falseAlertRate', estimate(arm.alerts?.falseAlertRate)],
    // The report keeps no denominator for these two, so they have no interval.
    ['flipRate', point(arm.flipRate)],
    ['stochasticity', point(arm.stochasticity)],
    ['errorRate', arm.calls === 0 ? point(null) : { value: failed / arm.calls, ci: wilsonInterval(failed, arm.calls) }],
    ['latency.p95', point(arm.latency?.p95)],
    ...Object.entries(arm.safety.byCheck).map(([check, c]): [string, Figure] => [`safety.${check}.rate`, { value: c.rate, ci: c.ci }]),
  ];
}

/**
 * Every figure of a scenario the comparison knows. Fairness is read from the baseline arm (the
 * first arm without one), as its gates are. A figure that does not apply to the task (macro-F1 of
 * a sepsis arm) is left out rather than shown as missing.
 */
export function scenarioFigures(s: ScenarioReport): ScopedFigure[] {
  const out: ScopedFigure[] = [];
  for (const arm of s.arms) {
    for (const [metric, figure] of armFigures(arm)) if (figure) out.push({ metric, scope: arm.name, arm: arm.name, figure });
  }
  const reference = s.arms.find((a) => a.name === 'baseline') ?? s.arms[0];
  if (reference?.fairness) {
    for (const attribute of FAIRNESS_ATTRIBUTES) {
      out.push({ metric: 'fairness.eodds', scope: attribute, arm: reference.name, figure: point(reference.fairness.attributes[attribute].equalizedOddsDifference) });
    }
  }
  for (const phase of s.load) {
    out.push({ metric: 'load.p99', scope: phase.name, arm: null, figure: point(phase.latency?.p99) });
    out.push({ metric: 'load.errorRate', scope: phase.name, arm: null, figure: point(phase.errorRate) });
    out.push({ metric: 'load.throughput', scope: phase.name, arm: null, figure: point(phase.throughput) });
  }
  return out;
}

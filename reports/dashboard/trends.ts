import type { RunEntry } from './run-index.ts';
import { METRIC_NAMES, readMetric, type MetricName } from './trend-metrics.ts';

/** One arm of one run on a trend chart. */
export interface TrendPoint {
  readonly runId: string;
  readonly startedAt: string;
  readonly arm: string;
  readonly value: number;
  readonly lo: number | null;
  readonly hi: number | null;
}

export interface TrendData {
  readonly scenario: string;
  readonly metric: MetricName;
  /** Every arm the scenario's reports have, in first-seen order (the form's choices). */
  readonly arms: readonly string[];
  /** The arms plotted: the chosen ones of this scenario, or all. */
  readonly plotted: readonly string[];
  /** Figures any report of the scenario has a value for (the form's choices). */
  readonly metrics: readonly MetricName[];
  /** Oldest first. */
  readonly points: readonly TrendPoint[];
  /** Runs of the scenario with a report. */
  readonly reported: number;
  /** Runs of the scenario without one (running, interrupted, failed or unreadable). */
  readonly unreported: number;
}

/** Scenario names across the runs, most recently run first. */
export function scenarioNames(runs: readonly RunEntry[]): string[] {
  return [...new Set(runs.flatMap((r) => r.scenarios.map((s) => s.name)))];
}

/**
 * The chosen figure of the chosen arms across runs of one scenario, in time order. Runs without a
 * readable report are counted, not plotted; a figure a report does not have (null) leaves a gap.
 */
export function trendData(runs: readonly RunEntry[], scenario: string, metric: MetricName, chosenArms: readonly string[]): TrendData {
  const ofScenario = runs.filter((r) => r.scenarios.some((s) => s.name === scenario));
  const reported = ofScenario.flatMap((run) => {
    const s = run.report?.scenarios.find((x) => x.name === scenario);
    return s && run.startedAt !== null ? [{ run, startedAt: run.startedAt, scenario: s }] : [];
  });
  reported.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || (a.run.id < b.run.id ? -1 : 1));

  const arms = [...new Set(reported.flatMap((r) => r.scenario.arms.map((a) => a.name)))];
  // Arms chosen for another scenario (the form keeps them when the scenario changes) select nothing: plot all.
  const chosen = arms.filter((a) => chosenArms.includes(a));
  const plotted = chosen.length > 0 ? chosen : arms;
  const metrics = METRIC_NAMES.filter((m) => reported.some((r) => r.scenario.arms.some((a) => readMetric(m, a) !== null)));
  const points: TrendPoint[] = [];
  for (const { run, startedAt, scenario: s } of reported) {
    for (const arm of s.arms) {
      if (!plotted.includes(arm.name)) continue;
      const point = readMetric(metric, arm);
      if (!point) continue;
      points.push({ runId: run.id, startedAt, arm: arm.name, value: point.value, lo: point.ci?.[0] ?? null, hi: point.ci?.[1] ?? null });
    }
  }
  return { scenario, metric, arms, plotted, metrics, points, reported: reported.length, unreported: ofScenario.length - reported.length };
}

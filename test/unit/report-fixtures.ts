/**
 * Hand-built report pieces for the gate and renderer unit tests: an ArmReport with every figure
 * set to a plain value, which a test overrides field by field.
 */
import type { ArmReport, Estimate, QualityMetrics, Report, ScenarioReport } from '../../simulator/metrics/report-types.ts';

export const est = (value: number | null, ci: [number, number] | null = null): Estimate => ({ value, ci });

export function quality(values: Partial<Record<keyof QualityMetrics, number | null>> = {}): QualityMetrics {
  return {
    auroc: est(values.auroc ?? null),
    brier: est(values.brier ?? null),
    sensitivity: est(values.sensitivity ?? null),
    specificity: est(values.specificity ?? null),
    auprc: est(values.auprc ?? null),
    ece: est(values.ece ?? null),
    calibrationSlope: est(values.calibrationSlope ?? null),
    calibrationIntercept: est(values.calibrationIntercept ?? null),
    ppv: est(values.ppv ?? null),
    npv: est(values.npv ?? null),
    netBenefit: est(values.netBenefit ?? null),
  };
}

export function armReport(name: string, overrides: Partial<ArmReport> = {}): ArmReport {
  return {
    name,
    cases: 10,
    calls: 10,
    prevalence: 0.3,
    realizedPrevalence: 0.3,
    realizedShift: null,
    perturbations: [],
    outcomes: { ok: 10, error: 0, timeout: 0, invalid: 0 },
    metrics: quality({ auroc: 0.85, brier: 0.1, sensitivity: 0.8, specificity: 0.9 }),
    delta: name === 'baseline' ? null : quality({ auroc: 0, brier: 0, sensitivity: 0, specificity: 0 }),
    classes: null,
    alerts: null,
    flipRate: name === 'baseline' ? null : 0,
    stochasticity: null,
    latency: { p50: 12, p90: 20, p95: 25, p99: 40, max: 50 },
    safety: { failures: 0, bySeverity: { critical: 0, major: 0, minor: 0 }, byCheck: {} },
    fairness: null,
    drift: null,
    ...overrides,
  };
}

export function scenarioReport(overrides: Partial<ScenarioReport> = {}): ScenarioReport {
  return {
    name: 'sepsis-demo',
    task: 'sepsis',
    target: { adapter: 'http-json', url: 'http://127.0.0.1:1234/predict' },
    seed: 7,
    size: 10,
    threshold: 0.5,
    repeats: 1,
    arms: [armReport('baseline')],
    checklist: [],
    load: [],
    gates: [],
    passed: true,
    ...overrides,
  };
}

export function report(scenarios: ScenarioReport[], passed = scenarios.every((s) => s.passed)): Report {
  return {
    schemaVersion: 1,
    run: {
      id: 'run-1',
      manifest: 'manifest.json',
      toolVersion: '0.1.0',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:01:00.000Z',
    },
    scenarios,
    passed,
  };
}

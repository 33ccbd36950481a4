import { z } from 'zod';
import { Expectation } from '../perturb/perturbation.ts';
import { LoadReport } from '../load/load-report.ts';

/** A point estimate with its percentile bootstrap interval; null where the figure is not defined. */
export const Estimate = z.object({
  value: z.number().nullable(),
  ci: z.tuple([z.number(), z.number()]).nullable(),
});
export type Estimate = z.infer<typeof Estimate>;

export const QualityMetricName = z.enum(['auroc', 'brier', 'sensitivity', 'specificity']);
export type QualityMetricName = z.infer<typeof QualityMetricName>;

export const QualityMetrics = z.object({
  auroc: Estimate,
  brier: Estimate,
  sensitivity: Estimate,
  specificity: Estimate,
});
export type QualityMetrics = z.infer<typeof QualityMetrics>;

export const Latency = z.object({
  p50: z.number(),
  p90: z.number(),
  p95: z.number(),
  p99: z.number(),
  max: z.number(),
});
export type Latency = z.infer<typeof Latency>;

export const Outcomes = z.object({
  ok: z.number().int(),
  error: z.number().int(),
  timeout: z.number().int(),
  invalid: z.number().int(),
});
export type Outcomes = z.infer<typeof Outcomes>;

export const SafetySummary = z.object({
  failures: z.number().int(),
  bySeverity: z.object({ critical: z.number().int(), major: z.number().int(), minor: z.number().int() }),
  /** Per check: failures and the rate over the calls the check applies to. */
  byCheck: z.record(z.string(), z.object({ count: z.number().int(), rate: z.number().nullable() })),
});
export type SafetySummary = z.infer<typeof SafetySummary>;

export const ArmReport = z.object({
  name: z.string(),
  /** Distinct patients with at least one record. */
  cases: z.number().int(),
  calls: z.number().int(),
  /** Realized prevalence of the label among answered calls. */
  prevalence: z.number().nullable(),
  perturbations: z.array(
    z.object({ kind: z.string(), description: z.string(), params: z.record(z.string(), z.unknown()), expectation: Expectation }),
  ),
  outcomes: Outcomes,
  metrics: QualityMetrics,
  /** Arm minus baseline on the same cases (paired bootstrap CI); null for the baseline arm itself. */
  delta: QualityMetrics.nullable(),
  /** Share of cases whose decision differs from the baseline arm's; null for the baseline arm. */
  flipRate: z.number().nullable(),
  latency: Latency.nullable(),
  safety: SafetySummary,
});
export type ArmReport = z.infer<typeof ArmReport>;

export const GateResult = z.object({
  name: z.string(),
  expression: z.string(),
  actual: z.number().nullable(),
  pass: z.boolean(),
});
export type GateResult = z.infer<typeof GateResult>;

export const ScenarioReport = z.object({
  name: z.string(),
  task: z.string(),
  target: z.object({ adapter: z.string(), url: z.string().nullable() }),
  seed: z.number().int(),
  size: z.number().int(),
  threshold: z.number(),
  repeats: z.number().int(),
  arms: z.array(ArmReport),
  /** One entry per load phase, in scenario order (docs/load.md); empty without load phases. */
  load: LoadReport,
  gates: z.array(GateResult),
  passed: z.boolean(),
});
export type ScenarioReport = z.infer<typeof ScenarioReport>;

export const Report = z.object({
  schemaVersion: z.literal(1),
  run: z.object({
    id: z.string(),
    manifest: z.string(),
    toolVersion: z.string(),
    startedAt: z.string(),
    finishedAt: z.string(),
  }),
  scenarios: z.array(ScenarioReport),
  passed: z.boolean(),
});
export type Report = z.infer<typeof Report>;

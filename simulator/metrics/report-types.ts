import { z } from 'zod';
import { Expectation } from '../perturb/perturbation.ts';
import { LoadReport } from '../load/load-report.ts';

/** A point estimate with its percentile bootstrap interval; null where the figure is not defined. */
export const Estimate = z.object({
  value: z.number().nullable(),
  ci: z.tuple([z.number(), z.number()]).nullable(),
});
export type Estimate = z.infer<typeof Estimate>;

/**
 * Quality of a score (docs/metrics.md): computed over the answered calls that have a score and a
 * 0/1 label (sepsis; null for tasks whose answers carry no score). Threshold figures (sensitivity
 * to netBenefit) at the scenario's threshold, flags at score >= threshold.
 */
export const QualityMetricName = z.enum([
  'auroc',
  'brier',
  'sensitivity',
  'specificity',
  'auprc',
  'ece',
  'calibrationSlope',
  'calibrationIntercept',
  'ppv',
  'npv',
  'netBenefit',
]);
export type QualityMetricName = z.infer<typeof QualityMetricName>;

export const QualityMetrics = z.object({
  auroc: Estimate,
  brier: Estimate,
  sensitivity: Estimate,
  specificity: Estimate,
  auprc: Estimate,
  ece: Estimate,
  calibrationSlope: Estimate,
  calibrationIntercept: Estimate,
  ppv: Estimate,
  npv: Estimate,
  netBenefit: Estimate,
});
export type QualityMetrics = z.infer<typeof QualityMetrics>;

/** Class quality of a class-valued answer (note-triage), classes in urgency order, most urgent first. */
export const ClassReport = z.object({
  classes: z.array(z.string()),
  /** Answered calls with a true class. */
  n: z.number().int(),
  /** confusion[i][j]: calls of true class i answered with class j. */
  confusion: z.array(z.array(z.number().int())),
  perClass: z.array(
    z.object({
      class: z.string(),
      support: z.number().int(),
      predicted: z.number().int(),
      recall: z.number().nullable(),
      precision: z.number().nullable(),
      f1: z.number().nullable(),
    }),
  ),
  macroF1: Estimate,
  accuracy: Estimate,
  /** Share of calls answered with a less urgent class than the true one. */
  underTriage: Estimate,
  overTriage: z.number().nullable(),
  /** Per true class except the least urgent: share answered with a less urgent class. */
  underTriageByClass: z.record(z.string(), z.number().nullable()),
  /** Arm minus baseline on the same (case, repeat) slots, paired bootstrap; null for the baseline. */
  delta: z.object({ macroF1: Estimate, accuracy: Estimate, underTriage: Estimate }).nullable(),
});
export type ClassReport = z.infer<typeof ClassReport>;

/** Alert quality of a decision-support answer (med-safety): alerted vs a true conflict. */
export const AlertReport = z.object({
  /** Answered orders with a truth label. */
  n: z.number().int(),
  conflicts: z.number().int(),
  alerts: z.number().int(),
  truePositives: z.number().int(),
  falsePositives: z.number().int(),
  /** Alerted conflicts / conflicts. */
  sensitivity: Estimate,
  /** Alerts on conflict-free orders / conflict-free orders (1 − specificity). */
  falseAlertRate: Estimate,
  /** False alerts / alerts (1 − PPV). */
  falseAlertShare: z.number().nullable(),
  alertRate: z.number().nullable(),
  delta: z.object({ sensitivity: Estimate, falseAlertRate: Estimate }).nullable(),
});
export type AlertReport = z.infer<typeof AlertReport>;

/** The subgroup attributes of the journal's `group`, the fairness slices. */
export const FAIRNESS_ATTRIBUTES = ['sex', 'ageBand', 'race', 'ethnicity'] as const;
export const FairnessAttribute = z.enum(FAIRNESS_ATTRIBUTES);
export type FairnessAttribute = z.infer<typeof FairnessAttribute>;

export const AttributeFairness = z.object({
  groups: z.array(
    z.object({
      group: z.string(),
      n: z.number().int(),
      positives: z.number().int(),
      negatives: z.number().int(),
      selectionRate: z.number().nullable(),
      tpr: z.number().nullable(),
      fpr: z.number().nullable(),
      /** Null where the answers carry no score. */
      auroc: z.number().nullable(),
      /** False when n < minGroupSize: reported, left out of the differences. */
      judged: z.boolean(),
    }),
  ),
  demographicParityDifference: z.number().nullable(),
  demographicParityRatio: z.number().nullable(),
  equalizedOddsDifference: z.number().nullable(),
  equalizedOddsRatio: z.number().nullable(),
  equalOpportunityDifference: z.number().nullable(),
  aurocDifference: z.number().nullable(),
  /** Demographic parity ratio below 0.8; null when the ratio is not available. */
  fourFifthsViolated: z.boolean().nullable(),
});
export type AttributeFairness = z.infer<typeof AttributeFairness>;

export const FairnessReport = z.object({
  minGroupSize: z.number().int(),
  /** What counts as selected (flagged) and as positive for this task. */
  decision: z.string(),
  attributes: z.object({ sex: AttributeFairness, ageBand: AttributeFairness, race: AttributeFairness, ethnicity: AttributeFairness }),
});
export type FairnessReport = z.infer<typeof FairnessReport>;

/** Drift of one input feature, reference vs current (docs/metrics.md, "Drift"); null = not available. */
export const FeatureDriftReport = z.object({
  name: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  n: z.object({ reference: z.number().int(), current: z.number().int() }),
  missing: z.object({ reference: z.number().int(), current: z.number().int() }),
  /** The deciding test (Evidently's default for the feature); null when a side has no value. */
  test: z.enum(['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon']).nullable(),
  score: z.number().nullable(),
  threshold: z.number().nullable(),
  drift: z.boolean().nullable(),
  psi: z.number().nullable(),
  jensenShannon: z.number().nullable(),
  /** Numeric features only. */
  ks: z.object({ statistic: z.number().nullable(), pValue: z.number().nullable() }).nullable(),
  wasserstein: z.number().nullable(),
});
export type FeatureDriftReport = z.infer<typeof FeatureDriftReport>;

export const DriftReport = z.object({
  /** The arm whose inputs are the reference sample. */
  reference: z.string(),
  features: z.array(FeatureDriftReport),
  /** Drifted features / features with a decision; null when none has one. */
  driftShare: z.number().nullable(),
  drifted: z.number().int(),
  decided: z.number().int(),
  notAvailable: z.number().int(),
  /** driftShare >= 0.5 (Evidently's dataset drift); null when the share is not available. */
  datasetDrift: z.boolean().nullable(),
});
export type DriftReport = z.infer<typeof DriftReport>;

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

/** Calls without a usable answer by whose failure it is (metrics/failure-kinds.ts). */
export const FailureKinds = z.object({
  infrastructure: z.number().int(),
  model: z.number().int(),
});
export type FailureKinds = z.infer<typeof FailureKinds>;

/** Tokens and cost of the arm's answers that reported usage (metrics/arm-usage.ts). */
export const ArmUsage = z.object({
  /** Calls whose answer carried usage. */
  calls: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  totalTokens: z.number().int(),
  /** USD, from the target's prices; null when it gives none. */
  costUsd: z.number().nullable(),
});
export type ArmUsage = z.infer<typeof ArmUsage>;

export const SafetySummary = z.object({
  failures: z.number().int(),
  bySeverity: z.object({ critical: z.number().int(), major: z.number().int(), minor: z.number().int() }),
  /** Per check: failures, the calls it applied to, the rate and its Wilson 95% interval. */
  byCheck: z.record(
    z.string(),
    z.object({ count: z.number().int(), applied: z.number().int(), rate: z.number().nullable(), ci: z.tuple([z.number(), z.number()]).nullable() }),
  ),
});
export type SafetySummary = z.infer<typeof SafetySummary>;

const Distribution = z.object({
  present: z.number().int(),
  missing: z.number().int(),
  mean: z.number().nullable(),
  sd: z.number().nullable(),
  min: z.number().nullable(),
  median: z.number().nullable(),
  max: z.number().nullable(),
  shares: z.record(z.string(), z.number()).optional(),
});

/** What a shift or missingness perturbation actually moved, from its provenance (realized-shift.ts). */
export const RealizedShiftEntry = z.object({
  path: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  n: z.number().int(),
  coverage: z.number().nullable(),
  before: Distribution,
  after: Distribution,
  psi: z.number().nullable(),
  ks: z.object({ statistic: z.number(), pValue: z.number() }).nullable(),
  missingRate: z.number().optional(),
});

/** CheckList-style row: the failure rate of the arm's expectation (MFT, INV or DIR). */
export const ChecklistRow = z.object({
  arm: z.string(),
  expectation: z.string(),
  direction: z.enum(['increase', 'decrease']).optional(),
  test: z.enum(['MFT', 'INV', 'DIR']).nullable(),
  check: z.string().nullable(),
  count: z.number().int(),
  applied: z.number().int(),
  rate: z.number().nullable(),
  ci: z.tuple([z.number(), z.number()]).nullable(),
});

export const ArmReport = z.object({
  name: z.string(),
  /** Distinct patients with at least one record. */
  cases: z.number().int(),
  calls: z.number().int(),
  /** Realized prevalence of the label among answered calls. */
  prevalence: z.number().nullable(),
  /** Share of label 1 among the arm's distinct cases, whatever the answers (shows label shift). */
  realizedPrevalence: z.number().nullable(),
  /** Per variable the arm's shift and missingness perturbations changed: before vs after; null without any. */
  realizedShift: z.array(RealizedShiftEntry).nullable(),
  perturbations: z.array(
    z.object({ kind: z.string(), description: z.string(), params: z.record(z.string(), z.unknown()), expectation: Expectation }),
  ),
  outcomes: Outcomes,
  /** Failed calls split by kind; absent in reports written before it. */
  failures: FailureKinds.optional(),
  /** Retries spent by the arm's calls (attempts − 1, summed); absent in reports written before it. */
  retries: z.number().int().optional(),
  /** Token usage and cost; present only when the target reported usage (an LLM endpoint). */
  usage: ArmUsage.optional(),
  metrics: QualityMetrics,
  /** Arm minus baseline on the same cases (paired bootstrap CI); null for the baseline arm itself. */
  delta: QualityMetrics.nullable(),
  /** note-triage only (null for other tasks). */
  classes: ClassReport.nullable(),
  /** med-safety only (null for other tasks). */
  alerts: AlertReport.nullable(),
  /** Share of (case, repeat) slots whose decision differs from the baseline arm's; null for the baseline arm. */
  flipRate: z.number().nullable(),
  /** Share of cases whose decision changed between repeats; null with one repeat. */
  stochasticity: z.number().nullable(),
  latency: Latency.nullable(),
  safety: SafetySummary,
  /** Per subgroup attribute; null without answered calls that have a truth label. */
  fairness: FairnessReport.nullable(),
  /** Inputs vs the baseline arm's; null for the baseline arm and for journals without `features`. */
  drift: DriftReport.nullable(),
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
  /** `model`: an openai target's model name (optional: absent for other adapters and in older reports). */
  target: z.object({ adapter: z.string(), url: z.string().nullable(), model: z.string().optional() }),
  seed: z.number().int(),
  size: z.number().int(),
  threshold: z.number(),
  repeats: z.number().int(),
  arms: z.array(ArmReport),
  /** CheckList summary: one row per arm. */
  checklist: z.array(ChecklistRow),
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

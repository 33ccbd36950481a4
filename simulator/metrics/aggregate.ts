import type { Manifest, ScenarioLineage } from '../run/manifest.ts';
import type { JournalRecord } from '../run/journal-record.ts';
import { definitionOf, isPerturbationKind } from '../perturb/registry.ts';
import { CHECK_NAMES } from '../safety/checks.ts';
import { ArmAccumulator } from './arm-accumulator.ts';
import { weightedAurocRanked } from './auroc.ts';
import { bootstrapCi, pairedBootstrapCi, type WeightedMetric } from './bootstrap.ts';
import { evaluateGate, parseGate } from './gates.ts';
import { latencySummary } from './percentile.ts';
import { rankCases } from './ranked.ts';
import type { ArmReport, Estimate, QualityMetricName, QualityMetrics, Report, ScenarioReport } from './report-types.ts';
import { weightedBrier, weightedSensitivity, weightedSpecificity } from './weighted.ts';
import type { LoadPhaseReport } from '../load/index.ts';

export interface AggregateOptions {
  /** Bootstrap resamples per interval (default 1000). */
  readonly resamples?: number;
  readonly manifestFile: string;
  /** Load phase results per scenario name (load.json), when the run had load phases. */
  readonly load?: ReadonlyMap<string, readonly LoadPhaseReport[]>;
}

/** Collects journal records per scenario and arm, in the arm order of the manifest. */
export class RunAggregator {
  private readonly arms = new Map<string, Map<string, ArmAccumulator>>();

  constructor(private readonly manifest: Manifest) {
    for (const s of manifest.scenarios) {
      this.arms.set(s.name, new Map(s.arms.map((a) => [a.name, new ArmAccumulator(a.name, s.repeats, s.size)])));
    }
  }

  add(record: JournalRecord): void {
    const arm = this.arms.get(record.scenario)?.get(record.arm);
    if (!arm) throw new Error(`record for scenario "${record.scenario}" arm "${record.arm}" is not in the manifest`);
    arm.add(record);
  }

  report(options: AggregateOptions): Report {
    const scenarios = this.manifest.scenarios.map((s) => scenarioReport(s, this.arms.get(s.name)!, options));
    return {
      schemaVersion: 1,
      run: {
        id: this.manifest.runId,
        manifest: options.manifestFile,
        toolVersion: this.manifest.toolVersion,
        startedAt: this.manifest.startedAt,
        finishedAt: this.manifest.finishedAt ?? new Date().toISOString(),
      },
      scenarios,
      passed: scenarios.every((s) => s.passed),
    };
  }
}

function scenarioReport(lineage: ScenarioLineage, arms: Map<string, ArmAccumulator>, options: AggregateOptions): ScenarioReport {
  const baseline = arms.get('baseline');
  const armReports = lineage.arms.map((a) => armReport(lineage, a, arms.get(a.name)!, baseline, options));
  const load = [...(options.load?.get(lineage.name) ?? [])];
  const gates = Object.entries(lineage.gates).flatMap(([key, expression]) => {
    const parsed = parseGate(key, expression, CHECK_NAMES);
    if (!parsed.gate) return [{ name: key, expression, actual: null, pass: false }];
    return evaluateGate(parsed.gate, armReports, CHECK_NAMES, load);
  });
  return {
    name: lineage.name,
    task: lineage.task,
    target: { adapter: lineage.target.adapter, url: lineage.target.url },
    seed: lineage.seed,
    size: lineage.size,
    threshold: lineage.threshold,
    repeats: lineage.repeats,
    arms: armReports,
    load,
    gates,
    passed: gates.every((g) => g.pass),
  };
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);
const toEstimate = (e: { value: number; ci: readonly [number, number] | null }): Estimate => ({
  value: finiteOrNull(e.value),
  ci: e.ci && Number.isFinite(e.ci[0]) && Number.isFinite(e.ci[1]) ? [e.ci[0], e.ci[1]] : null,
});

/** Scores and labels of the given slots, compacted, and the weighted quality metrics over them. */
function qualityFunctions(acc: ArmAccumulator, slots: readonly number[], threshold: number): Record<QualityMetricName, WeightedMetric> {
  const scores = Float64Array.from(slots, (s) => acc.scores[s]!);
  const labels = Uint8Array.from(slots, (s) => acc.labels[s]!);
  const ranked = rankCases(scores, labels);
  return {
    auroc: (w) => weightedAurocRanked(ranked, w),
    brier: (w) => weightedBrier(scores, labels, w),
    sensitivity: (w) => weightedSensitivity(scores, labels, w, threshold),
    specificity: (w) => weightedSpecificity(scores, labels, w, threshold),
  };
}

const METRICS: readonly QualityMetricName[] = ['auroc', 'brier', 'sensitivity', 'specificity'];

function armReport(
  lineage: ScenarioLineage,
  arm: ScenarioLineage['arms'][number],
  acc: ArmAccumulator,
  baseline: ArmAccumulator | undefined,
  options: AggregateOptions,
): ArmReport {
  const bootstrap = { seed: lineage.seed, resamples: options.resamples ?? 1000 };
  const slots: number[] = [];
  for (let s = 0; s < acc.scores.length; s++) if (acc.answered(s)) slots.push(s);
  const own = qualityFunctions(acc, slots, lineage.threshold);
  const metrics = Object.fromEntries(
    METRICS.map((m) => [m, toEstimate(bootstrapCi(slots.length, own[m], { ...bootstrap, key: [lineage.name, arm.name, m] }))]),
  ) as QualityMetrics;

  let delta: QualityMetrics | null = null;
  let flipRate: number | null = null;
  if (baseline && baseline !== acc) {
    const paired = slots.filter((s) => baseline.answered(s));
    const mine = qualityFunctions(acc, paired, lineage.threshold);
    const theirs = qualityFunctions(baseline, paired, lineage.threshold);
    delta = Object.fromEntries(
      METRICS.map((m) => [
        m,
        toEstimate(pairedBootstrapCi(paired.length, mine[m], theirs[m], { ...bootstrap, key: [lineage.name, arm.name, m, 'delta'] })),
      ]),
    ) as QualityMetrics;
    let flips = 0;
    for (const s of paired) if (acc.scores[s]! >= lineage.threshold !== baseline.scores[s]! >= lineage.threshold) flips++;
    flipRate = paired.length === 0 ? null : flips / paired.length;
  }

  let positives = 0;
  for (const s of slots) positives += acc.labels[s]!;
  const latency = acc.latencies.length === 0 ? null : latencySummary(acc.latencies);

  return {
    name: arm.name,
    cases: acc.cases,
    calls: acc.calls,
    prevalence: slots.length === 0 ? null : positives / slots.length,
    perturbations: arm.perturbations.map((p) => describe(p.kind, p.params)),
    outcomes: acc.outcomes,
    metrics,
    delta,
    flipRate,
    latency,
    safety: {
      failures: acc.failures,
      bySeverity: acc.bySeverity,
      byCheck: Object.fromEntries(
        [...acc.appliedByCheck].map(([check, applied]) => {
          const count = acc.failuresByCheck.get(check) ?? 0;
          return [check, { count, rate: applied === 0 ? null : count / applied }];
        }),
      ),
    },
  };
}

function describe(kind: string, params: Record<string, unknown>): ArmReport['perturbations'][number] {
  if (!isPerturbationKind(kind)) throw new Error(`manifest names unknown perturbation "${kind}"`);
  const def = definitionOf(kind);
  return { kind, params, description: def.describe(params), expectation: def.expectation(params) };
}

import type { Manifest, ScenarioLineage } from '../run/manifest.ts';
import type { JournalRecord } from '../run/journal-record.ts';
import { definitionOf, isPerturbationKind } from '../perturb/registry.ts';
import { CHECK_NAMES } from '../safety/checks.ts';
import { safetyRates } from './safety-rates.ts';
import { checklist } from './checklist.ts';
import type { TruthEffect } from '../perturb/perturbation.ts';
import { TaskName } from '../case.ts';
import { ArmAccumulator, DECISION_CLASSES, NONE } from './arm-accumulator.ts';
import { armAlerts, armClasses } from './arm-classes.ts';
import { armDrift } from './arm-drift.ts';
import { armFairness } from './arm-fairness.ts';
import { armQuality, type ArmContext } from './arm-quality.ts';
import { armStochasticity, flipRate } from './arm-robustness.ts';
import { evaluateGate, parseGate } from './gates.ts';
import { latencySummary } from './percentile.ts';
import type { ArmReport, Report, ScenarioReport } from './report-types.ts';
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
      this.arms.set(s.name, new Map(s.arms.map((a) => [a.name, new ArmAccumulator(a.name, s.repeats, s.size, { task: taskOf(s), threshold: s.threshold })])));
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
    target: { adapter: lineage.target.adapter, url: lineage.target.url, ...(lineage.target.model === undefined ? {} : { model: lineage.target.model }) },
    seed: lineage.seed,
    size: lineage.size,
    threshold: lineage.threshold,
    repeats: lineage.repeats,
    arms: armReports,
    checklist: checklist(
      taskOf(lineage),
      armReports.map((a) => ({
        name: a.name,
        perturbations: a.perturbations.map((p) => ({ expectation: p.expectation, truthEffect: truthEffectOf(p.kind) })),
        byCheck: a.safety.byCheck,
      })),
    ),
    load,
    gates,
    passed: gates.every((g) => g.pass),
  };
}

function armReport(
  lineage: ScenarioLineage,
  arm: ScenarioLineage['arms'][number],
  acc: ArmAccumulator,
  baseline: ArmAccumulator | undefined,
  options: AggregateOptions,
): ArmReport {
  const ctx: ArmContext = {
    threshold: lineage.threshold,
    bootstrap: { seed: lineage.seed, resamples: options.resamples ?? 1000 },
    key: [lineage.name, arm.name],
  };
  const { metrics, delta } = armQuality(acc, baseline, ctx);
  const task = taskOf(lineage);
  const classes = DECISION_CLASSES[task];

  // Realized prevalence of the truth label among the calls that were answered with a decision.
  let answered = 0;
  let positives = 0;
  for (const s of acc.decidedSlots()) {
    if (acc.truthLabels[s] === NONE) continue;
    answered++;
    positives += acc.truthLabels[s]!;
  }
  const latency = acc.latencies.length === 0 ? null : latencySummary(acc.latencies);

  return {
    name: arm.name,
    cases: acc.cases,
    calls: acc.calls,
    prevalence: answered === 0 ? null : positives / answered,
    realizedPrevalence: acc.labelledCases === 0 ? null : acc.positiveCases / acc.labelledCases,
    realizedShift: acc.shift === null ? null : acc.shift.result(),
    perturbations: arm.perturbations.map((p) => describe(p.kind, p.params)),
    outcomes: acc.outcomes,
    failures: acc.failureKinds,
    retries: acc.retries,
    ...usageOf(acc),
    metrics,
    delta,
    classes: classes ? armClasses(acc, baseline, classes, ctx) : null,
    alerts: task === 'med-safety' ? armAlerts(acc, baseline, ctx) : null,
    flipRate: flipRate(acc, baseline),
    stochasticity: armStochasticity(acc),
    latency,
    safety: { failures: acc.failures, bySeverity: acc.bySeverity, byCheck: safetyRates(inCheckOrder(acc.appliedByCheck), acc.failuresByCheck) },
    fairness: armFairness(acc, task, lineage.threshold),
    drift: armDrift(acc, baseline),
  };
}

/**
 * Checks by name rather than in the order the journal first showed them, which varies with
 * concurrency: a resumed or merged run reports like any other.
 */
function inCheckOrder(byCheck: ReadonlyMap<string, number>): Map<string, number> {
  return new Map([...byCheck].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The arm's token usage, as a field only when the target reported any (report.json stays as it was otherwise). */
function usageOf(acc: ArmAccumulator): Pick<ArmReport, 'usage'> {
  const usage = acc.usage.report();
  return usage ? { usage } : {};
}

function taskOf(lineage: ScenarioLineage): TaskName {
  const task = TaskName.safeParse(lineage.task);
  if (!task.success) throw new Error(`manifest names unknown task "${lineage.task}" for scenario "${lineage.name}"`);
  return task.data;
}

function truthEffectOf(kind: string): TruthEffect {
  if (!isPerturbationKind(kind)) throw new Error(`manifest names unknown perturbation "${kind}"`);
  return definitionOf(kind).truthEffect;
}

function describe(kind: string, params: Record<string, unknown>): ArmReport['perturbations'][number] {
  if (!isPerturbationKind(kind)) throw new Error(`manifest names unknown perturbation "${kind}"`);
  const def = definitionOf(kind);
  return { kind, params, description: def.describe(params), expectation: def.expectation(params) };
}

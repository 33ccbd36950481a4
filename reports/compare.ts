import type { Report, ScenarioReport } from '../simulator/metrics/report-types.ts';
import { scenarioFigures, specOf, type Direction, type Figure, type Unit } from './compare-metrics.ts';
import { changedArms, cohortPairing, needsCi, type Pairing } from './compare-noise.ts';
import { allowedMove, toleranceFor, type Tolerance, type ToleranceOverrides } from './compare-tolerance.ts';

/**
 * Baseline comparison of two report.json files (`clinsim compare`, `clinsim run --baseline`).
 *
 * For every figure present in both (same scenario, same arm, phase or attribute):
 * - it moved when the values differ;
 * - it is beyond tolerance when |new − base| exceeds the metric's tolerance;
 * - it is beyond the CI when the new value lies outside the base run's 95% interval (null where
 *   the base gives none: latency, flip rate, stochasticity, fairness, load);
 * - it is a regression when it moved in the worse direction beyond tolerance, and, where something
 *   other than the model can move it (compare-noise.ts: other patients, changed perturbations,
 *   flaky answers) and the base has an interval, also beyond that interval. A figure the base had
 *   and the new run does not (AUROC of an arm that got no answers) is a regression too.
 *
 * Why the new point against the base's interval, rather than two intervals that do not overlap:
 * non-overlap of two 95% intervals is a far stricter test (about p < 0.006 for equal widths),
 * which would hide most real changes of the size a tolerance is set to catch.
 */

export type Verdict = 'regression' | 'worse' | 'better' | 'changed' | 'same' | 'gone' | 'new';

export interface MetricComparison {
  readonly scenario: string;
  readonly metric: string;
  readonly scope: string;
  /** `metric[scope]`, the way gates name figures. */
  readonly name: string;
  readonly unit: Unit;
  readonly direction: Direction;
  readonly base: number | null;
  readonly next: number | null;
  /** new − base; null unless both are numbers. */
  readonly delta: number | null;
  readonly baseCi: readonly [number, number] | null;
  readonly tolerance: Tolerance;
  readonly beyondTolerance: boolean;
  readonly beyondCi: boolean | null;
  /** Whether a worse move had to leave the base CI as well to count (compare-noise.ts). */
  readonly ciConsulted: boolean;
  readonly verdict: Verdict;
  readonly regression: boolean;
}

/** Decisions that changed between repeats, per arm and run: flaky answers are shown, not averaged away. */
export interface Stability {
  readonly arm: string;
  readonly base: { readonly repeats: number; readonly stochasticity: number | null } | null;
  readonly next: { readonly repeats: number; readonly stochasticity: number | null } | null;
}

export interface GateChange {
  readonly name: string;
  readonly expression: string;
  /** null: the gate is not in that run. */
  readonly base: boolean | null;
  readonly next: boolean | null;
}

export interface ScenarioComparison {
  readonly name: string;
  readonly task: string;
  readonly metrics: readonly MetricComparison[];
  readonly stability: readonly Stability[];
  readonly gates: readonly GateChange[];
  /** Whether both runs saw the same patients, and if not why. */
  readonly pairing: Pairing;
  /** Differences that qualify the comparison: another cohort, threshold or arm set. */
  readonly notes: readonly string[];
}

export interface RunRef {
  readonly id: string;
  readonly startedAt: string;
  readonly toolVersion: string;
  /** The report file, when the comparison was read from one. */
  readonly file?: string;
}

export interface Comparison {
  readonly base: RunRef;
  readonly next: RunRef;
  readonly toleranceOnly: boolean;
  readonly scenarios: readonly ScenarioComparison[];
  /** Scenarios of one run only (or of another task under the same name), left out. */
  readonly onlyInBase: readonly string[];
  readonly onlyInNext: readonly string[];
  readonly regressions: readonly MetricComparison[];
}

export interface CompareOptions {
  readonly tolerances?: ToleranceOverrides;
  /** Judge by tolerance alone, whatever could move the figures besides the model. */
  readonly toleranceOnly?: boolean;
  readonly baseFile?: string;
  readonly nextFile?: string;
}

export interface FigureOptions {
  readonly tolerances?: ToleranceOverrides;
  /** A worse move must also leave the base CI to count (default true). */
  readonly needsCi?: boolean;
}

/** Below this a difference is floating-point noise of the same computation. */
const EPSILON = 1e-12;

function isWorse(direction: Direction, base: number, next: number): boolean {
  if (direction === 'higher') return next < base;
  if (direction === 'lower') return next > base;
  return Math.abs(next - direction.toward) > Math.abs(base - direction.toward);
}

export function compareFigure(
  scenario: string,
  metric: string,
  scope: string,
  base: Figure,
  next: Figure,
  options: FigureOptions = {},
): MetricComparison | undefined {
  const spec = specOf(metric);
  if (!spec || (base.value === null && next.value === null)) return undefined;
  const tolerance = toleranceFor(metric, scope, spec.tolerance, options.tolerances);
  const ciConsulted = options.needsCi !== false && base.ci !== null;
  const common = { scenario, metric, scope, name: `${metric}[${scope}]`, unit: spec.unit, direction: spec.direction, base: base.value, next: next.value, baseCi: base.ci, tolerance, ciConsulted };
  if (base.value === null || next.value === null) {
    const gone = next.value === null;
    return { ...common, delta: null, beyondTolerance: gone, beyondCi: null, verdict: gone ? 'gone' : 'new', regression: gone };
  }
  const delta = next.value - base.value;
  const beyondTolerance = Math.abs(delta) > allowedMove(tolerance, base.value) + EPSILON;
  const beyondCi = base.ci ? next.value < base.ci[0] - EPSILON || next.value > base.ci[1] + EPSILON : null;
  let verdict: Verdict = 'same';
  if (Math.abs(delta) > EPSILON) {
    if (isWorse(spec.direction, base.value, next.value)) {
      verdict = beyondTolerance && !(ciConsulted && beyondCi === false) ? 'regression' : 'worse';
    } else {
      // Calibration can move to the other side of its target at the same distance: changed, not better.
      verdict = isWorse(spec.direction, next.value, base.value) ? 'better' : 'changed';
    }
  }
  return { ...common, delta, beyondTolerance, beyondCi, verdict, regression: verdict === 'regression' };
}

/** The bundled reference models listen on an ephemeral loopback port: a new port is the same target. */
function targetOf(s: ScenarioReport): string {
  const url = s.target.url?.replace(/^(https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\])):\d+/, '$1') ?? '';
  return `${s.target.adapter} ${url}`.trim();
}

function cohortNotes(base: ScenarioReport, next: ScenarioReport): string[] {
  const notes: string[] = [];
  const differs = (what: string, a: unknown, b: unknown) => {
    if (a !== b) notes.push(`${what} differs: ${String(a)} in the base, ${String(b)} in the new run`);
  };
  differs('seed', base.seed, next.seed);
  differs('cohort size', base.size, next.size);
  differs('threshold', base.threshold, next.threshold);
  differs('repeats', base.repeats, next.repeats);
  differs('target', targetOf(base), targetOf(next));
  const baseArms = new Set(base.arms.map((a) => a.name));
  const nextArms = new Set(next.arms.map((a) => a.name));
  const gone = [...baseArms].filter((a) => !nextArms.has(a));
  const added = [...nextArms].filter((a) => !baseArms.has(a));
  if (gone.length > 0) notes.push(`arms only in the base run, not compared: ${gone.join(', ')}`);
  if (added.length > 0) notes.push(`arms only in the new run, not compared: ${added.join(', ')}`);
  return notes;
}

function gateChanges(base: ScenarioReport, next: ScenarioReport): GateChange[] {
  const key = (g: { name: string; expression: string }) => `${g.name} ${g.expression}`;
  const before = new Map(base.gates.map((g) => [key(g), g.pass]));
  const after = new Map(next.gates.map((g) => [key(g), g.pass]));
  const changes: GateChange[] = [];
  for (const g of next.gates) {
    const was = before.get(key(g));
    if (was !== g.pass) changes.push({ name: g.name, expression: g.expression, base: was ?? null, next: g.pass });
  }
  for (const g of base.gates) if (!after.has(key(g))) changes.push({ name: g.name, expression: g.expression, base: g.pass, next: null });
  return changes;
}

function stability(base: ScenarioReport, next: ScenarioReport): Stability[] {
  const names = [...new Set([...base.arms, ...next.arms].map((a) => a.name))];
  const side = (s: ScenarioReport, arm: string) => {
    const a = s.arms.find((x) => x.name === arm);
    return a ? { repeats: s.repeats, stochasticity: a.stochasticity } : null;
  };
  return names.map((arm) => ({ arm, base: side(base, arm), next: side(next, arm) }));
}

function compareScenario(base: ScenarioReport, next: ScenarioReport, versions: { base: string; next: string }, options: CompareOptions): ScenarioComparison {
  const pairing = cohortPairing(base, next, versions);
  const toleranceOnly = options.toleranceOnly === true;
  const armCi = (arm: string | null) =>
    needsCi(pairing, arm === null ? undefined : base.arms.find((a) => a.name === arm), arm === null ? undefined : next.arms.find((a) => a.name === arm), toleranceOnly);
  const key = (metric: string, scope: string) => `${metric}\u0000${scope}`;
  const after = new Map(scenarioFigures(next).map((f) => [key(f.metric, f.scope), f.figure]));
  const metrics: MetricComparison[] = [];
  for (const f of scenarioFigures(base)) {
    const n = after.get(key(f.metric, f.scope));
    if (!n) continue;
    const compared = compareFigure(base.name, f.metric, f.scope, f.figure, n, { tolerances: options.tolerances, needsCi: armCi(f.arm) });
    if (compared) metrics.push(compared);
  }
  const changed = changedArms(base, next);
  const notes = [
    ...cohortNotes(base, next),
    ...(changed.length > 0 ? [`perturbations changed in ${changed.join(', ')}: other inputs, so a move there must also leave the base CI`] : []),
  ];
  return { name: base.name, task: base.task, metrics, stability: stability(base, next), gates: gateChanges(base, next), pairing, notes };
}

const ref = (report: Report, file: string | undefined): RunRef => ({
  id: report.run.id,
  startedAt: report.run.startedAt,
  toolVersion: report.run.toolVersion,
  ...(file === undefined ? {} : { file }),
});

/** Compares every scenario the two reports share by name and task; see the rule above. */
export function compareReports(base: Report, next: Report, options: CompareOptions = {}): Comparison {
  const scenarios: ScenarioComparison[] = [];
  const matched = new Set<string>();
  for (const b of base.scenarios) {
    const n = next.scenarios.find((s) => s.name === b.name && s.task === b.task);
    if (!n) continue;
    matched.add(b.name);
    scenarios.push(compareScenario(b, n, { base: base.run.toolVersion, next: next.run.toolVersion }, options));
  }
  return {
    base: ref(base, options.baseFile),
    next: ref(next, options.nextFile),
    toleranceOnly: options.toleranceOnly === true,
    scenarios,
    onlyInBase: base.scenarios.filter((s) => !matched.has(s.name)).map((s) => s.name),
    onlyInNext: next.scenarios.filter((s) => !matched.has(s.name)).map((s) => s.name),
    regressions: scenarios.flatMap((s) => s.metrics.filter((m) => m.regression)),
  };
}

/** Whether two runs share a scenario (name and task): without one a comparison says nothing. */
export const sharesScenario = (base: readonly { name: string; task: string }[], next: readonly { name: string; task: string }[]): boolean =>
  base.some((b) => next.some((n) => n.name === b.name && n.task === b.task));

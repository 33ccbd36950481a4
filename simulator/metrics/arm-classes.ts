/**
 * Class quality of a class-valued task (note-triage, report.json `classes`) and alert quality of a
 * decision-support task (med-safety, `alerts`), from the decisions the arm accumulator read off
 * each answer with OUTPUT_CONTRACT. Intervals resample whole cases (case-bootstrap.ts); deltas are
 * paired on the (case, repeat) slots both arms answered.
 */
import { weightedAlertMetrics } from './alerts.ts';
import { NONE, type ArmAccumulator } from './arm-accumulator.ts';
import { toEstimates, type ArmContext } from './arm-quality.ts';
import type { WeightedMetric } from './bootstrap.ts';
import { bootstrapCases, pairedBootstrapCases, slotSample } from './case-bootstrap.ts';
import { weightedClassMetrics, weightedMacroF1, weightedTriageErrors } from './classes.ts';
import type { AlertReport, ClassReport } from './report-types.ts';

const nullIfNaN = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Slots of `acc` with a decision and the truth `truth` (a per-slot array of acc), also in `other` when given. */
function slotsWith(acc: ArmAccumulator, truth: Uint8Array, other?: { acc: ArmAccumulator; truth: Uint8Array }): number[] {
  const out: number[] = [];
  for (let s = 0; s < acc.decisions.length; s++) {
    if (acc.decisions[s] === NONE || truth[s] === NONE) continue;
    if (other && (other.acc.decisions[s] === NONE || other.truth[s] === NONE)) continue;
    out.push(s);
  }
  return out;
}

function classFunctions(truth: Uint8Array, predicted: Uint8Array, classes: readonly string[]) {
  return {
    macroF1: ((w) => weightedMacroF1(truth, predicted, classes, w)) as WeightedMetric,
    accuracy: ((w) => weightedClassMetrics(truth, predicted, classes, w).accuracy) as WeightedMetric,
    underTriage: ((w) => weightedTriageErrors(truth, predicted, classes, w).underTriage) as WeightedMetric,
  };
}

const pick = (values: Uint8Array, slots: Uint32Array) => Uint8Array.from(slots, (s) => values[s]!);

/** `classes` of a class-valued arm; `classes` is the urgency order, most urgent first. */
export function armClasses(acc: ArmAccumulator, baseline: ArmAccumulator | undefined, classes: readonly string[], ctx: ArmContext): ClassReport {
  const own = slotSample(slotsWith(acc, acc.truthClasses), acc.repeats);
  const truth = pick(acc.truthClasses, own.slots);
  const predicted = pick(acc.decisions, own.slots);
  const all = weightedClassMetrics(truth, predicted, classes, undefined);
  const errors = weightedTriageErrors(truth, predicted, classes, undefined);
  const estimates = toEstimates(bootstrapCases(own, classFunctions(truth, predicted, classes), { ...ctx.bootstrap, key: [...ctx.key, 'classes'] }));
  let delta: ClassReport['delta'] = null;
  if (baseline && baseline !== acc) {
    const paired = slotSample(slotsWith(acc, acc.truthClasses, { acc: baseline, truth: baseline.truthClasses }), acc.repeats);
    delta = toEstimates(
      pairedBootstrapCases(
        paired,
        classFunctions(pick(acc.truthClasses, paired.slots), pick(acc.decisions, paired.slots), classes),
        classFunctions(pick(baseline.truthClasses, paired.slots), pick(baseline.decisions, paired.slots), classes),
        { ...ctx.bootstrap, key: [...ctx.key, 'classes', 'delta'] },
      ),
    );
  }
  return {
    classes: [...classes],
    n: own.slots.length,
    confusion: all.confusion.map((row) => [...row]),
    perClass: all.perClass.map((c) => ({
      class: c.class,
      support: c.support,
      predicted: c.predicted,
      recall: nullIfNaN(c.recall),
      precision: nullIfNaN(c.precision),
      f1: nullIfNaN(c.f1),
    })),
    macroF1: estimates.macroF1,
    accuracy: estimates.accuracy,
    underTriage: estimates.underTriage,
    overTriage: nullIfNaN(errors.overTriage),
    underTriageByClass: Object.fromEntries(Object.entries(errors.underTriageByClass).map(([k, v]) => [k, nullIfNaN(v)])),
    delta,
  };
}

function alertFunctions(alerted: Uint8Array, conflict: Uint8Array) {
  return {
    sensitivity: ((w) => weightedAlertMetrics(alerted, conflict, w).sensitivity) as WeightedMetric,
    falseAlertRate: ((w) => weightedAlertMetrics(alerted, conflict, w).falseAlertRate) as WeightedMetric,
  };
}

/** `alerts` of a decision-support arm: alerted = decision 'alert', conflict = truth label 1. */
export function armAlerts(acc: ArmAccumulator, baseline: ArmAccumulator | undefined, ctx: ArmContext): AlertReport {
  const own = slotSample(slotsWith(acc, acc.truthLabels), acc.repeats);
  const alerted = pick(acc.decisions, own.slots);
  const conflict = pick(acc.truthLabels, own.slots);
  const all = weightedAlertMetrics(alerted, conflict, undefined);
  const estimates = toEstimates(bootstrapCases(own, alertFunctions(alerted, conflict), { ...ctx.bootstrap, key: [...ctx.key, 'alerts'] }));
  let delta: AlertReport['delta'] = null;
  if (baseline && baseline !== acc) {
    const paired = slotSample(slotsWith(acc, acc.truthLabels, { acc: baseline, truth: baseline.truthLabels }), acc.repeats);
    delta = toEstimates(
      pairedBootstrapCases(
        paired,
        alertFunctions(pick(acc.decisions, paired.slots), pick(acc.truthLabels, paired.slots)),
        alertFunctions(pick(baseline.decisions, paired.slots), pick(baseline.truthLabels, paired.slots)),
        { ...ctx.bootstrap, key: [...ctx.key, 'alerts', 'delta'] },
      ),
    );
  }
  return {
    n: all.orders,
    conflicts: all.conflicts,
    alerts: all.alerts,
    truePositives: all.truePositives,
    falsePositives: all.falsePositives,
    sensitivity: estimates.sensitivity,
    falseAlertRate: estimates.falseAlertRate,
    falseAlertShare: nullIfNaN(all.falseAlertShare),
    alertRate: nullIfNaN(all.alertRate),
    delta,
  };
}

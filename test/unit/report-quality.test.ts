/**
 * report.json `metrics` and `delta` for a scored task: every figure equals the statistics library
 * applied to the answered calls, every interval comes from one case bootstrap, and with repeats
 * the bootstrap resamples whole cases.
 */
import { describe, expect, it } from 'vitest';
import { averagePrecision } from '../../simulator/metrics/average-precision.ts';
import { auroc } from '../../simulator/metrics/auroc.ts';
import { calibrationSlope, ece } from '../../simulator/metrics/calibration.ts';
import { perCase, slotSample } from '../../simulator/metrics/case-bootstrap.ts';
import { netBenefit } from '../../simulator/metrics/net-benefit.ts';
import { QualityMetricName, ScenarioReport } from '../../simulator/metrics/report-types.ts';
import type { JournalRecord } from '../../simulator/run/journal-record.ts';
import { record } from './journal-fixtures.ts';
import { aggregate, lineage, rng } from './report-run-fixtures.ts';

const N = 120;
const THRESHOLD = 0.5;
const random = rng(20261124);
const LABELS = Array.from({ length: N }, () => (random() < 0.3 ? 1 : 0) as 0 | 1);
const BASE = LABELS.map((y) => Math.round(Math.min(1, Math.max(0, 0.25 + 0.35 * y + 0.5 * (random() - 0.5))) * 100) / 100);
const SHIFTED = BASE.map((s) => Math.round(Math.min(1, s * 1.4) * 100) / 100);
/** Calls that fail: baseline case 5 (error), shifted case 7 (timeout). */
const FAILED = { baseline: 5, shifted: 7 } as const;

function journal(repeats = 1, arms: Record<string, readonly number[]> = { baseline: BASE, shifted: SHIFTED }): JournalRecord[] {
  return Object.entries(arms).flatMap(([arm, scores]) =>
    scores.flatMap((score, c) =>
      Array.from({ length: repeats }, (_, repeat) =>
        record({
          arm,
          case: c,
          repeat,
          truth: { label: LABELS[c]!, risk: 0.5 },
          ...(FAILED[arm as keyof typeof FAILED] === c
            ? { outcome: 'error' as const, output: null, error: 'transport: refused' }
            : { output: { score } }),
        }),
      ),
    ),
  );
}

const answered = (arm: keyof typeof FAILED) => [...Array(N).keys()].filter((c) => c !== FAILED[arm]);
const paired = [...Array(N).keys()].filter((c) => c !== FAILED.baseline && c !== FAILED.shifted);

/** Every figure of the library on the given cases of one arm's scores. */
function direct(scores: readonly number[], cases: readonly number[]): Record<QualityMetricName, number> {
  const s = Float64Array.from(cases, (c) => scores[c]!);
  const y = Uint8Array.from(cases, (c) => LABELS[c]!);
  let tp = 0, fp = 0, tn = 0, fn = 0;
  s.forEach((x, i) => {
    const flag = x >= THRESHOLD;
    if (flag && y[i] === 1) tp++;
    else if (flag) fp++;
    else if (y[i] === 1) fn++;
    else tn++;
  });
  const fit = calibrationSlope(s, y);
  let brier = 0;
  s.forEach((x, i) => (brier += (x - y[i]!) ** 2));
  return {
    auroc: auroc(s, y),
    brier: brier / s.length,
    sensitivity: tp / (tp + fn),
    specificity: tn / (tn + fp),
    auprc: averagePrecision(s, y),
    ece: ece(s, y),
    calibrationSlope: fit.slope,
    calibrationIntercept: fit.intercept,
    ppv: tp / (tp + fp),
    npv: tn / (tn + fn),
    netBenefit: netBenefit(s, y, THRESHOLD),
  };
}

const scenario = lineage({ size: N, threshold: THRESHOLD });

describe('report.json metrics and delta (scored task)', () => {
  const report = aggregate(journal(), scenario);
  const [baseline, shifted] = report.arms as [ScenarioReport['arms'][number], ScenarioReport['arms'][number]];

  it('is a valid scenario report', () => {
    expect(ScenarioReport.safeParse(report).success).toBe(true);
  });

  it('computes every quality figure as the statistics library does, over the answered calls', () => {
    for (const [arm, scores, name] of [[baseline, BASE, 'baseline'], [shifted, SHIFTED, 'shifted']] as const) {
      const expected = direct(scores, answered(name));
      for (const m of QualityMetricName.options) {
        expect(arm.metrics[m].value, `${name} ${m}`).toBeCloseTo(expected[m], 12);
      }
    }
  });

  it('gives every figure an ordered interval around a defined value', () => {
    for (const arm of [baseline, shifted]) {
      for (const m of QualityMetricName.options) {
        const { value, ci } = arm.metrics[m];
        expect(ci, `${arm.name} ${m}`).not.toBeNull();
        expect(ci![0]).toBeLessThanOrEqual(ci![1]);
        expect(value).not.toBeNull();
      }
    }
  });

  it('computes delta = arm − baseline on the cases both answered, with paired intervals', () => {
    const mine = direct(SHIFTED, paired);
    const theirs = direct(BASE, paired);
    for (const m of QualityMetricName.options) {
      expect(shifted.delta![m].value, m).toBeCloseTo(mine[m] - theirs[m], 12);
      const ci = shifted.delta![m].ci!;
      expect(ci[0]).toBeLessThanOrEqual(ci[1]);
    }
    expect(baseline.delta).toBeNull();
  });

  it('gives identical arms a delta of exactly 0 with interval [0, 0], for every figure', () => {
    const same = aggregate(journal(1, { baseline: BASE, shifted: BASE }), scenario);
    for (const m of QualityMetricName.options) {
      // Case 5 failed in the baseline only, case 7 in the other arm: the paired cases are equal.
      expect(same.arms[1]!.delta![m], m).toEqual({ value: 0, ci: [0, 0] });
    }
  });

  it('is deterministic: the same journal in another order gives the same report', () => {
    expect(aggregate([...journal()].reverse(), scenario)).toEqual(report);
  });

  it('resamples whole cases: each case asked twice, identically, gives the intervals of one ask', () => {
    const twice = aggregate(journal(2), { ...scenario, repeats: 2 });
    for (const [i, arm] of twice.arms.entries()) {
      for (const m of QualityMetricName.options) {
        const once = report.arms[i]!.metrics[m];
        expect(arm.metrics[m].value, `${arm.name} ${m}`).toBeCloseTo(once.value!, 9);
        // Resampling (case, repeat) slots instead would draw 2n slots and narrow every interval.
        expect(arm.metrics[m].ci![0], `${arm.name} ${m} lo`).toBeCloseTo(once.ci![0], 9);
        expect(arm.metrics[m].ci![1], `${arm.name} ${m} hi`).toBeCloseTo(once.ci![1], 9);
      }
    }
    for (const m of QualityMetricName.options) {
      expect(twice.arms[1]!.delta![m].ci![0], m).toBeCloseTo(report.arms[1]!.delta![m].ci![0], 9);
      expect(twice.arms[1]!.delta![m].ci![1], m).toBeCloseTo(report.arms[1]!.delta![m].ci![1], 9);
    }
  });

  it('reports figures of a task without scores as null, not 0', () => {
    const triage = aggregate(
      [record({ arm: 'baseline', truth: { class: 'urgent', label: 0 }, output: { label: 'urgent' } })],
      lineage({ task: 'note-triage', size: 1, armNames: ['baseline'] }),
    );
    for (const m of QualityMetricName.options) expect(triage.arms[0]!.metrics[m]).toEqual({ value: null, ci: null });
    expect(baseline.classes).toBeNull();
    expect(baseline.alerts).toBeNull();
  });

  it('generalises the flip rate to the decision: slots decided in both arms whose flag differs', () => {
    let flips = 0;
    for (const c of paired) if (BASE[c]! >= THRESHOLD !== SHIFTED[c]! >= THRESHOLD) flips++;
    expect(shifted.flipRate).toBe(flips / paired.length);
    expect(baseline.flipRate).toBeNull();
  });

  it('has no stochasticity with one repeat, and measures it with two', () => {
    expect(baseline.stochasticity).toBeNull();
    // Second repeat of the shifted arm answers like the baseline: the cases that flip are unstable.
    const records = journal(2).map((r) =>
      r.arm === 'shifted' && r.repeat === 1 && r.output ? { ...r, output: { score: BASE[r.case]! } } : r,
    );
    const two = aggregate(records, { ...scenario, repeats: 2 });
    let unstable = 0;
    for (const c of answered('shifted')) if (BASE[c]! >= THRESHOLD !== SHIFTED[c]! >= THRESHOLD) unstable++;
    expect(two.arms[1]!.stochasticity).toBe(unstable / answered('shifted').length);
    expect(two.arms[0]!.stochasticity).toBe(0);
  });
});

describe('case bootstrap helpers', () => {
  it('groups ascending slots by case', () => {
    const sample = slotSample([0, 1, 3, 4, 5, 9], 2);
    expect([...sample.caseOf]).toEqual([0, 0, 1, 2, 2, 3]);
    expect(sample.cases).toBe(4);
    expect(sample.oneSlotPerCase).toBe(false);
    expect(slotSample([0, 2, 4], 2).oneSlotPerCase).toBe(true);
    expect(() => slotSample([3, 1], 2)).toThrow(RangeError);
  });

  it('gives each slot the count of its case', () => {
    const sample = slotSample([0, 1, 3, 4, 5, 9], 2);
    let seen: number[] = [];
    const metric = perCase(sample, (w) => {
      seen = [...w];
      return 0;
    });
    metric(Float64Array.from([2, 0, 1, 3]));
    expect(seen).toEqual([2, 2, 0, 1, 1, 3]);
  });
});

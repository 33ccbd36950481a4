// Hand-checked behaviour of the statistics beyond the reference fixtures: conventions at the
// edges, undefined cases, and that each weighted (bootstrap) form equals the plain metric of the
// sample with its cases repeated.
import { describe, expect, it } from 'vitest';
import { auroc } from '../../simulator/metrics/auroc.ts';
import { alertMetrics, weightedAlertMetrics } from '../../simulator/metrics/alerts.ts';
import { averagePrecision, weightedAveragePrecisionRanked } from '../../simulator/metrics/average-precision.ts';
import { calibrationBins, calibrationCurve, calibrationSlope, ece, weightedEceBinned } from '../../simulator/metrics/calibration.ts';
import { classIndices, classMetrics, triageErrors, weightedClassMetrics } from '../../simulator/metrics/classes.ts';
import { categoricalDrift, driftShare, numericDrift, psi } from '../../simulator/metrics/drift.ts';
import { fairness } from '../../simulator/metrics/fairness.ts';
import { ks2Samp, roundHalfEven } from '../../simulator/metrics/ks.ts';
import { decisionCurve, netBenefit, weightedNetBenefit } from '../../simulator/metrics/net-benefit.ts';
import { rankCases } from '../../simulator/metrics/ranked.ts';
import { chiSquareSf, normalCdf } from '../../simulator/metrics/special.ts';
import { scoreStochasticity, stochasticity } from '../../simulator/metrics/stochasticity.ts';
import { normal, stream } from '../../simulator/random.ts';

/** The sample with case i repeated w[i] times. */
function expand<T>(values: ArrayLike<T>, w: ArrayLike<number>): T[] {
  const out: T[] = [];
  for (let i = 0; i < values.length; i++) for (let k = 0; k < w[i]!; k++) out.push(values[i]!);
  return out;
}

const rng = stream('test', 'stats-metrics');
const n = 200;
const labels = Uint8Array.from({ length: n }, () => (rng() < 0.3 ? 1 : 0));
const scores = Float64Array.from(labels, (y) => Math.round(1000 / (1 + Math.exp(-normal(rng, 1.5 * y - 1)))) / 1000);
const weights = Float64Array.from({ length: n }, () => Math.floor(rng() * 3));

describe('calibration', () => {
  it('puts scores on an edge into the bin below, as sklearn calibration_curve', () => {
    expect([...calibrationBins([0, 0.1, 0.10000000000000002, 0.3, 0.30000000000000004, 0.30000000000000010, 0.95, 1])]).toEqual([
      0, 0, 1, 2, 2, 3, 9, 9,
    ]);
    expect(() => calibrationBins([1.01])).toThrow(RangeError);
    expect(() => calibrationBins([NaN])).toThrow(RangeError);
  });

  it('ECE is the bin-weighted gap of the curve; empty bins are NaN and ignored', () => {
    const s = [0.05, 0.05, 0.95, 0.95];
    const y = [0, 1, 1, 1];
    expect(ece(s, y)).toBeCloseTo(0.5 * 0.45 + 0.5 * 0.05, 15);
    const curve = calibrationCurve(s, y);
    expect(curve).toHaveLength(10);
    expect(curve[4]!.meanScore).toBeNaN();
    expect(curve[0]).toMatchObject({ lower: 0, upper: 0.1, count: 2, observedRate: 0.5 });
    expect(ece([], [])).toBeNaN();
  });

  it('weighted ECE equals the ECE of the repeated sample', () => {
    expect(weightedEceBinned(calibrationBins(scores), scores, labels, weights)).toBeCloseTo(ece(expand(scores, weights), expand(labels, weights)), 14);
  });

  it('slope and intercept: about (0, 1) for calibrated risks, NaN when the fit does not exist', () => {
    const r = stream('test', 'recalibration');
    const p = Float64Array.from({ length: 20000 }, () => 0.02 + 0.96 * r());
    const y = Uint8Array.from(p, (pi) => (r() < pi ? 1 : 0));
    const fit = calibrationSlope(p, y);
    expect(fit.slope).toBeGreaterThan(0.9);
    expect(fit.slope).toBeLessThan(1.1);
    expect(Math.abs(fit.intercept)).toBeLessThan(0.08);
    expect(calibrationSlope([0.2, 0.8], [0, 1]).slope).toBeNaN(); // separated
    expect(calibrationSlope([0.2, 0.5, 0.5, 0.8], [0, 0, 1, 1]).slope).toBeNaN(); // quasi-separated
    expect(calibrationSlope([0.4, 0.4, 0.4], [0, 1, 1]).slope).toBeNaN(); // constant score
    expect(calibrationSlope([0.3, 0.6], [1, 1]).slope).toBeNaN(); // one class
  });

  it('weighted slope equals the fit on the repeated sample', () => {
    const a = calibrationSlope(scores, labels, weights);
    const b = calibrationSlope(expand(scores, weights), expand(labels, weights));
    expect(a.slope).toBeCloseTo(b.slope, 9);
    expect(a.intercept).toBeCloseTo(b.intercept, 9);
  });
});

describe('average precision', () => {
  it('groups ties into one threshold', () => {
    // Thresholds 0.8 (1 pos, P=1), 0.5 (tie: 1 pos + 1 neg, P=2/3), 0.1 (1 neg).
    expect(averagePrecision([0.8, 0.5, 0.5, 0.1], [1, 1, 0, 0])).toBeCloseTo(0.5 * 1 + 0.5 * (2 / 3), 15);
    expect(averagePrecision([0.2, 0.4], [0, 0])).toBeNaN();
    expect(averagePrecision([0.2, 0.4], [1, 1])).toBe(1);
  });

  it('weighted AP equals the AP of the repeated sample', () => {
    const ranked = rankCases(scores, labels);
    expect(weightedAveragePrecisionRanked(ranked, weights)).toBeCloseTo(averagePrecision(expand(scores, weights), expand(labels, weights)), 14);
  });
});

describe('net benefit', () => {
  it('is TP/n − FP/n · t/(1 − t) with score >= t flagged', () => {
    // t = 0.2: flagged 0.2 (neg), 0.5 (pos), 0.9 (pos); odds 0.25.
    expect(netBenefit([0.1, 0.2, 0.5, 0.9], [1, 0, 1, 1], 0.2)).toBeCloseTo(2 / 4 - (1 / 4) * 0.25, 15);
    const [p] = decisionCurve([0.1, 0.2, 0.5, 0.9], [1, 0, 1, 1], [0.2]);
    expect(p!.treatAll).toBeCloseTo(0.75 - 0.25 * 0.25, 15);
    expect(p!.treatNone).toBe(0);
    expect(() => netBenefit([0.5], [1], 1)).toThrow(RangeError);
    expect(netBenefit([], [], 0.1)).toBeNaN();
  });

  it('weighted net benefit equals that of the repeated sample', () => {
    expect(weightedNetBenefit(scores, labels, weights, 0.3)).toBeCloseTo(netBenefit(expand(scores, weights), expand(labels, weights), 0.3), 14);
  });
});

describe('multi-class and triage', () => {
  const classes = ['emergent', 'urgent', 'non-urgent'];
  const truth = ['emergent', 'emergent', 'urgent', 'urgent', 'non-urgent', 'non-urgent'];
  const pred = ['emergent', 'urgent', 'urgent', 'non-urgent', 'non-urgent', 'emergent'];

  it('confusion matrix (rows true, columns predicted), recall, macro-F1', () => {
    const m = classMetrics(truth, pred, classes);
    expect(m.confusion).toEqual([
      [1, 1, 0],
      [0, 1, 1],
      [1, 0, 1],
    ]);
    expect(m.perClass.map((c) => c.recall)).toEqual([0.5, 0.5, 0.5]);
    expect(m.macroF1).toBeCloseTo(0.5, 15);
    expect(m.accuracy).toBeCloseTo(0.5, 15);
  });

  it('a class absent from truth and predictions is left out of macro-F1; its rates are NaN', () => {
    const m = classMetrics(['urgent', 'urgent'], ['urgent', 'emergent'], classes);
    const nonUrgent = m.perClass[2]!;
    expect([nonUrgent.recall, nonUrgent.precision, nonUrgent.f1]).toEqual([NaN, NaN, NaN]);
    expect(m.perClass[0]!.recall).toBeNaN(); // emergent never true
    expect(m.perClass[0]!.f1).toBe(0); // but predicted once: F1 0
    expect(m.macroF1).toBeCloseTo((0 + 2 / 3) / 2, 15);
    expect(() => classMetrics(['urgent'], ['critical'], classes)).toThrow(RangeError);
  });

  it('under-triage: a less urgent class than the truth', () => {
    const t = triageErrors(truth, pred, classes);
    expect(t.underTriage).toBeCloseTo(2 / 6, 15);
    expect(t.overTriage).toBeCloseTo(1 / 6, 15);
    expect(t.underTriageByClass).toEqual({ emergent: 0.5, urgent: 0.5 });
  });

  it('weighted class metrics equal those of the repeated sample', () => {
    const w = [2, 0, 1, 3, 1, 1];
    const a = weightedClassMetrics(classIndices(truth, classes), classIndices(pred, classes), classes, w);
    const b = classMetrics(expand(truth, w), expand(pred, w), classes);
    expect(a.confusion).toEqual(b.confusion);
    expect(a.macroF1).toBeCloseTo(b.macroF1, 15);
  });
});

describe('alerts', () => {
  it('keeps the two senses of "false-alert rate" apart', () => {
    // 4 conflicts (3 alerted), 6 safe orders (2 alerted).
    const alerted = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0] as const;
    const conflict = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0] as const;
    const m = alertMetrics([...alerted], [...conflict]);
    expect(m.sensitivity).toBeCloseTo(3 / 4, 15);
    expect(m.falseAlertRate).toBeCloseTo(2 / 6, 15);
    expect(m.falseAlertShare).toBeCloseTo(2 / 5, 15);
    expect(m.alertRate).toBeCloseTo(5 / 10, 15);
    const none = alertMetrics([false, false], [false, false]);
    expect([none.sensitivity, none.falseAlertShare, none.falseAlertRate]).toEqual([NaN, NaN, 0]);
    expect(weightedAlertMetrics([true, false], [true, true], [3, 1]).sensitivity).toBeCloseTo(0.75, 15);
    expect(() => alertMetrics([2 as 0], [0])).toThrow(RangeError);
  });
});

describe('fairness', () => {
  const groups = [...Array(40).fill('f'), ...Array(40).fill('m'), ...Array(5).fill('x')] as string[];
  const y = groups.map((g, i) => (g === 'x' || i % 2 === 0 ? 1 : 0));
  // f flags every positive and 10 negatives; m flags 10 positives and 2 negatives; x flags all.
  const d = groups.map((g, i) => {
    const k = i % 40;
    if (g === 'x') return 1;
    if (g === 'f') return y[i] === 1 || k < 20 ? 1 : 0;
    return (y[i] === 1 && k < 20) || k === 21 || k === 23 ? 1 : 0;
  });

  it('Fairlearn differences and ratios over the judged groups only', () => {
    const r = fairness(groups, y, d);
    const f = r.groups.find((g) => g.group === 'f')!;
    const m = r.groups.find((g) => g.group === 'm')!;
    expect([f.selectionRate, f.tpr, f.fpr]).toEqual([30 / 40, 1, 10 / 20]);
    expect([m.selectionRate, m.tpr, m.fpr]).toEqual([12 / 40, 10 / 20, 2 / 20]);
    expect(r.groups.find((g) => g.group === 'x')!.judged).toBe(false);
    expect(r.demographicParity.groups).toEqual(['f', 'm']);
    expect(r.demographicParity.difference).toBeCloseTo(0.45, 15);
    expect(r.demographicParity.ratio).toBeCloseTo(0.4, 15);
    expect(r.equalizedOddsDifference).toBeCloseTo(0.5, 15);
    expect(r.equalOpportunityDifference).toBeCloseTo(0.5, 15);
    expect(r.fourFifthsViolated).toBe(true);
  });

  it('not available with fewer than two judged groups; extra metrics per group', () => {
    const one = fairness(groups.slice(0, 40), y.slice(0, 40), d.slice(0, 40));
    expect(one.demographicParity.difference).toBeNaN();
    expect(one.fourFifthsViolated).toBeNull();
    const s = Float64Array.from(d, (v, i) => v * 0.5 + (i % 7) / 20);
    const r = fairness(groups, y, d, {
      minGroupSize: 5,
      metrics: { auroc: (idx) => auroc(Array.from(idx, (i) => s[i]!), Array.from(idx, (i) => y[i]!)) },
    });
    expect(r.groups.every((g) => g.judged)).toBe(true);
    expect(r.metrics.auroc!.groups).toEqual(['f', 'm']); // x has no negatives: its AUROC is NaN
    expect(() => fairness(['a'], [1], [2])).toThrow(RangeError);
  });
});

describe('drift', () => {
  it('drops missing values and reports them; an empty side is not available', () => {
    const d = numericDrift('lactate', [1, 2, NaN, 3, Infinity], [1, 2, 3, NaN]);
    expect([d.referenceN, d.referenceMissing, d.currentN, d.currentMissing]).toEqual([3, 2, 3, 1]);
    const empty = numericDrift('lactate', [NaN], [1, 2]);
    expect(empty.drifted).toBeNull();
    expect(empty.test).toBeNull();
    expect(categoricalDrift('sex', [null, undefined], ['F']).drifted).toBeNull();
  });

  it("uses Evidently's default test by size and number of values", () => {
    const r = stream('test', 'drift-size');
    const small = Float64Array.from({ length: 500 }, () => normal(r));
    const large = Float64Array.from({ length: 5000 }, () => normal(r));
    expect(numericDrift('x', small, small).test).toBe('ks');
    expect(numericDrift('x', large, large).test).toBe('wasserstein');
    expect(numericDrift('x', [0, 1, 0, 1], [1, 1, 1, 0]).test).toBe('z');
    expect(numericDrift('x', [0, 1, 2, 0], [1, 2, 1, 0]).test).toBe('chisquare');
    expect(categoricalDrift('x', Array(1001).fill('a'), ['a', 'b']).test).toBe('jensenshannon');
    const shifted = numericDrift('x', large, large.map((v) => v + 0.5));
    expect(shifted.drifted).toBe(true);
    expect(shifted.wassersteinNormed).toBeGreaterThan(0.4);
    expect(numericDrift('x', large, large).drifted).toBe(false);
  });

  it('PSI is 0 for identical samples and grows with the shift', () => {
    const r = stream('test', 'psi');
    const a = Float64Array.from({ length: 1000 }, () => normal(r));
    expect(psi(a, a, 'numeric')).toBe(0);
    expect(psi(a, a.map((v) => v + 1), 'numeric')).toBeGreaterThan(psi(a, a.map((v) => v + 0.2), 'numeric'));
    expect(psi(['a', 'b'], ['a', 'b', 'b', 'b'], 'categorical')).toBeCloseTo((0.5 - 0.25) * Math.log(2) + (0.5 - 0.75) * Math.log(0.5 / 0.75), 15);
  });

  it('drift share over the features with a decision; dataset drift at 50%', () => {
    const r = stream('test', 'share');
    const a = Float64Array.from({ length: 300 }, () => normal(r));
    const features = [
      numericDrift('same', a, a),
      numericDrift('shifted', a, a.map((v) => v + 1)),
      numericDrift('empty', [], a),
    ];
    expect(driftShare(features)).toEqual({ features: 2, drifted: 1, notAvailable: 1, share: 0.5, datasetDrift: true });
    expect(driftShare([]).share).toBeNaN();
  });

  it('KS: small exact samples, ties, and rejected input', () => {
    expect(ks2Samp([1, 2, 3], [1, 2, 3])).toEqual({ statistic: 0, pValue: 1, method: 'exact' });
    expect(ks2Samp([1, 2], [3, 4]).statistic).toBe(1);
    expect(ks2Samp([1, 2], [3, 4]).pValue).toBeCloseTo(1 / 3, 15); // 2 of the C(4,2) = 6 orderings
    expect(() => ks2Samp([], [1])).toThrow(RangeError);
    expect(() => ks2Samp([NaN], [1])).toThrow(RangeError);
    expect([roundHalfEven(2.5), roundHalfEven(3.5), roundHalfEven(5000.5), roundHalfEven(4.4)]).toEqual([2, 4, 5000, 4]);
  });

  it('special functions agree with known values', () => {
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(chiSquareSf(3.841458820694124, 1)).toBeCloseTo(0.05, 14);
    expect(chiSquareSf(Infinity, 3)).toBe(0);
  });
});

describe('stochasticity', () => {
  it('counts cases whose decision changed between answered repeats', () => {
    const s = stochasticity([
      ['urgent', 'urgent', 'urgent'],
      ['urgent', 'emergent', 'urgent'],
      ['urgent', null, 'urgent'],
      ['urgent', null, undefined], // one answer: not counted
      [true, false],
    ]);
    expect(s).toEqual({ cases: 4, unstable: 2, rate: 0.5 });
    expect(stochasticity([[1], []]).rate).toBeNaN();
  });

  it('from the slot layout with NaN for unanswered repeats', () => {
    // 3 cases × 2 repeats; threshold 0.5.
    expect(scoreStochasticity([0.4, 0.6, 0.7, 0.9, NaN, 0.2], 2, 0.5)).toEqual({ cases: 2, unstable: 1, rate: 0.5 });
    expect(() => scoreStochasticity([0.1, 0.2, 0.3], 2, 0.5)).toThrow(RangeError);
  });
});

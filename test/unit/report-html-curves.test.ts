import { describe, expect, it } from 'vitest';
import { auroc } from '../../simulator/metrics/auroc.ts';
import { CurveCollector } from '../../simulator/metrics/curves.ts';
import { LATENCY_BIN_COUNT, latencyBinOf, LatencyBins } from '../../simulator/metrics/latency-bins.ts';
import { rocCurve, thinCurve, type RocPoint } from '../../simulator/metrics/roc-curve.ts';
import { record } from './journal-fixtures.ts';
import { lineage, manifest, rng } from './report-run-fixtures.ts';

/** Trapezoidal area under a curve's points. */
function area(points: readonly RocPoint[]): number {
  let a = 0;
  for (let i = 1; i < points.length; i++) a += ((points[i]!.fpr - points[i - 1]!.fpr) * (points[i]!.tpr + points[i - 1]!.tpr)) / 2;
  return a;
}

describe('rocCurve', () => {
  it('matches scikit-learn roc_curve (drop_intermediate=False) on its documented example', () => {
    // sklearn: y = [1, 1, 2, 2], scores = [0.1, 0.4, 0.35, 0.8] (pos_label 2)
    const curve = rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])!;
    expect(curve.map((p) => [p.fpr, p.tpr])).toEqual([[0, 0], [0, 0.5], [0.5, 0.5], [0.5, 1], [1, 1]]);
    expect(curve.map((p) => p.threshold)).toEqual([Number.POSITIVE_INFINITY, 0.8, 0.4, 0.35, 0.1]);
  });

  it('moves diagonally through tied scores, so its area is the AUROC with ties counted half', () => {
    const curve = rocCurve([0.5, 0.5, 0.5, 0.9], [0, 1, 0, 1])!;
    expect(curve.map((p) => [p.fpr, p.tpr])).toEqual([[0, 0], [0, 0.5], [1, 1]]);
    const next = rng(11);
    const scores = Array.from({ length: 500 }, () => Math.round(next() * 20) / 20);
    const labels = scores.map((s) => (next() < s ? 1 : 0));
    expect(area(rocCurve(scores, labels)!)).toBeCloseTo(auroc(scores, labels), 12);
  });

  it('is undefined without both classes', () => {
    expect(rocCurve([0.1, 0.2], [1, 1])).toBeNull();
    expect(rocCurve([0.1, 0.2], [0, 0])).toBeNull();
    expect(rocCurve([], [])).toBeNull();
  });
});

describe('thinCurve', () => {
  it('keeps the ends and at most about twice the budget of points, each step at least 1/budget from the last', () => {
    const next = rng(3);
    const scores = Array.from({ length: 5000 }, () => next());
    const labels = scores.map((s) => (next() < s ? 1 : 0));
    const full = rocCurve(scores, labels)!;
    const thin = thinCurve(full, 100);
    expect(full.length).toBeGreaterThan(4000);
    expect(thin.length).toBeLessThanOrEqual(201);
    expect(thin.length).toBeGreaterThan(50);
    expect(thin[0]).toEqual(full[0]);
    expect(thin[thin.length - 1]).toEqual(full[full.length - 1]);
    for (let i = 1; i < thin.length - 1; i++) {
      const step = Math.max(thin[i]!.fpr - thin[i - 1]!.fpr, thin[i]!.tpr - thin[i - 1]!.tpr);
      expect(step).toBeGreaterThanOrEqual(0.01);
    }
    // Dropping sub-pixel detail barely moves the area.
    expect(Math.abs(area(thin) - area(full))).toBeLessThan(0.01);
  });
});

describe('latency bins', () => {
  it('puts a value in the bin whose edges hold it: ten per decade from 0.01 ms', () => {
    expect(latencyBinOf(0)).toBe(0);
    expect(latencyBinOf(0.005)).toBe(0);
    expect(latencyBinOf(0.01)).toBe(0);
    expect(latencyBinOf(1)).toBe(20);
    expect(latencyBinOf(10)).toBe(30);
    expect(latencyBinOf(9.99)).toBe(29);
    expect(latencyBinOf(100)).toBe(40);
    expect(latencyBinOf(1e9)).toBe(LATENCY_BIN_COUNT - 1);
    expect(latencyBinOf(Number.NaN)).toBe(0);
  });

  it('reports the bins from the first to the last non-empty one, with their counts', () => {
    const bins = new LatencyBins();
    for (const ms of [1, 1.1, 10, 10, 10]) bins.add(ms);
    const out = bins.bins();
    expect(out[0]!.lowerMs).toBeCloseTo(1, 12);
    expect(out[out.length - 1]!.lowerMs).toBeCloseTo(10, 12);
    expect(out).toHaveLength(11);
    expect(out.reduce((n, b) => n + b.count, 0)).toBe(5);
    expect(out[out.length - 1]!.count).toBe(3);
    expect(new LatencyBins().bins()).toEqual([]);
  });
});

describe('CurveCollector', () => {
  it('builds per-arm curves from answered calls with a score and label only', () => {
    const scenario = lineage({ size: 4 });
    const collector = new CurveCollector(manifest(scenario));
    const labels = [0, 0, 1, 1] as const;
    const scores = [0.1, 0.4, 0.35, 0.8];
    for (let i = 0; i < 4; i++) collector.add(record({ case: i, truth: { label: labels[i] }, output: { score: scores[i]! }, latencyMs: 10 }));
    // Failed calls and calls without a score add nothing to the curves.
    collector.add(record({ arm: 'shifted', case: 0, outcome: 'timeout', output: null, latencyMs: 5000, truth: { label: 1 } }));
    collector.add(record({ arm: 'shifted', case: 1, output: { label: 1 }, truth: { label: 0 }, latencyMs: 3 }));
    const [result] = collector.result();
    const [baseline, shifted] = result!.arms;
    expect(baseline!.scored).toBe(4);
    expect(baseline!.roc!.map((p) => [p.fpr, p.tpr])).toEqual([[0, 0], [0, 0.5], [0.5, 0.5], [0.5, 1], [1, 1]]);
    expect(baseline!.calibration!.map((b) => b.count)).toEqual([1, 2, 1]);
    expect(baseline!.latency.reduce((n, b) => n + b.count, 0)).toBe(4);
    expect(shifted!.scored).toBe(0);
    expect(shifted!.roc).toBeNull();
    expect(shifted!.calibration).toBeNull();
    expect(shifted!.latency.reduce((n, b) => n + b.count, 0)).toBe(1);
  });
});

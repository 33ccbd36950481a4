// Checks the quality, calibration, multi-class, fairness and drift statistics against reference
// values computed by scikit-learn, scipy and numpy (scripts/fixtures/stats.py; the JSON is
// committed so CI needs no Python). Tolerance 1e-9 unless stated; every case also records the
// largest error seen, printed at the end for the docs.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { auroc } from '../../simulator/metrics/auroc.ts';
import { averagePrecision, weightedAveragePrecisionRanked, averagePrecisionRanked } from '../../simulator/metrics/average-precision.ts';
import { brier } from '../../simulator/metrics/brier.ts';
import { calibrationCurve, calibrationSlope, ece } from '../../simulator/metrics/calibration.ts';
import { classMetrics, triageErrors } from '../../simulator/metrics/classes.ts';
import {
  binnedShares,
  categoricalDrift,
  jensenShannonDistance,
  normedWasserstein,
  numericDrift,
  psi,
  wassersteinDistance,
} from '../../simulator/metrics/drift.ts';
import { fairness } from '../../simulator/metrics/fairness.ts';
import { kolmogorovSf, smirnovSf } from '../../simulator/metrics/kolmogorov.ts';
import { ks2Samp } from '../../simulator/metrics/ks.ts';
import { decisionCurve } from '../../simulator/metrics/net-benefit.ts';
import { rankCases } from '../../simulator/metrics/ranked.ts';

const Meta = z.object({ generator: z.string(), sklearn: z.string(), numpy: z.string(), scipy: z.string() });
const num = z.number();
const nullableNum = z.number().nullable();

const Quality = z.object({
  meta: Meta,
  cases: z.array(
    z.object({
      name: z.string(),
      scores: z.array(num),
      labels: z.array(z.union([z.literal(0), z.literal(1)])),
      averagePrecision: nullableNum,
      auroc: nullableNum,
      brier: num,
      calibration: z.object({ probTrue: z.array(num), probPred: z.array(num), counts: z.array(num) }),
      ece: num,
      recalibration: z
        .object({ intercept: num, slope: num, sklearnIntercept: num, sklearnSlope: num })
        .nullable(),
      netBenefit: z.array(z.object({ threshold: num, model: num, treatAll: num })),
    }),
  ),
});
const Classes = z.object({
  meta: Meta,
  cases: z.array(
    z.object({
      name: z.string(),
      classes: z.array(z.string()),
      truth: z.array(z.string()),
      predicted: z.array(z.string()),
      confusion: z.array(z.array(num)),
      recall: z.array(nullableNum),
      macroF1: num,
      macroF1Default: num,
      accuracy: num,
      underTriage: num,
      overTriage: num,
      underTriageByClass: z.record(z.string(), nullableNum),
    }),
  ),
});
const Fairness = z.object({
  meta: Meta,
  cases: z.array(
    z.object({
      name: z.string(),
      groups: z.array(z.string()),
      labels: z.array(num),
      decisions: z.array(num),
      perGroup: z.array(
        z.object({ group: z.string(), n: num, selectionRate: num, tpr: nullableNum, fpr: nullableNum, judged: z.boolean() }),
      ),
      demographicParityDifference: nullableNum,
      demographicParityRatio: nullableNum,
      tprDifference: nullableNum,
      fprDifference: nullableNum,
      equalizedOddsDifference: nullableNum,
      fourFifthsViolated: z.boolean().nullable(),
    }),
  ),
});
const Drift = z.object({
  meta: Meta,
  cases: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['numeric', 'categorical']),
      reference: z.array(z.union([num, z.string()])),
      current: z.array(z.union([num, z.string()])),
      psi: num,
      jensenShannon: num,
      jensenShannonBase2: num,
      ksStatistic: num.optional(),
      ksPValue: num.optional(),
      ksMethod: z.enum(['exact', 'asymp']).optional(),
      wasserstein: num.optional(),
      wassersteinNormed: num.optional(),
      binned: z.boolean().optional(),
      test: z.enum(['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon']),
      score: num,
      drifted: z.boolean(),
    }),
  ),
});
const Kolmogorov = z.object({
  meta: Meta,
  cases: z.array(z.object({ n: num, d: num, sf: nullableNum, smirnov: nullableNum })),
});

function load<T>(schema: z.ZodType<T>, file: string): T {
  return schema.parse(JSON.parse(readFileSync(new URL(`../fixtures/stats/${file}`, import.meta.url), 'utf8')));
}

/** Largest absolute error per figure, reported after the run. */
const maxError = new Map<string, number>();

function near(figure: string, actual: number, expected: number | null, tolerance = 1e-9): void {
  if (expected === null) {
    expect(actual, `${figure}: expected not available`).toBeNaN();
    return;
  }
  const error = Math.abs(actual - expected);
  maxError.set(figure, Math.max(maxError.get(figure) ?? 0, error));
  expect(error, `${figure}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

const quality = load(Quality, 'quality.json');
const classes = load(Classes, 'classes.json');
const fair = load(Fairness, 'fairness.json');
const drift = load(Drift, 'drift.json');
const kolmogorov = load(Kolmogorov, 'kolmogorov.json');

afterAll(() => {
  const rows = [...maxError].map(([k, v]) => `${k}: ${v.toExponential(2)}`);
  process.stdout.write(`stats fixtures, max abs error:\n  ${rows.join('\n  ')}\n`);
});

describe('quality and calibration vs scikit-learn', () => {
  it('has at least 20 varied cases', () => {
    expect(quality.cases.length).toBeGreaterThanOrEqual(20);
    expect(quality.cases.some((c) => c.averagePrecision === null)).toBe(true);
    expect(quality.cases.some((c) => c.recalibration === null)).toBe(true);
  });

  for (const c of quality.cases) {
    it(`${c.name}: AP, AUROC, Brier`, () => {
      near('averagePrecision', averagePrecision(c.scores, c.labels), c.averagePrecision);
      near('auroc', auroc(c.scores, c.labels), c.auroc);
      near('brier', brier(c.scores, c.labels), c.brier);
      const ranked = rankCases(c.scores, c.labels);
      const ones = new Float64Array(ranked.n).fill(1);
      expect(Object.is(weightedAveragePrecisionRanked(ranked, ones), averagePrecisionRanked(ranked))).toBe(true);
    });

    it(`${c.name}: calibration curve (uniform bins, sklearn edges) and ECE`, () => {
      const curve = calibrationCurve(c.scores, c.labels);
      expect(curve.map((b) => b.count)).toEqual(c.calibration.counts);
      const filled = curve.filter((b) => b.count > 0);
      filled.forEach((b, k) => {
        near('calibration.probTrue', b.observedRate, c.calibration.probTrue[k]!);
        near('calibration.probPred', b.meanScore, c.calibration.probPred[k]!);
      });
      near('ece', ece(c.scores, c.labels), c.ece);
    });

    it(`${c.name}: calibration intercept and slope (Newton; sklearn penalty=None to 1e-6)`, () => {
      const fit = calibrationSlope(c.scores, c.labels);
      near('recalibration.intercept', fit.intercept, c.recalibration?.intercept ?? null);
      near('recalibration.slope', fit.slope, c.recalibration?.slope ?? null);
      if (c.recalibration) {
        near('recalibration.vsSklearn', fit.intercept, c.recalibration.sklearnIntercept, 1e-6);
        near('recalibration.vsSklearn', fit.slope, c.recalibration.sklearnSlope, 1e-6);
      }
    });

    it(`${c.name}: net benefit`, () => {
      const curve = decisionCurve(c.scores, c.labels, c.netBenefit.map((p) => p.threshold));
      curve.forEach((p, k) => {
        near('netBenefit.model', p.model, c.netBenefit[k]!.model);
        near('netBenefit.treatAll', p.treatAll, c.netBenefit[k]!.treatAll);
      });
    });
  }
});

describe('multi-class vs scikit-learn', () => {
  it('has at least 20 cases', () => expect(classes.cases.length).toBeGreaterThanOrEqual(20));

  for (const c of classes.cases) {
    it(`${c.name}: confusion matrix, recall, macro-F1, accuracy, triage errors`, () => {
      const m = classMetrics(c.truth, c.predicted, c.classes);
      expect(m.confusion).toEqual(c.confusion);
      m.perClass.forEach((k, i) => near('classes.recall', k.recall, c.recall[i]!));
      expect(c.macroF1Default).toBeCloseTo(c.macroF1, 15);
      near('classes.macroF1', m.macroF1, c.macroF1);
      near('classes.accuracy', m.accuracy, c.accuracy);
      const t = triageErrors(c.truth, c.predicted, c.classes);
      near('classes.underTriage', t.underTriage, c.underTriage);
      near('classes.overTriage', t.overTriage, c.overTriage);
      for (const [k, v] of Object.entries(c.underTriageByClass)) near('classes.underTriageByClass', t.underTriageByClass[k]!, v);
    });
  }
});

describe('fairness (Fairlearn definitions, groups under 30 excluded)', () => {
  it('has at least 20 cases', () => expect(fair.cases.length).toBeGreaterThanOrEqual(20));

  for (const c of fair.cases) {
    it(`${c.name}`, () => {
      const r = fairness(c.groups, c.labels, c.decisions);
      expect(r.groups.map((g) => [g.group, g.n, g.judged])).toEqual(c.perGroup.map((g) => [g.group, g.n, g.judged]));
      r.groups.forEach((g, i) => {
        const e = c.perGroup[i]!;
        near('fairness.selectionRate', g.selectionRate, e.selectionRate);
        near('fairness.tpr', g.tpr, e.tpr);
        near('fairness.fpr', g.fpr, e.fpr);
      });
      near('fairness.dpDifference', r.demographicParity.difference, c.demographicParityDifference);
      near('fairness.dpRatio', r.demographicParity.ratio, c.demographicParityRatio);
      near('fairness.tprDifference', r.truePositiveRate.difference, c.tprDifference);
      near('fairness.fprDifference', r.falsePositiveRate.difference, c.fprDifference);
      near('fairness.equalizedOdds', r.equalizedOddsDifference, c.equalizedOddsDifference);
      expect(r.fourFifthsViolated).toBe(c.fourFifthsViolated);
    });
  }
});

describe('drift vs scipy and Evidently', () => {
  it('has at least 20 numeric and 10 categorical cases, exact and asymptotic KS', () => {
    expect(drift.cases.filter((c) => c.kind === 'numeric').length).toBeGreaterThanOrEqual(20);
    expect(drift.cases.filter((c) => c.kind === 'categorical').length).toBeGreaterThanOrEqual(10);
    expect(new Set(drift.cases.map((c) => c.ksMethod).filter(Boolean))).toEqual(new Set(['exact', 'asymp']));
    expect(new Set(drift.cases.map((c) => c.test))).toEqual(new Set(['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon']));
  });

  for (const c of drift.cases) {
    it(`${c.name}: PSI, JS, KS, Wasserstein and the default test's decision`, () => {
      if (c.kind === 'numeric') {
        const ref = c.reference as number[];
        const cur = c.current as number[];
        const ks = ks2Samp(ref, cur);
        near('ks.statistic', ks.statistic, c.ksStatistic!);
        near('ks.pValue', ks.pValue, c.ksPValue!);
        expect(ks.method).toBe(c.ksMethod);
        near('wasserstein', wassersteinDistance(ref, cur), c.wasserstein!);
        near('wassersteinNormed', normedWasserstein(ref, cur), c.wassersteinNormed!);
        expect(binnedShares(Float64Array.from(ref), Float64Array.from(cur), 'numeric').edges !== null).toBe(c.binned);
        near('psi', psi(ref, cur, 'numeric'), c.psi);
        const d = numericDrift(c.name, ref, cur);
        near('jensenShannon', d.jensenShannon, c.jensenShannon);
        near('jensenShannonBase2', numericDrift(c.name, ref, cur, { jsBase: 2 }).jensenShannon, c.jensenShannonBase2);
        expect(d.test).toBe(c.test);
        near(`score.${c.test}`, d.score, c.score);
        expect(d.drifted).toBe(c.drifted);
      } else {
        const ref = c.reference as string[];
        const cur = c.current as string[];
        near('psi', psi(ref, cur, 'categorical'), c.psi);
        const d = categoricalDrift(c.name, ref, cur);
        near('jensenShannon', d.jensenShannon, c.jensenShannon);
        near('jensenShannonBase2', categoricalDrift(c.name, ref, cur, { jsBase: 2 }).jensenShannon, c.jensenShannonBase2);
        expect(d.test).toBe(c.test);
        near(`score.${c.test}`, d.score, c.score);
        expect(d.drifted).toBe(c.drifted);
      }
    });
  }

  it('jensenShannonDistance agrees with the distance of identical and disjoint distributions', () => {
    expect(jensenShannonDistance([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(jensenShannonDistance([1, 0], [0, 1])).toBeCloseTo(Math.sqrt(Math.LN2), 15);
    expect(jensenShannonDistance([1, 0], [0, 1], 2)).toBeCloseTo(1, 15);
  });
});

describe('Kolmogorov distribution vs scipy.stats.kstwo.sf and scipy.special.smirnov', () => {
  it('covers every branch of scipy _kolmogn', () => expect(kolmogorov.cases.length).toBeGreaterThanOrEqual(100));

  for (const c of kolmogorov.cases) {
    it(`n=${c.n} d=${c.d}`, () => {
      near('kstwo.sf', kolmogorovSf(c.n, c.d), c.sf);
      near('smirnov', smirnovSf(c.n, c.d), c.smirnov);
    });
  }
});

import { describe, expect, it } from 'vitest';
import { aurocRanked } from '../../simulator/metrics/auroc.ts';
import {
  aurocCi,
  aurocDifferenceCi,
  bootstrapCi,
  pairedBootstrapCi,
  type Estimate,
} from '../../simulator/metrics/bootstrap.ts';
import { rankCases, type RankedCases } from '../../simulator/metrics/ranked.ts';
import { normal, stream } from '../../simulator/random.ts';

/** Binormal sample: negatives N(0, 1), positives N(d, 1); true AUROC = Phi(d / sqrt 2). */
function binormal(n: number, d: number, seed: number): { scores: number[]; labels: number[] } {
  const rng = stream('test', 'binormal', n, seed);
  const labels = Array.from({ length: n }, () => (rng() < 0.3 ? 1 : 0));
  const scores = labels.map((y) => normal(rng, d * y));
  return { scores, labels };
}

function ranked(n: number, d: number, seed: number): RankedCases {
  const { scores, labels } = binormal(n, d, seed);
  return rankCases(scores, labels);
}

function width(e: Estimate): number {
  if (e.ci === null) throw new Error('no interval');
  return e.ci[1] - e.ci[0];
}

describe('aurocCi', () => {
  it('is deterministic for a seed and key, and changes with either', () => {
    const r = ranked(300, 1, 1);
    const a = aurocCi(r, { seed: 42, key: ['baseline'], resamples: 200 });
    expect(aurocCi(r, { seed: 42, key: ['baseline'], resamples: 200 })).toEqual(a);
    expect(aurocCi(r, { seed: 43, key: ['baseline'], resamples: 200 }).ci).not.toEqual(a.ci);
    expect(aurocCi(r, { seed: 42, key: ['other'], resamples: 200 }).ci).not.toEqual(a.ci);
  });

  it('reports the plain AUROC as the value and an interval around it that narrows with n', () => {
    const small = aurocCi(ranked(200, 1, 2), { seed: 1 });
    const large = aurocCi(ranked(2000, 1, 2), { seed: 1 });
    for (const [e, r] of [[small, ranked(200, 1, 2)], [large, ranked(2000, 1, 2)]] as const) {
      expect(e.value).toBe(aurocRanked(r));
      expect(e.ci![0]).toBeLessThanOrEqual(e.value);
      expect(e.ci![1]).toBeGreaterThanOrEqual(e.value);
    }
    // Width shrinks like 1/sqrt(n): about 3.2 times narrower for 10 times the cases.
    expect(width(large)).toBeLessThan(width(small) / 2);
  });

  it('covers the true AUROC in most of 40 simulated studies', () => {
    const truth = 0.7602499389065233; // Phi(1 / sqrt 2)
    let covered = 0;
    for (let s = 0; s < 40; s++) {
      const { ci } = aurocCi(ranked(200, 1, 100 + s), { seed: s, resamples: 300 });
      if (ci !== null && ci[0] <= truth && truth <= ci[1]) covered++;
    }
    expect(covered / 40).toBeGreaterThanOrEqual(0.85);
  });

  it('gives a null interval when only one class is present', () => {
    const r = rankCases([0.1, 0.5, 0.9], [0, 0, 0]);
    const e = aurocCi(r, { seed: 1 });
    expect(e.value).toBeNaN();
    expect(e.ci).toBeNull();
  });

  it('keeps an interval with a single positive by leaving out one-class resamples', () => {
    const scores = Array.from({ length: 50 }, (_, i) => i / 50);
    const labels = scores.map((_, i) => (i === 40 ? 1 : 0));
    const e = aurocCi(rankCases(scores, labels), { seed: 3 });
    expect(e.value).toBeCloseTo(40 / 49, 15);
    expect(e.ci).not.toBeNull();
  });

  it('rejects invalid options', () => {
    const r = ranked(20, 1, 1);
    expect(() => aurocCi(r, { seed: 1, resamples: 0 })).toThrow(RangeError);
    expect(() => aurocCi(r, { seed: 1, alpha: 1 })).toThrow(RangeError);
  });
});

describe('bootstrapCi (generic weighted metric)', () => {
  it('gives the usual interval for a mean', () => {
    const rng = stream('test', 'uniform');
    const x = Float64Array.from({ length: 1000 }, () => rng());
    const mean = (w: Float64Array): number => {
      let s = 0;
      let t = 0;
      for (let i = 0; i < x.length; i++) {
        s += w[i]! * x[i]!;
        t += w[i]!;
      }
      return s / t;
    };
    const e = bootstrapCi(x.length, mean, { seed: 9 });
    // Normal-theory width: 2 * 1.96 * sd / sqrt(n), sd of U(0,1) = 0.2887.
    expect(width(e)).toBeGreaterThan(0.8 * 0.0358);
    expect(width(e)).toBeLessThan(1.2 * 0.0358);
    expect(bootstrapCi(0, mean, { seed: 9 })).toEqual({ value: NaN, ci: null });
  });
});

describe('paired bootstrap', () => {
  it('applies the same case counts to both arms', () => {
    const m = (w: Float64Array): number => w[0]! + w[1]!;
    expect(pairedBootstrapCi(2, (w) => m(w) + 0.25, m, { seed: 5 })).toEqual({ value: 0.25, ci: [0.25, 0.25] });
  });

  it('is exactly 0 for identical arms and narrower than an unpaired interval for correlated arms', () => {
    const { scores, labels } = binormal(1000, 1, 7);
    const rng = stream('test', 'arm-noise');
    const a = rankCases(scores, labels);
    const b = rankCases(scores.map((s) => s + normal(rng, 0, 0.3)), labels);
    expect(aurocDifferenceCi(a, a, { seed: 1 })).toEqual({ value: 0, ci: [0, 0] });
    const diff = aurocDifferenceCi(a, b, { seed: 1 });
    expect(diff.value).toBe(aurocRanked(a) - aurocRanked(b));
    expect(diff.ci![0]).toBeLessThanOrEqual(diff.value);
    expect(diff.ci![1]).toBeGreaterThanOrEqual(diff.value);
    expect(width(diff)).toBeLessThan(width(aurocCi(a, { seed: 1 })) / 2);
    expect(() => aurocDifferenceCi(a, ranked(10, 1, 1), { seed: 1 })).toThrow(RangeError);
  });
});

import { wilcoxonRankSum } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { auroc, aurocRanked, weightedAurocRanked } from '../../simulator/metrics/auroc.ts';
import { rankCases } from '../../simulator/metrics/ranked.ts';
import { stream } from '../../simulator/random.ts';

/** A scored sample with heavy ties (scores rounded to one decimal), from a seeded stream. */
function sample(n: number, seed: number): { scores: number[]; labels: number[] } {
  const rng = stream('test', 'auroc', seed);
  const labels = Array.from({ length: n }, () => (rng() < 0.3 ? 1 : 0));
  const scores = labels.map((y) => Math.round((0.3 * y + 0.7 * rng()) * 10) / 10);
  return { scores, labels };
}

describe('auroc: closed forms', () => {
  it('is 1 for perfect separation and 0 when reversed', () => {
    expect(auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auroc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it('is 0.5 when every score is tied', () => {
    expect(auroc([0.3, 0.3, 0.3, 0.3, 0.3], [1, 0, 0, 1, 0])).toBe(0.5);
  });

  it('counts ties half: known small example', () => {
    // Positives 0.4, 0.8, 0.8; negatives 0.1, 0.4, 0.6: U = (1 + 0.5 + 0) + 3 + 3 = 7.5 of 9 pairs.
    expect(auroc([0.1, 0.4, 0.4, 0.6, 0.8, 0.8], [0, 0, 1, 0, 1, 1])).toBe(7.5 / 9);
  });

  it('is NaN with one class only or no cases', () => {
    expect(auroc([0.1, 0.9], [1, 1])).toBeNaN();
    expect(auroc([0.1, 0.9], [0, 0])).toBeNaN();
    expect(auroc([], [])).toBeNaN();
  });

  it('ranks infinities and treats -0 and +0 as tied', () => {
    expect(auroc([-Infinity, Infinity, 0.5], [0, 1, 1])).toBe(1);
    expect(auroc([-0, 0], [1, 0])).toBe(0.5);
  });

  it('rejects NaN scores, non-binary labels and mismatched lengths', () => {
    expect(() => auroc([0.1, NaN], [0, 1])).toThrow(RangeError);
    expect(() => auroc([0.1, 0.2], [0, 2])).toThrow(RangeError);
    expect(() => auroc([0.1, 0.2], [0])).toThrow(RangeError);
  });

  it('matches the Mann–Whitney U from simple-statistics’ rank sum', () => {
    const { scores, labels } = sample(500, 1);
    const pos = scores.filter((_, i) => labels[i] === 1);
    const neg = scores.filter((_, i) => labels[i] === 0);
    const u = wilcoxonRankSum(pos, neg) - (pos.length * (pos.length + 1)) / 2;
    expect(auroc(scores, labels)).toBeCloseTo(u / (pos.length * neg.length), 14);
  });
});

describe('rankCases', () => {
  it('sorts ascending, ties by case index, and marks tie groups', () => {
    const r = rankCases([0.5, 0.1, 0.5, 0.9], [1, 0, 0, 1]);
    expect(Array.from(r.order)).toEqual([1, 0, 2, 3]);
    expect(Array.from(r.sortedLabels)).toEqual([0, 1, 0, 1]);
    expect(Array.from(r.groupEnds)).toEqual([1, 3, 4]);
    expect(r.positives).toBe(2);
  });
});

describe('weighted AUROC', () => {
  it('with all weights 1 equals the plain AUROC exactly', () => {
    for (let seed = 0; seed < 20; seed++) {
      const { scores, labels } = sample(50 + 97 * seed, seed);
      const ranked = rankCases(scores, labels);
      expect(weightedAurocRanked(ranked, new Float64Array(ranked.n).fill(1))).toBe(aurocRanked(ranked));
    }
  });

  it('with integer counts equals the AUROC of the sample with cases repeated', () => {
    const { scores, labels } = sample(300, 7);
    const rng = stream('test', 'counts');
    const counts = scores.map(() => Math.floor(rng() * 4)); // 0..3, zero drops the case
    const expanded = { scores: [] as number[], labels: [] as number[] };
    counts.forEach((c, i) => {
      for (let k = 0; k < c; k++) {
        expanded.scores.push(scores[i]!);
        expanded.labels.push(labels[i]!);
      }
    });
    expect(weightedAurocRanked(rankCases(scores, labels), counts)).toBe(auroc(expanded.scores, expanded.labels));
  });

  it('is NaN when the weights leave one class empty, and checks the weight length', () => {
    const ranked = rankCases([0.1, 0.2, 0.3], [0, 1, 1]);
    expect(weightedAurocRanked(ranked, [0, 1, 1])).toBeNaN();
    expect(() => weightedAurocRanked(ranked, [1, 1])).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { weightedAurocRanked } from '../../simulator/metrics/auroc.ts';
import { bootstrapCi, bootstrapMany } from '../../simulator/metrics/bootstrap.ts';
import { rankCases } from '../../simulator/metrics/ranked.ts';
import { IndexSource } from '../../simulator/metrics/resample.ts';
import { normal, stream } from '../../simulator/random.ts';

describe('IndexSource (sfc32 seeded from the named stream)', () => {
  it('is determined by the seed stream and differs between streams', () => {
    const draw = (key: string): number[] => {
      const s = new IndexSource(stream('bootstrap', 1, key));
      return Array.from({ length: 8 }, () => s.next32());
    };
    expect(draw('a')).toEqual(draw('a'));
    expect(draw('a')).not.toEqual(draw('b'));
    for (const x of draw('a')) expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
  });

  it('fillCounts gives multinomial counts: total n, mean 1, variance 1 − 1/n', () => {
    const n = 1000;
    const counts = new Float64Array(n);
    const source = new IndexSource(stream('test', 'multinomial'));
    let sumVar = 0;
    const resamples = 400;
    const perCase = new Float64Array(n);
    for (let b = 0; b < resamples; b++) {
      source.fillCounts(counts);
      let total = 0;
      let ss = 0;
      for (let i = 0; i < n; i++) {
        total += counts[i]!;
        ss += (counts[i]! - 1) ** 2;
        perCase[i]! += counts[i]!;
      }
      expect(total).toBe(n);
      sumVar += ss / n;
    }
    expect(sumVar / resamples).toBeGreaterThan(0.97 * (1 - 1 / n));
    expect(sumVar / resamples).toBeLessThan(1.03 * (1 - 1 / n));
    // Every case is drawn about equally often: mean count per case 1 ± 5 standard errors.
    const se = Math.sqrt(1 / resamples);
    for (let i = 0; i < n; i++) expect(Math.abs(perCase[i]! / resamples - 1)).toBeLessThan(5 * se + 0.01);
  });

  it('is uniform over indices for an n that does not divide 2^32 (no modulo bias)', () => {
    const n = 3;
    const counts = new Float64Array(n);
    const totals = [0, 0, 0];
    const source = new IndexSource(stream('test', 'three'));
    for (let b = 0; b < 30000; b++) {
      source.fillCounts(counts);
      for (let i = 0; i < n; i++) totals[i]! += counts[i]!;
    }
    for (const t of totals) expect(Math.abs(t / 90000 - 1 / 3)).toBeLessThan(0.006);
  });

  it('handles n = 0 and n = 1', () => {
    const source = new IndexSource(stream('test', 'tiny'));
    const none = new Float64Array(0);
    source.fillCounts(none);
    const one = new Float64Array(1);
    source.fillCounts(one);
    expect([...one]).toEqual([1]);
  });
});

describe('bootstrapMany (one draw per resample for several metrics)', () => {
  const rng = stream('test', 'many');
  const n = 400;
  const labels = Uint8Array.from({ length: n }, () => (rng() < 0.3 ? 1 : 0));
  const scores = Float64Array.from(labels, (y) => normal(rng, y));
  const ranked = rankCases(scores, labels);
  const auroc = (w: Float64Array): number => weightedAurocRanked(ranked, w);
  const mean = (w: Float64Array): number => {
    let s = 0;
    let t = 0;
    for (let i = 0; i < n; i++) {
      s += w[i]! * scores[i]!;
      t += w[i]!;
    }
    return s / t;
  };

  it('equals bootstrapCi for a single metric with the same options', () => {
    const options = { seed: 7, key: ['arm', 'auroc'], resamples: 300 };
    expect(bootstrapMany(n, { auroc }, options).auroc).toEqual(bootstrapCi(n, auroc, options));
  });

  it('gives each metric its own interval from the same resamples, deterministically', () => {
    const options = { seed: 7, key: ['arm'], resamples: 300 };
    const a = bootstrapMany(n, { auroc, mean }, options);
    expect(bootstrapMany(n, { auroc, mean }, options)).toEqual(a);
    expect(a.auroc.ci![0]).toBeLessThan(a.auroc.value);
    expect(a.mean.ci![1]).toBeGreaterThan(a.mean.value);
  });

  it('keeps an undefined metric null without disturbing the others', () => {
    const r = bootstrapMany(n, { auroc, never: () => NaN }, { seed: 1, resamples: 50 });
    expect(r.never).toEqual({ value: NaN, ci: null });
    expect(r.auroc.ci).not.toBeNull();
    expect(() => bootstrapMany(n, { auroc }, { seed: 1, resamples: 0 })).toThrow(RangeError);
  });
});

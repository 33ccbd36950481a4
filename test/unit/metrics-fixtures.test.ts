// Checks simulator/metrics against reference values computed by scikit-learn and numpy
// (scripts/fixtures/metrics.py; the JSON is committed so CI needs no Python).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { auroc, aurocRanked, weightedAurocRanked } from '../../simulator/metrics/auroc.ts';
import { brier } from '../../simulator/metrics/brier.ts';
import { confusionAt } from '../../simulator/metrics/confusion.ts';
import { latencySummary, percentiles } from '../../simulator/metrics/percentile.ts';
import { rankCases } from '../../simulator/metrics/ranked.ts';

const Meta = z.object({ generator: z.string(), sklearn: z.string(), numpy: z.string() });
const BinaryFixture = z.object({
  meta: Meta,
  cases: z.array(
    z.object({
      name: z.string(),
      scores: z.array(z.number()),
      labels: z.array(z.union([z.literal(0), z.literal(1)])),
      auroc: z.number().nullable(),
      brier: z.number(),
      confusion: z.array(
        z.object({ threshold: z.number(), tp: z.number(), fp: z.number(), tn: z.number(), fn: z.number() }),
      ),
    }),
  ),
});
const PercentileFixture = z.object({
  meta: Meta,
  cases: z.array(
    z.object({
      name: z.string(),
      values: z.array(z.number()),
      percentiles: z.array(z.number()),
      expected: z.array(z.number()),
      max: z.number(),
    }),
  ),
});

function load<T>(schema: z.ZodType<T>, file: string): T {
  return schema.parse(JSON.parse(readFileSync(new URL(`../fixtures/metrics/${file}`, import.meta.url), 'utf8')));
}

function expectNear(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

const binary = load(BinaryFixture, 'binary.json');
const percentile = load(PercentileFixture, 'percentile.json');

describe('binary metrics vs scikit-learn', () => {
  it('has enough varied cases', () => {
    expect(binary.cases.length).toBeGreaterThanOrEqual(20);
    expect(binary.cases.some((c) => c.auroc === null)).toBe(true);
    expect(Math.max(...binary.cases.map((c) => c.scores.length))).toBeGreaterThanOrEqual(2000);
  });

  for (const c of binary.cases) {
    it(`${c.name}: AUROC (roc_auc_score) to 1e-12, null when one class`, () => {
      const value = auroc(c.scores, c.labels);
      if (c.auroc === null) expect(value).toBeNaN();
      else expectNear(value, c.auroc, 1e-12);
      // Typed-array input gives the identical number.
      expect(auroc(Float64Array.from(c.scores), Uint8Array.from(c.labels))).toBe(value);
    });

    it(`${c.name}: weighted AUROC with unit weights equals the plain AUROC exactly`, () => {
      const ranked = rankCases(c.scores, c.labels);
      const ones = new Float64Array(ranked.n).fill(1);
      expect(Object.is(weightedAurocRanked(ranked, ones), aurocRanked(ranked))).toBe(true);
    });

    it(`${c.name}: Brier (brier_score_loss) to 1e-12`, () => {
      expectNear(brier(c.scores, c.labels), c.brier, 1e-12);
    });

    it(`${c.name}: confusion counts (confusion_matrix of score >= t)`, () => {
      for (const e of c.confusion) {
        const m = confusionAt(c.scores, c.labels, e.threshold);
        expect({ tp: m.tp, fp: m.fp, tn: m.tn, fn: m.fn }).toEqual({ tp: e.tp, fp: e.fp, tn: e.tn, fn: e.fn });
      }
    });
  }
});

describe('percentiles vs numpy.percentile', () => {
  it('has enough cases', () => {
    expect(percentile.cases.length).toBeGreaterThanOrEqual(20);
  });

  for (const c of percentile.cases) {
    it(`${c.name}: percentiles to 1e-9 and max`, () => {
      const actual = percentiles(c.values, c.percentiles);
      c.expected.forEach((e, i) => expectNear(actual[i]!, e, 1e-9));
      const summary = latencySummary(c.values);
      expect(summary.max).toBe(c.max);
      for (const [key, p] of [['p50', 50], ['p90', 90], ['p95', 95], ['p99', 99]] as const) {
        expectNear(summary[key], c.expected[c.percentiles.indexOf(p)]!, 1e-9);
      }
    });
  }
});

import { aurocRanked, weightedAurocRanked } from '../simulator/metrics/auroc.ts';
import { bootstrapMany, type WeightedMetric } from '../simulator/metrics/bootstrap.ts';
import { brier } from '../simulator/metrics/brier.ts';
import { calibrationBins, ece, weightedEceBinned } from '../simulator/metrics/calibration.ts';
import { confusionAt } from '../simulator/metrics/confusion.ts';
import { rankCases } from '../simulator/metrics/ranked.ts';
import { IndexSource } from '../simulator/metrics/resample.ts';
import { weightedBrier, weightedSensitivity, weightedSpecificity } from '../simulator/metrics/weighted.ts';
import { normal, stream } from '../simulator/random.ts';

/**
 * Cost of the bootstrap against one full metric pass, on `cases` synthetic sepsis-like cases
 * (7% prevalence, logistic scores). The full pass computes AUROC, Brier, sensitivity, specificity
 * and ECE from unsorted input, the sort included. A resample draws the case counts once
 * (bootstrapMany) and evaluates the same five metrics as weighted O(n) passes over structures
 * prepared once (the sorted order, the calibration bins). `ratio` = time per resample / time of
 * the full pass: near or below 1 means resampling is O(n) with no hidden sort or copy. The
 * per-part figures show where a resample's time goes; `drawAleaMs` is what the draws cost with
 * the seedrandom Alea stream the resampler used before. Times are medians of `repeats` timings.
 */

export interface StatisticsBenchOptions {
  cases: number;
  resamples: number;
  repeats: number;
  seed: number;
}

const DEFAULTS: StatisticsBenchOptions = { cases: 100_000, resamples: 1000, repeats: 5, seed: 20261124 };
const THRESHOLD = 0.1;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Median time of `repeats` calls of `f`, after one warm-up call. */
function time(repeats: number, f: () => number): number {
  let sink = f();
  const ms: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    sink += f();
    ms.push(performance.now() - t0);
  }
  if (Number.isNaN(sink)) process.stderr.write(''); // keeps the results observable
  return median(ms);
}

export async function statisticsBench(options: Partial<StatisticsBenchOptions> = {}) {
  const { cases: n, resamples, repeats, seed } = { ...DEFAULTS, ...options };
  const rng = stream('bench', 'statistics', seed);
  const labels = new Uint8Array(n);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rng() < 0.07 ? 1 : 0;
    scores[i] = 1 / (1 + Math.exp(-(normal(rng, 1.3 * labels[i]!) - 2.8)));
  }

  const fullPassMs = time(repeats, () => {
    const confusion = confusionAt(scores, labels, THRESHOLD);
    return aurocRanked(rankCases(scores, labels)) + brier(scores, labels) + confusion.sensitivity + confusion.specificity + ece(scores, labels);
  });

  const ranked = rankCases(scores, labels);
  const bins = calibrationBins(scores);
  const metrics: Record<'auroc' | 'brier' | 'sensitivity' | 'specificity' | 'ece', WeightedMetric> = {
    auroc: (w) => weightedAurocRanked(ranked, w),
    brier: (w) => weightedBrier(scores, labels, w),
    sensitivity: (w) => weightedSensitivity(scores, labels, w, THRESHOLD),
    specificity: (w) => weightedSpecificity(scores, labels, w, THRESHOLD),
    ece: (w) => weightedEceBinned(bins, scores, labels, w),
  };

  const t0 = performance.now();
  const intervals = bootstrapMany(n, metrics, { seed, key: ['bench'], resamples });
  const resampleMs = (performance.now() - t0) / resamples;

  // Where a resample's time goes.
  const counts = new Float64Array(n);
  const source = new IndexSource(stream('bootstrap', seed, 'bench-parts'));
  const drawMs = time(repeats * 4, () => {
    source.fillCounts(counts);
    return counts[0]!;
  });
  const alea = stream('bootstrap', seed, 'bench-alea');
  const drawAleaMs = time(repeats, () => {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(alea() * n)]!++;
    return counts[0]!;
  });
  source.fillCounts(counts);
  const passMs = Object.fromEntries(
    Object.entries(metrics).map(([name, metric]) => [name, round(time(repeats * 4, () => metric(counts)))]),
  );

  return {
    cases: n,
    resamples,
    fullPassMs: round(fullPassMs),
    resampleMs: round(resampleMs),
    ratio: Math.round((resampleMs / fullPassMs) * 1000) / 1000,
    parts: { drawMs: round(drawMs), drawAleaMs: round(drawAleaMs), weightedPassMs: passMs },
    intervals: Object.fromEntries(Object.entries(intervals).map(([k, e]) => [k, e.ci])),
  };
}

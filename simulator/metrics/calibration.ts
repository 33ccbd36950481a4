/**
 * Calibration: does a predicted risk of 0.2 mean that about 20% of such patients have the event?
 *
 * - The calibration curve and the expected calibration error (ECE) use 10 equal-width bins on
 *   [0, 1] with scikit-learn's `calibration_curve(strategy='uniform')` edges: the inner edges are
 *   numpy's `linspace(0, 1, 11)[1:-1]` (k · 0.1 as doubles, so the third edge is
 *   0.30000000000000004) and a score goes to bin k = number of inner edges strictly below it
 *   (`np.searchsorted(edges, score, side='left')`). Bin k is therefore (e_k, e_k+1], the first bin
 *   is [0, 0.1] and a score exactly on an edge belongs to the bin below it.
 * - ECE = Σ_b (n_b / n) · |mean score_b − observed rate_b| (Naeini et al. 2015; Guo et al. 2017),
 *   the bin-size-weighted gap of the same curve.
 * - Calibration slope and intercept (Cox 1958; Van Calster et al. 2016, "weak calibration"): the
 *   maximum-likelihood fit of logit P(y = 1) = intercept + slope · logit(score), scores clipped to
 *   [1e-15, 1 − 1e-15] (scikit-learn's log-loss clip). A slope below 1 means predictions are too
 *   extreme (overfitting), above 1 too modest. The fixtures compare it with scikit-learn's
 *   `LogisticRegression(penalty=None)`.
 *
 * Scores must lie in [0, 1] (scikit-learn raises on anything else; here it is a RangeError).
 */
import { checkBinaryInput, type Labels, type Scores, type Weights } from './ranked.ts';

export const CALIBRATION_BINS = 10;

export interface CalibrationBin {
  /** Lower edge (exclusive, except 0 for the first bin). */
  readonly lower: number;
  /** Upper edge (inclusive). */
  readonly upper: number;
  readonly count: number;
  /** Mean predicted score in the bin (sklearn's `prob_pred`); NaN for an empty bin. */
  readonly meanScore: number;
  /** Share of positives in the bin (sklearn's `prob_true`); NaN for an empty bin. */
  readonly observedRate: number;
}

/** numpy.linspace(0, 1, nBins + 1): k · (1 / nBins), with the last edge exactly 1. */
export function calibrationEdges(nBins = CALIBRATION_BINS): Float64Array {
  if (!Number.isInteger(nBins) || nBins < 1 || nBins > 255) throw new RangeError(`bin count ${nBins} must be an integer in 1..255`);
  const step = 1 / nBins;
  const edges = new Float64Array(nBins + 1);
  for (let k = 0; k < nBins; k++) edges[k] = k * step;
  edges[nBins] = 1;
  return edges;
}

/**
 * The bin of every score (searchsorted over the inner edges), computed once so that each
 * bootstrap resample of the ECE is one O(n) pass without comparisons against edges.
 */
export function calibrationBins(scores: Scores, nBins = CALIBRATION_BINS): Uint8Array {
  const edges = calibrationEdges(nBins);
  const bins = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (!(s >= 0 && s <= 1)) throw new RangeError(`score ${i} is ${s}, outside [0, 1]`);
    // Start from the arithmetic guess and correct it against the actual edges (ties go down).
    let k = Math.min(nBins - 1, Math.floor(s * nBins));
    while (k > 0 && !(edges[k]! < s)) k--;
    while (k < nBins - 1 && edges[k + 1]! < s) k++;
    bins[i] = k;
  }
  return bins;
}

/** The reliability diagram's points: every bin, empty ones with NaN mean and rate. */
export function calibrationCurve(scores: Scores, labels: Labels, nBins = CALIBRATION_BINS): CalibrationBin[] {
  checkBinaryInput(scores, labels);
  const bins = calibrationBins(scores, nBins);
  const edges = calibrationEdges(nBins);
  const count = new Float64Array(nBins);
  const sum = new Float64Array(nBins);
  const pos = new Float64Array(nBins);
  for (let i = 0; i < scores.length; i++) {
    const b = bins[i]!;
    count[b]!++;
    sum[b]! += scores[i]!;
    pos[b]! += labels[i]!;
  }
  return Array.from({ length: nBins }, (_, b) => ({
    lower: edges[b]!,
    upper: edges[b + 1]!,
    count: count[b]!,
    meanScore: count[b] === 0 ? NaN : sum[b]! / count[b]!,
    observedRate: count[b] === 0 ? NaN : pos[b]! / count[b]!,
  }));
}

/** Expected calibration error over `nBins` equal-width bins. Empty sample: NaN. */
export function ece(scores: Scores, labels: Labels, nBins = CALIBRATION_BINS): number {
  checkBinaryInput(scores, labels);
  return weightedEceBinned(calibrationBins(scores, nBins), scores, labels, undefined, nBins);
}

/**
 * ECE with case weights (bootstrap counts) given the precomputed bins: Σ_b |S_b − Y_b| / W with
 * S_b and Y_b the weighted sums of scores and labels in bin b, which is Σ_b (W_b / W) · |mean_b −
 * rate_b| without a division per bin. Weights omitted: all 1. Zero total weight: NaN.
 */
export function weightedEceBinned(
  bins: Uint8Array,
  scores: Scores,
  labels: Labels,
  w: Weights | undefined,
  nBins = CALIBRATION_BINS,
): number {
  const gap = new Float64Array(nBins);
  let total = 0;
  if (w === undefined) {
    for (let i = 0; i < bins.length; i++) gap[bins[i]!]! += scores[i]! - labels[i]!;
    total = bins.length;
  } else {
    for (let i = 0; i < bins.length; i++) {
      const wi = w[i]!;
      gap[bins[i]!]! += wi * (scores[i]! - labels[i]!);
      total += wi;
    }
  }
  if (total === 0) return NaN;
  let sum = 0;
  for (let b = 0; b < nBins; b++) sum += Math.abs(gap[b]!);
  return sum / total;
}

export interface LogisticRecalibration {
  /** Intercept a of logit P(y = 1) = a + b · logit(score); NaN when the fit does not exist. */
  readonly intercept: number;
  /** Slope b; 1 for a perfectly calibrated model; NaN when the fit does not exist. */
  readonly slope: number;
  /** Newton iterations taken (0 when the fit was not attempted). */
  readonly iterations: number;
}

const CLIP = 1e-15;
const MAX_ITERATIONS = 100;

/** logit(clip(score)), the predictor of the recalibration model. */
export function clippedLogit(score: number): number {
  const p = score < CLIP ? CLIP : score > 1 - CLIP ? 1 - CLIP : score;
  return Math.log(p / (1 - p));
}

/**
 * Calibration intercept and slope by maximum likelihood (Newton–Raphson with step halving, from
 * (0, 0); it converges in a handful of steps because the log-likelihood is concave).
 *
 * The maximum-likelihood fit exists only when the two classes overlap on logit(score): with one
 * class only, with complete or quasi-complete separation (every positive at or above every
 * negative, or the reverse) or with a constant score, the likelihood keeps increasing as the slope
 * grows, and software reports whatever the optimiser stopped at. Here those cases are NaN (not
 * available) instead. Weights (bootstrap counts) multiply each case's log-likelihood term; cases
 * of weight 0 are ignored, also in the overlap check.
 */
export function calibrationSlope(scores: Scores, labels: Labels, w?: Weights): LogisticRecalibration {
  checkBinaryInput(scores, labels);
  const n = scores.length;
  const x = new Float64Array(n);
  let minPos = Infinity;
  let maxPos = -Infinity;
  let minNeg = Infinity;
  let maxNeg = -Infinity;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (!(s >= 0 && s <= 1)) throw new RangeError(`score ${i} is ${s}, outside [0, 1]`);
    x[i] = clippedLogit(s);
    if (w !== undefined && w[i] === 0) continue;
    if (labels[i] === 1) {
      if (x[i]! < minPos) minPos = x[i]!;
      if (x[i]! > maxPos) maxPos = x[i]!;
    } else {
      if (x[i]! < minNeg) minNeg = x[i]!;
      if (x[i]! > maxNeg) maxNeg = x[i]!;
    }
  }
  // Overlap (the MLE exists) iff some negative lies strictly above some positive and vice versa.
  if (!(maxNeg > minPos && maxPos > minNeg)) return { intercept: NaN, slope: NaN, iterations: 0 };

  let a = 0;
  let b = 0;
  let ll = logLikelihood(x, labels, w, a, b);
  for (let it = 1; it <= MAX_ITERATIONS; it++) {
    // Gradient g and negative Hessian H of the log-likelihood at (a, b).
    let g0 = 0;
    let g1 = 0;
    let h00 = 0;
    let h01 = 0;
    let h11 = 0;
    for (let i = 0; i < n; i++) {
      const wi = w === undefined ? 1 : w[i]!;
      if (wi === 0) continue;
      const xi = x[i]!;
      const p = sigmoid(a + b * xi);
      const r = wi * (labels[i]! - p);
      const v = wi * p * (1 - p);
      g0 += r;
      g1 += r * xi;
      h00 += v;
      h01 += v * xi;
      h11 += v * xi * xi;
    }
    const det = h00 * h11 - h01 * h01;
    if (!(det > 0)) return { intercept: NaN, slope: NaN, iterations: it };
    const da = (h11 * g0 - h01 * g1) / det;
    const db = (h00 * g1 - h01 * g0) / det;
    // Step halving guards the first steps from far away; near the optimum the full Newton step is
    // taken even when rounding makes the log-likelihood look a hair lower.
    const slack = 1e-12 * (1 + Math.abs(ll));
    let step = 1;
    let next = logLikelihood(x, labels, w, a + da, b + db);
    while (!(next >= ll - slack) && step > 1e-10) {
      step /= 2;
      next = logLikelihood(x, labels, w, a + step * da, b + step * db);
    }
    a += step * da;
    b += step * db;
    ll = next;
    if (Math.abs(step * da) <= 1e-13 * (1 + Math.abs(a)) && Math.abs(step * db) <= 1e-13 * (1 + Math.abs(b))) {
      return { intercept: a, slope: b, iterations: it };
    }
  }
  return { intercept: a, slope: b, iterations: MAX_ITERATIONS };
}

function sigmoid(eta: number): number {
  if (eta >= 0) return 1 / (1 + Math.exp(-eta));
  const e = Math.exp(eta);
  return e / (1 + e);
}

/** Σ w_i (y_i η_i − log(1 + e^η_i)), with log(1 + e^η) evaluated without overflow. */
function logLikelihood(x: Float64Array, labels: Labels, w: Weights | undefined, a: number, b: number): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    if (wi === 0) continue;
    const eta = a + b * x[i]!;
    const softplus = eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
    sum += wi * (labels[i]! * eta - softplus);
  }
  return sum;
}

/**
 * Data drift between a reference sample (usually the baseline arm's inputs) and a current sample
 * (a perturbed arm's), per feature, with Evidently's conventions (evidently, legacy stattests, the
 * ones its DataDriftPreset runs), so a reader can reproduce the figures with Evidently itself:
 *
 * - Missing values are dropped first (numeric: NaN and ±Infinity; categorical: null/undefined),
 *   as Evidently does before any test; a side left empty gives "not available".
 * - Binning (Evidently `get_binned_data`): a numeric feature with more than 20 distinct reference
 *   values is cut into equal-width bins over the pooled range, their number by Sturges' rule
 *   (`np.histogram_bin_edges(pooled, bins='sturges')`), bins [e_i, e_i+1) with the last one
 *   closed; otherwise (categorical, or few values) every value seen on either side is a category.
 *   Shares are counts / sample size.
 * - PSI = Σ (ref_i − cur_i) · ln(ref_i / cur_i) over those bins, after Evidently's zero fill: an
 *   empty bin on a side gets that side's smallest non-zero share / 10^6 when that share is at
 *   most 0.0001, else 0.0001.
 * - Jensen–Shannon distance: scipy.spatial.distance.jensenshannon of the same shares without the
 *   zero fill, natural logarithm (Evidently passes base=None; some older Evidently releases
 *   passed base=2, whose distances are larger by 1/√ln 2 ≈ 1.20; `jsBase` selects it).
 * - Wasserstein (normed): scipy.stats.wasserstein_distance / max(std(reference), 0.001), the
 *   population standard deviation (numpy's default ddof = 0).
 * - KS: scipy.stats.ks_2samp, see ks.ts.
 * - Chi-square (Evidently `chi_stat_test`): scipy.stats.chisquare of current counts against
 *   reference counts scaled to the current size, over all categories, k − 1 degrees of freedom;
 *   a category absent from the reference makes the statistic infinite (p = 0).
 * - Z-test (Evidently `z_stat_test`) for two-valued features: two-proportion z-test with pooled
 *   variance, p = 2 · (1 − Φ(|z|)); 1 when both sides hold the same single value.
 *
 * The drift decision uses Evidently's default test for each feature (`_get_default_stattest`):
 *
 * | feature | reference n <= 1000 | reference n > 1000 |
 * | --- | --- | --- |
 * | numeric, > 5 distinct values (pooled) | KS, p < 0.05 | normed Wasserstein >= 0.1 |
 * | numeric, 3–5 distinct values | chi-square, p < 0.05 | Jensen–Shannon >= 0.1 |
 * | numeric or categorical, <= 2 distinct values | z-test, p < 0.05 | Jensen–Shannon >= 0.1 |
 * | categorical, > 2 distinct values | chi-square, p < 0.05 | Jensen–Shannon >= 0.1 |
 *
 * Drift share = drifted features / features with a decision; the dataset counts as drifted when
 * the share is at least 0.5 (Evidently's `drift_share` default).
 */
import { ks2Samp } from './ks.ts';
import { chiSquareSf, normalCdf } from './special.ts';

export type FeatureKind = 'numeric' | 'categorical';
export type Category = string | number | boolean;
export type DriftTest = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon';

/** Evidently's default thresholds: p-value tests drift below theirs, distances at or above. */
export const DEFAULT_DRIFT_THRESHOLDS: Readonly<Record<DriftTest, number>> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
};
const P_VALUE_TESTS: ReadonlySet<DriftTest> = new Set(['ks', 'chisquare', 'z']);
/** Evidently: at most this many reference values count as a small sample. */
export const SMALL_SAMPLE = 1000;
/** Evidently's default dataset drift share. */
export const DATASET_DRIFT_SHARE = 0.5;

export interface DriftOptions {
  readonly thresholds?: Partial<Record<DriftTest, number>>;
  /** Logarithm base of the Jensen–Shannon distance (default e, as current Evidently). */
  readonly jsBase?: number;
}

export interface FeatureDrift {
  readonly feature: string;
  readonly kind: FeatureKind;
  /** Non-missing values on each side, and how many were dropped as missing. */
  readonly referenceN: number;
  readonly currentN: number;
  readonly referenceMissing: number;
  readonly currentMissing: number;
  /** The test that decides (Evidently's default for this feature); null when not available. */
  readonly test: DriftTest | null;
  /** That test's score: a p-value (ks, chisquare, z) or a distance (wasserstein, jensenshannon). */
  readonly score: number;
  readonly threshold: number;
  /** null when a side has no value. */
  readonly drifted: boolean | null;
  readonly psi: number;
  readonly jensenShannon: number;
  /** Numeric features only (NaN for categorical). */
  readonly ksStatistic: number;
  readonly ksPValue: number;
  readonly wassersteinNormed: number;
}

/** Shares of each bin or category on the two sides, as Evidently's `get_binned_data`. */
export interface BinnedShares {
  readonly reference: Float64Array;
  readonly current: Float64Array;
  /** Equal-width edges for a binned numeric feature; null when the values themselves are the categories. */
  readonly edges: Float64Array | null;
}

type Sample = Float64Array | readonly number[];

/** Drift of one numeric feature. */
export function numericDrift(feature: string, reference: Sample, current: Sample, options: DriftOptions = {}): FeatureDrift {
  const ref = finite(reference);
  const cur = finite(current);
  const base = { feature, kind: 'numeric' as const, referenceN: ref.length, currentN: cur.length, referenceMissing: reference.length - ref.length, currentMissing: current.length - cur.length };
  if (ref.length === 0 || cur.length === 0) return notAvailable(base);
  const pooledValues = new Set<number>([...ref, ...cur]).size;
  const shares = binnedShares(ref, cur, 'numeric');
  const ks = ks2Samp(ref, cur);
  const wassersteinNormed = normedWasserstein(ref, cur);
  const jensenShannon = jensenShannonDistance(shares.reference, shares.current, options.jsBase);
  let test: DriftTest;
  let score: number;
  if (ref.length <= SMALL_SAMPLE) {
    if (pooledValues > 5) [test, score] = ['ks', ks.pValue];
    else if (pooledValues > 2) [test, score] = ['chisquare', chiSquareTest(ref, cur).pValue];
    else [test, score] = ['z', proportionZTest(ref, cur).pValue];
  } else if (pooledValues > 5) [test, score] = ['wasserstein', wassersteinNormed];
  else [test, score] = ['jensenshannon', jensenShannon];
  return {
    ...base,
    ...decide(test, score, options),
    psi: psiOfShares(fillZeroes(shares.reference), fillZeroes(shares.current)),
    jensenShannon,
    ksStatistic: ks.statistic,
    ksPValue: ks.pValue,
    wassersteinNormed,
  };
}

/** Drift of one categorical feature. */
export function categoricalDrift(
  feature: string,
  reference: readonly (Category | null | undefined)[],
  current: readonly (Category | null | undefined)[],
  options: DriftOptions = {},
): FeatureDrift {
  const ref = present(reference);
  const cur = present(current);
  const base = { feature, kind: 'categorical' as const, referenceN: ref.length, currentN: cur.length, referenceMissing: reference.length - ref.length, currentMissing: current.length - cur.length };
  if (ref.length === 0 || cur.length === 0) return notAvailable(base);
  const pooledValues = new Set<Category>([...ref, ...cur]).size;
  const shares = binnedShares(ref, cur, 'categorical');
  const jensenShannon = jensenShannonDistance(shares.reference, shares.current, options.jsBase);
  let test: DriftTest;
  let score: number;
  if (ref.length > SMALL_SAMPLE) [test, score] = ['jensenshannon', jensenShannon];
  else if (pooledValues > 2) [test, score] = ['chisquare', chiSquareTest(ref, cur).pValue];
  else [test, score] = ['z', proportionZTest(ref, cur).pValue];
  return {
    ...base,
    ...decide(test, score, options),
    psi: psiOfShares(fillZeroes(shares.reference), fillZeroes(shares.current)),
    jensenShannon,
    ksStatistic: NaN,
    ksPValue: NaN,
    wassersteinNormed: NaN,
  };
}

export interface DriftShare {
  /** Features with a drift decision. */
  readonly features: number;
  readonly drifted: number;
  /** Features without a decision (a side had no value); not in the share. */
  readonly notAvailable: number;
  /** drifted / features; NaN when no feature has a decision. */
  readonly share: number;
  /** share >= shareThreshold; null when the share is not available. */
  readonly datasetDrift: boolean | null;
}

/** Share of drifted features and Evidently's dataset-level decision (share >= 0.5 by default). */
export function driftShare(features: readonly FeatureDrift[], shareThreshold = DATASET_DRIFT_SHARE): DriftShare {
  const decided = features.filter((f) => f.drifted !== null);
  const drifted = decided.filter((f) => f.drifted === true).length;
  const share = decided.length === 0 ? NaN : drifted / decided.length;
  return {
    features: decided.length,
    drifted,
    notAvailable: features.length - decided.length,
    share,
    datasetDrift: Number.isNaN(share) ? null : share >= shareThreshold,
  };
}

/** PSI of a feature with Evidently's binning and zero fill. NaN when a side is empty. */
export function psi(reference: readonly Category[] | Sample, current: readonly Category[] | Sample, kind: FeatureKind): number {
  const ref = kind === 'numeric' ? finite(reference as Sample) : present(reference as readonly Category[]);
  const cur = kind === 'numeric' ? finite(current as Sample) : present(current as readonly Category[]);
  if (ref.length === 0 || cur.length === 0) return NaN;
  const shares = binnedShares(ref, cur, kind);
  return psiOfShares(fillZeroes(shares.reference), fillZeroes(shares.current));
}

/**
 * Evidently's `get_binned_data` without the zero fill: Sturges bins over the pooled range for a
 * numeric feature with more than 20 distinct reference values, else one category per value.
 * Inputs must already be free of missing values.
 */
export function binnedShares(reference: readonly Category[] | Float64Array, current: readonly Category[] | Float64Array, kind: FeatureKind): BinnedShares {
  if (kind === 'numeric' && new Set(reference as ArrayLike<number> & Iterable<number>).size > 20) {
    const ref = reference as ArrayLike<number>;
    const cur = current as ArrayLike<number>;
    const edges = sturgesEdges(ref, cur);
    return { reference: histogramShares(ref, edges), current: histogramShares(cur, edges), edges };
  }
  const keys = categoryIndex(reference, current);
  const count = (values: Iterable<Category>, n: number): Float64Array => {
    const out = new Float64Array(keys.size);
    for (const v of values) out[keys.get(v)!]!++;
    for (let k = 0; k < out.length; k++) out[k]! /= n;
    return out;
  };
  return { reference: count(reference as Iterable<Category>, reference.length), current: count(current as Iterable<Category>, current.length), edges: null };
}

/** np.histogram_bin_edges(pooled, bins='sturges'): ceil(ptp / (ptp / (log2(n) + 1))) equal bins. */
export function sturgesEdges(reference: ArrayLike<number>, current: ArrayLike<number>): Float64Array {
  let min = Infinity;
  let max = -Infinity;
  for (const side of [reference, current]) {
    for (let i = 0; i < side.length; i++) {
      if (side[i]! < min) min = side[i]!;
      if (side[i]! > max) max = side[i]!;
    }
  }
  const size = reference.length + current.length;
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (max - min) / (Math.log2(size) + 1);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  // numpy.linspace: i * step + start, with the last edge set to stop exactly.
  const step = (last - first) / bins;
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i < bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

/** np.histogram(values, edges)[0] / n: bins [e_i, e_i+1), the last one closed. */
function histogramShares(values: ArrayLike<number>, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const out = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x < edges[0]! || x > edges[bins]!) continue;
    // Largest e with edges[e] <= x (searchsorted 'right' − 1), the top edge folded into the last bin.
    let lo = 0;
    let hi = bins;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (edges[mid]! <= x) lo = mid;
      else hi = mid - 1;
    }
    out[Math.min(lo, bins - 1)]!++;
  }
  for (let k = 0; k < bins; k++) out[k]! /= values.length;
  return out;
}

/** Evidently's zero fill (see the module comment); returns a copy. */
export function fillZeroes(shares: Float64Array): Float64Array {
  let minNonZero = Infinity;
  for (const s of shares) if (s !== 0 && s < minNonZero) minNonZero = s;
  const fill = minNonZero <= 0.0001 ? minNonZero / 10 ** 6 : 0.0001;
  return shares.map((s) => (s === 0 ? fill : s));
}

function psiOfShares(reference: Float64Array, current: Float64Array): number {
  let sum = 0;
  for (let k = 0; k < reference.length; k++) {
    const r = reference[k]!;
    const c = current[k]!;
    sum += (r - c) * Math.log(r / c);
  }
  return sum;
}

/**
 * scipy.spatial.distance.jensenshannon(p, q, base): both normalised to sum 1, then
 * sqrt((KL(p‖m) + KL(q‖m)) / 2) with m = (p + q) / 2 and 0 · log 0 = 0. Natural log unless a base
 * is given. Identical distributions give 0.
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>, base?: number): number {
  if (p.length !== q.length) throw new RangeError(`distributions differ in length (${p.length} vs ${q.length})`);
  let sp = 0;
  let sq = 0;
  for (let k = 0; k < p.length; k++) {
    sp += p[k]!;
    sq += q[k]!;
  }
  let left = 0;
  let right = 0;
  for (let k = 0; k < p.length; k++) {
    const pk = p[k]! / sp;
    const qk = q[k]! / sq;
    const m = (pk + qk) / 2;
    if (pk > 0) left += pk * Math.log(pk / m);
    if (qk > 0) right += qk * Math.log(qk / m);
  }
  let js = left + right;
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(js / 2);
}

/**
 * scipy.stats.wasserstein_distance(u, v) for unweighted samples: the area between the two
 * empirical CDFs, Σ over consecutive pooled values of |F_u − F_v| · (x_k+1 − x_k).
 */
export function wassersteinDistance(u: Sample, v: Sample): number {
  const a = Float64Array.from(u).sort();
  const b = Float64Array.from(v).sort();
  if (a.length === 0 || b.length === 0) return NaN;
  let i = 0;
  let j = 0;
  let sum = 0;
  let previous = NaN;
  let fa = 0;
  let fb = 0;
  while (i < a.length || j < b.length) {
    const x = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    if (!Number.isNaN(previous)) sum += Math.abs(fa - fb) * (x - previous);
    while (i < a.length && a[i]! <= x) i++;
    while (j < b.length && b[j]! <= x) j++;
    fa = i / a.length;
    fb = j / b.length;
    previous = x;
  }
  return sum;
}

/** Evidently's normed Wasserstein distance: wasserstein_distance / max(std(reference), 0.001). */
export function normedWasserstein(reference: Sample, current: Sample): number {
  const ref = finite(reference);
  const cur = finite(current);
  if (ref.length === 0 || cur.length === 0) return NaN;
  return wassersteinDistance(ref, cur) / Math.max(populationStd(ref), 0.001);
}

const kindRank = (v: Category): number => (typeof v === 'number' ? 0 : typeof v === 'boolean' ? 1 : 2);

/**
 * The categories of both samples, each with its position in sorted order. Sorted rather than
 * first-seen, so sums over the categories run in the same order whatever the order of the values
 * (a journal's records come in completion order): the figures are then exactly reproducible.
 */
function categoryIndex(reference: readonly Category[] | Float64Array, current: readonly Category[] | Float64Array): Map<Category, number> {
  const values = [...new Set([...(reference as Iterable<Category>), ...(current as Iterable<Category>)])];
  values.sort((a, b) => kindRank(a) - kindRank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return new Map(values.map((v, i) => [v, i]));
}

/** Evidently's chi-square drift test (see the module comment). */
export function chiSquareTest(reference: readonly Category[] | Float64Array, current: readonly Category[] | Float64Array): { statistic: number; pValue: number } {
  const keys = categoryIndex(reference, current);
  const refCount = new Float64Array(keys.size);
  const curCount = new Float64Array(keys.size);
  for (const v of reference as Iterable<Category>) refCount[keys.get(v)!]!++;
  for (const v of current as Iterable<Category>) curCount[keys.get(v)!]!++;
  const scale = current.length / reference.length;
  let statistic = 0;
  for (let k = 0; k < keys.size; k++) {
    const expected = refCount[k]! * scale;
    const d = curCount[k]! - expected;
    statistic += (d * d) / expected; // expected 0 with an observation: +Infinity, p = 0
  }
  return { statistic, pValue: chiSquareSf(statistic, keys.size - 1) };
}

/** Evidently's two-proportion z-test for features with at most two values. */
export function proportionZTest(reference: readonly Category[] | Float64Array, current: readonly Category[] | Float64Array): { statistic: number; pValue: number } {
  const refValues = new Set(reference as Iterable<Category>);
  const curValues = new Set(current as Iterable<Category>);
  if (refValues.size === 1 && curValues.size === 1 && [...refValues][0] === [...curValues][0]) return { statistic: 0, pValue: 1 };
  // Evidently codes the first of the sorted values as 0 and the other as 1; |z| does not depend on which.
  const first = [...new Set([...refValues, ...curValues])].sort()[0];
  const share = (values: Iterable<Category>, n: number): number => {
    let ones = 0;
    for (const v of values) if (v !== first) ones++;
    return ones / n;
  };
  const n1 = reference.length;
  const n2 = current.length;
  const p1 = share(reference as Iterable<Category>, n1);
  const p2 = share(current as Iterable<Category>, n2);
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return { statistic: z, pValue: 2 * (1 - normalCdf(Math.abs(z))) };
}

function decide(test: DriftTest, score: number, options: DriftOptions): { test: DriftTest; score: number; threshold: number; drifted: boolean | null } {
  const threshold = options.thresholds?.[test] ?? DEFAULT_DRIFT_THRESHOLDS[test];
  if (Number.isNaN(score)) return { test, score, threshold, drifted: null };
  return { test, score, threshold, drifted: P_VALUE_TESTS.has(test) ? score < threshold : score >= threshold };
}

function notAvailable<T extends object>(base: T): T & Omit<FeatureDrift, keyof T> {
  return {
    ...base,
    test: null,
    score: NaN,
    threshold: NaN,
    drifted: null,
    psi: NaN,
    jensenShannon: NaN,
    ksStatistic: NaN,
    ksPValue: NaN,
    wassersteinNormed: NaN,
  } as T & Omit<FeatureDrift, keyof T>;
}

function finite(values: Sample): Float64Array {
  return Float64Array.from(values).filter((x) => Number.isFinite(x));
}

function present(values: readonly (Category | null | undefined)[]): Category[] {
  return values.filter((v): v is Category => v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v)));
}

/** numpy.std with ddof = 0, two-pass. */
function populationStd(values: Float64Array): number {
  let sum = 0;
  for (const x of values) sum += x;
  const mean = sum / values.length;
  let ss = 0;
  for (const x of values) ss += (x - mean) * (x - mean);
  return Math.sqrt(ss / values.length);
}

/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, as scipy.stats.ks_2samp with its default
 * method='auto' (scipy 1.10, stats/_stats_py.py), which Evidently uses for numerical drift on
 * samples of up to 1,000 reference cases:
 *
 * - D = max over all observed values x of |F1(x) − F2(x)|, both empirical CDFs right-continuous
 *   (ties in and across samples handled by evaluating at every observed value);
 * - 'exact' when both samples have at most 10,000 values: D is snapped to the lattice h / lcm(n1,
 *   n2) and the p-value P(D >= h / lcm) is the exact null distribution, by Hodges' square method
 *   when n1 = n2 and otherwise by the lattice-path "inside" recursion computed directly for 1 − p
 *   (Viehmann 2021), both ported from scipy;
 * - 'asymp' above that: P(D_en >= D) of the one-sample Kolmogorov distribution with
 *   en = round(n1·n2 / (n1 + n2)) (round half to even, as numpy), see kolmogorov.ts;
 * - the p-value is clipped to [0, 1].
 *
 * The fixtures check D and the p-value against scipy to 1e-9 on small, tied, identical and large
 * samples. Samples must be non-empty and free of NaN (RangeError): missing values are dropped by
 * the caller (drift.ts does).
 */
import { kolmogorovSf } from './kolmogorov.ts';

export interface KsResult {
  /** The KS statistic D in [0, 1]. */
  readonly statistic: number;
  /** Two-sided p-value. */
  readonly pValue: number;
  /** Which null distribution gave the p-value. */
  readonly method: 'exact' | 'asymp';
}

/** Above this many values in either sample, scipy's 'auto' uses the asymptotic distribution. */
export const KS_MAX_EXACT_N = 10000;

/** Two-sided two-sample KS test (scipy.stats.ks_2samp, method='auto'). */
export function ks2Samp(sample1: Float64Array | readonly number[], sample2: Float64Array | readonly number[]): KsResult {
  const a = sortedFinite(sample1, 'sample1');
  const b = sortedFinite(sample2, 'sample2');
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ks2Samp needs two non-empty samples');
  let d = statistic(a, b);
  const g = gcd(n1, n2);
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) return { statistic: d, pValue: 1, method: 'exact' };
    const prob = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideInside(n1, n2, g, h);
    if (prob >= 0 && prob <= 1) return { statistic: d, pValue: prob, method: 'exact' };
    // scipy falls back to the asymptotic distribution when the exact one fails numerically.
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  const prob = kolmogorovSf(roundHalfEven(en), d);
  return { statistic: d, pValue: Math.min(1, Math.max(0, prob)), method: 'asymp' };
}

function sortedFinite(values: Float64Array | readonly number[], name: string): Float64Array {
  const out = Float64Array.from(values);
  for (let i = 0; i < out.length; i++) if (Number.isNaN(out[i]!)) throw new RangeError(`${name}[${i}] is NaN`);
  return out.sort();
}

/**
 * max |F1 − F2| evaluated at every observed value, with the same floating-point steps as scipy
 * (c1/n1 − c2/n2 at each value, then the larger of the maximum and minus the minimum).
 */
function statistic(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxDiff = -Infinity;
  let minDiff = Infinity;
  while (i < n1 || j < n2) {
    // Next distinct value, and both counts of values <= it (searchsorted side='right').
    const x = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n1 && a[i]! <= x) i++;
    while (j < n2 && b[j]! <= x) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  }
  const minS = Math.min(1, Math.max(0, -minDiff));
  return minS > maxDiff ? minS : maxDiff;
}

/**
 * P(D_{n,n} >= h/n) for equal sample sizes, Hodges' alternating sum evaluated Horner-style to
 * avoid subtractive cancellation (scipy `_compute_prob_outside_square`).
 */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k--;
  }
  return 2 * P;
}

/**
 * 1 − (share of lattice paths from (0, 0) to (m, n) staying strictly inside |x/m − y/n| < h /
 * lcm), computed directly as a probability column by column (scipy
 * `_compute_outer_prob_inside_method`, Viehmann 2021).
 */
function probOutsideInside(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** numpy.round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

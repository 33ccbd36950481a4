/**
 * The few special functions the drift tests need, accurate to about 1e-14 relative where it
 * matters (the fixtures compare p-values with scipy to 1e-9 absolute):
 *
 * - log-gamma (Lanczos, g = 7, 9 terms; exact factorials for small integers),
 * - the regularised upper incomplete gamma Q(a, x) (series below a + 1, Lentz's continued fraction
 *   above, as in Numerical Recipes §6.2), which gives the chi-square survival function and erfc,
 * - the standard normal CDF (scipy's `ndtr`),
 * - the binomial probability by Loader's saddle-point method (2000, as in R's `dbinom`), which
 *   stays accurate to a few ulps where the naive product of powers loses everything.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const LN_SQRT_2PI = 0.91893853320467274178;
const LN_2PI = 1.8378770664093454836;

/** ln(k!) for k < 23, from exact double factorials. */
const LOG_FACTORIAL: number[] = (() => {
  const out = [0];
  let f = 1;
  for (let k = 1; k < 23; k++) out.push(Math.log((f *= k)));
  return out;
})();

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) return NaN;
  if (Number.isInteger(x) && x <= 23) return LOG_FACTORIAL[x - 1]!;
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return LN_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a), for a > 0, x >= 0. */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  const logPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    // P(a, x) by its power series; Q = 1 - P.
    let term = 1 / a;
    let sum = term;
    for (let k = 1; k < 10000; k++) {
      term *= x / (a + k);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    return 1 - sum * Math.exp(logPrefix);
  }
  // Continued fraction for Q (modified Lentz).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(logPrefix) * h;
}

/** Chi-square survival function P(X >= x) with k degrees of freedom (scipy.stats.chi2.sf). */
export function chiSquareSf(x: number, k: number): number {
  if (!(k > 0)) return NaN;
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  return gammaQ(k / 2, x / 2);
}

/** erfc(x) = Q(1/2, x²) for x >= 0, 2 − erfc(−x) below. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  return x >= 0 ? gammaQ(0.5, x * x) : 2 - gammaQ(0.5, x * x);
}

/** Standard normal CDF Φ(x) (scipy.special.ndtr). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * Stirling's error ln(k!) − ((k + 1/2) ln k − k + ln √(2π)) for integers k >= 1 (Loader 2000):
 * from exact factorials up to 15, where the subtraction loses at most a few units of 1e-15, and
 * from its asymptotic series above.
 */
function stirlerr(k: number): number {
  if (k <= 15) return LOG_FACTORIAL[k]! - (k + 0.5) * Math.log(k) + k - LN_SQRT_2PI;
  const S0 = 1 / 12;
  const S1 = 1 / 360;
  const S2 = 1 / 1260;
  const S3 = 1 / 1680;
  const S4 = 1 / 1188;
  const kk = k * k;
  if (k > 500) return (S0 - S1 / kk) / k;
  if (k > 80) return (S0 - (S1 - S2 / kk) / kk) / k;
  if (k > 35) return (S0 - (S1 - (S2 - S3 / kk) / kk) / kk) / k;
  return (S0 - (S1 - (S2 - (S3 - S4 / kk) / kk) / kk) / kk) / k;
}

/** x ln(x / m) + m − x, without the cancellation of the direct form when x ≈ m (Loader 2000). */
function bd0(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    let v = (x - m) / (x + m);
    let s = (x - m) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
  }
  return x * Math.log(x / m) + m - x;
}

/**
 * Binomial probability C(n, k) p^k q^(n−k) for integers 0 <= k <= n, with q = 1 − p passed
 * separately so that a q computed without cancellation keeps its accuracy.
 */
export function binomialPmf(k: number, n: number, p: number, q: number): number {
  if (p === 0) return k === 0 ? 1 : 0;
  if (q === 0) return k === n ? 1 : 0;
  if (k === 0) return Math.exp(p < 0.1 ? -bd0(n, n * q) - n * p : n * Math.log(q));
  if (k === n) return Math.exp(q < 0.1 ? -bd0(n, n * p) - n * q : n * Math.log(p));
  if (k < 0 || k > n) return 0;
  const lc = stirlerr(n) - stirlerr(k) - stirlerr(n - k) - bd0(k, n * p) - bd0(n - k, n * q);
  const lf = LN_2PI + Math.log(k) + Math.log1p(-k / n);
  return Math.exp(lc - 0.5 * lf);
}

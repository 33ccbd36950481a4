import { normalCdf } from './special.ts';

/**
 * Safety check rates with confidence intervals.
 *
 * A check's rate is a binomial proportion: `count` calls failed it out of the `applied` calls it
 * applied to (its denominator, recorded per call in the journal's `checks`). The interval is the
 * Wilson score interval (Wilson 1927; Newcombe 1998, method 3; `statsmodels`
 * `proportion_confint(method="wilson")`, R `prop.test(correct = FALSE)`):
 *
 *     p̂ = count / applied,  z = Φ⁻¹(1 − α/2)
 *     centre    = (p̂ + z²/2n) / (1 + z²/n)
 *     halfwidth = z / (1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²)
 *
 * Why Wilson and not the bootstrap used for the quality metrics: safety failures are rare, often
 * zero. The normal ("Wald") interval and the percentile bootstrap both collapse to [0, 0] when no
 * call failed, which reads as certainty; Wilson's interval stays inside [0, 1], is never empty and
 * for 0 failures in n calls gives an upper bound near 3.84/n (the "rule of three" region), so a
 * committee sees how few calls back a zero. Its coverage is close to nominal even for small n and
 * extreme p (Brown, Cai & DasGupta 2001). It needs no resampling, so it is exact to recompute
 * from the report's counts.
 */

export interface SafetyRate {
  /** Calls that failed the check. */
  readonly count: number;
  /** Calls the check applied to: the denominator. */
  readonly applied: number;
  /** count / applied; null when the check applied to no call. */
  readonly rate: number | null;
  /** Wilson score interval at the given level; null when the check applied to no call. */
  readonly ci: [number, number] | null;
}

export interface RateOptions {
  /** Two-sided confidence level (default 0.95). */
  readonly level?: number;
}

/** Φ⁻¹(0.975), the default critical value. */
export const Z_95 = 1.959963984540054;

/**
 * Standard normal quantile Φ⁻¹(p), 0 < p < 1: Acklam's rational approximation (relative error
 * about 1e-9) refined by one Halley step on Φ, which brings it to double precision.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normal quantile needs 0 < p < 1, got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

function criticalValue(level: number): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must be in (0, 1), got ${level}`);
  return level === 0.95 ? Z_95 : normalQuantile(1 - (1 - level) / 2);
}

function checkCounts(count: number, applied: number): void {
  if (!Number.isInteger(count) || !Number.isInteger(applied) || count < 0 || applied < 0 || count > applied) {
    throw new RangeError(`a rate needs integers 0 <= count <= applied, got ${count} of ${applied}`);
  }
}

/** Wilson score interval for `count` successes in `n` trials (n > 0), clamped to [0, 1]. */
export function wilsonInterval(count: number, n: number, level = 0.95): [number, number] {
  checkCounts(count, n);
  if (n === 0) throw new RangeError('a Wilson interval needs at least one trial');
  const z = criticalValue(level);
  const p = count / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  // At p̂ = 0 (or 1) the bound is exactly 0 (or 1); the subtraction would leave float noise.
  const lo = count === 0 ? 0 : Math.max(0, centre - half);
  const hi = count === n ? 1 : Math.min(1, centre + half);
  return [lo, hi];
}

/** A check's failure count, denominator, rate and Wilson interval (rate and ci null when applied is 0). */
export function safetyRate(count: number, applied: number, options: RateOptions = {}): SafetyRate {
  checkCounts(count, applied);
  if (applied === 0) return { count, applied, rate: null, ci: null };
  return { count, applied, rate: count / applied, ci: wilsonInterval(count, applied, options.level ?? 0.95) };
}

/**
 * Rates of every check that applied at least once, from the per-check tallies an arm accumulates
 * (ArmAccumulator.appliedByCheck and failuresByCheck), keyed by check name in the order of `applied`.
 */
export function safetyRates(
  applied: ReadonlyMap<string, number>,
  failures: ReadonlyMap<string, number>,
  options: RateOptions = {},
): Record<string, SafetyRate> {
  for (const [check, count] of failures) {
    if (count > (applied.get(check) ?? 0)) throw new RangeError(`check "${check}" failed ${count} times but applied ${applied.get(check) ?? 0} times`);
  }
  return Object.fromEntries([...applied].map(([check, n]) => [check, safetyRate(failures.get(check) ?? 0, n, options)]));
}

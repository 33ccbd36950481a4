/**
 * Logistic regression by Newton–Raphson (iteratively reweighted least squares), no dependencies.
 * Used by fit.ts only; the model never fits at run time.
 *
 * Columns are standardised internally (mean 0, sd 1) for conditioning, with a small ridge penalty
 * on the standardised slopes (never the intercept); coefficients are returned on the raw scale.
 */

export interface LogisticFit {
  readonly intercept: number;
  /** One per column of X, on the raw scale. */
  readonly coefficients: number[];
  readonly iterations: number;
  readonly converged: boolean;
  /** −2 × log-likelihood at the solution. */
  readonly deviance: number;
}

export interface LogisticOptions {
  /** Ridge penalty on standardised slopes; default 1e-3 (negligible at n = 30,000). */
  readonly ridge?: number;
  readonly maxIterations?: number;
  /** Stop when the largest Newton step on the standardised scale is below this. */
  readonly tolerance?: number;
}

export const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** X: n rows of p features (no intercept column); y: 0/1. */
export function fitLogistic(X: readonly (readonly number[])[], y: readonly number[], options: LogisticOptions = {}): LogisticFit {
  const n = X.length;
  if (n === 0 || n !== y.length) throw new RangeError(`need matching non-empty X and y (got ${n} and ${y.length})`);
  const p = X[0]!.length;
  const ridge = options.ridge ?? 1e-3;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-10;

  const mean = new Array<number>(p).fill(0);
  const sd = new Array<number>(p).fill(0);
  for (const row of X) for (let j = 0; j < p; j++) mean[j]! += row[j]! / n;
  for (const row of X) for (let j = 0; j < p; j++) sd[j]! += (row[j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < p; j++) {
    sd[j] = Math.sqrt(sd[j]!);
    if (!(sd[j]! > 0)) throw new RangeError(`column ${j} is constant; drop it`);
  }
  // Z = [1, standardised X], row-major.
  const k = p + 1;
  const Z = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    Z[i * k] = 1;
    for (let j = 0; j < p; j++) Z[i * k + j + 1] = (X[i]![j]! - mean[j]!) / sd[j]!;
  }

  const beta = new Float64Array(k);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    const H = new Float64Array(k * k);
    const g = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const off = i * k;
      let eta = 0;
      for (let a = 0; a < k; a++) eta += Z[off + a]! * beta[a]!;
      const mu = sigmoid(eta);
      const w = mu * (1 - mu);
      const r = y[i]! - mu;
      for (let a = 0; a < k; a++) {
        const za = Z[off + a]!;
        g[a]! += za * r;
        const wza = w * za;
        for (let b = 0; b <= a; b++) H[a * k + b]! += wza * Z[off + b]!;
      }
    }
    for (let a = 1; a < k; a++) {
      H[a * k + a]! += ridge;
      g[a]! -= ridge * beta[a]!;
    }
    const step = solveCholesky(H, g, k);
    let largest = 0;
    for (let a = 0; a < k; a++) {
      beta[a]! += step[a]!;
      largest = Math.max(largest, Math.abs(step[a]!));
    }
    if (largest < tolerance) {
      converged = true;
      break;
    }
  }

  let deviance = 0;
  for (let i = 0; i < n; i++) {
    let eta = 0;
    for (let a = 0; a < k; a++) eta += Z[i * k + a]! * beta[a]!;
    const mu = Math.min(1 - 1e-15, Math.max(1e-15, sigmoid(eta)));
    deviance -= 2 * (y[i] === 1 ? Math.log(mu) : Math.log(1 - mu));
  }

  const coefficients = Array.from({ length: p }, (_, j) => beta[j + 1]! / sd[j]!);
  const intercept = beta[0]! - coefficients.reduce((s, c, j) => s + c * mean[j]!, 0);
  return { intercept, coefficients, iterations, converged, deviance };
}

/** Solves A x = b for a symmetric positive-definite A given by its lower triangle (row-major k×k). */
function solveCholesky(A: Float64Array, b: Float64Array, k: number): Float64Array {
  const L = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * k + j]!;
      for (let m = 0; m < j; m++) s -= L[i * k + m]! * L[j * k + m]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError('Hessian is not positive definite (collinear features?)');
        L[i * k + i] = Math.sqrt(s);
      } else {
        L[i * k + j] = s / L[j * k + j]!;
      }
    }
  }
  const z = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let m = 0; m < i; m++) s -= L[i * k + m]! * z[m]!;
    z[i] = s / L[i * k + i]!;
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let m = i + 1; m < k; m++) s -= L[m * k + i]! * x[m]!;
    x[i] = s / L[i * k + i]!;
  }
  return x;
}

/**
 * Fits the reference sepsis model and writes models/sepsis/coefficients.json (committed; the model
 * never fits at run time).
 *
 *   node --import tsx models/sepsis/fit.ts           regenerate coefficients.json
 *   node --import tsx models/sepsis/fit.ts --check   refit and exit 1 if the committed file differs
 *
 * Data: FIT_PATIENTS patients 0..N-1 of `tasks.sepsis` with seed FIT_SEED at the task's default
 * prevalence (7%), read through the flaw-free feature extraction (in the training data every unit
 * is canonical, so both variants see the same numbers). The cohort has its baseline missingness
 * (labs not ordered, GCS not documented; docs/cohorts.md): a missing measurement other than
 * lactate is filled with the training median of the measured values, in fitting as in use. Two
 * regressions by IRLS (logistic.ts): one with every term, fitted on the patients who have a
 * lactate; one without the lactate terms, fitted on every patient (the flaw-free variant's
 * fallback). The ordering is missing at random given what the bundle shows, so each is an unbiased
 * fit of its conditional risk. Performance is reported on HOLDOUT_PATIENTS patients of another
 * seed. Deterministic: the same tool version always writes the same file.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { auroc } from '../../simulator/metrics/auroc.ts';
import {
  complete,
  extractMeasurements,
  LACTATE_TERMS,
  MEASURES,
  TERM_NAMES,
  termValues,
  type CompleteMeasurements,
  type Measurements,
  type TermName,
} from './features.ts';
import { fitLogistic } from './logistic.ts';
import { COEFFICIENTS_URL, Coefficients, createSepsisModel, MODEL_NAME } from './model.ts';

export const FIT_SEED = 20_250_611;
export const FIT_PATIENTS = 30_000;
export const HOLDOUT_SEED = 20_250_612;
export const HOLDOUT_PATIENTS = 10_000;
export const MODEL_VERSION = '1.0.0';
const RIDGE = 1e-3;

const round = (x: number, digits = 8): number => Number(x.toPrecision(digits));

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function cohort(seed: number, n: number): { m: Measurements[]; y: number[]; risk: number[]; bundles: unknown[] } {
  const m: Measurements[] = [];
  const y: number[] = [];
  const risk: number[] = [];
  const bundles: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const c = tasks.sepsis.generate({ seed }, i);
    m.push(extractMeasurements(c.bundle, 'flaw-free').values);
    y.push(c.truth.label ?? 0);
    risk.push(c.truth.risk ?? 0);
    bundles.push(c.bundle);
  }
  return { m, y, risk, bundles };
}

export function fit(): Coefficients {
  const train = cohort(FIT_SEED, FIT_PATIENTS);

  const imputation = {
    ageYears: round(median(train.m.map((m) => m.ageYears).filter((v): v is number => v !== undefined)), 4),
    male: 0 as const,
  } as CompleteMeasurements;
  for (const k of MEASURES) {
    imputation[k] = round(median(train.m.map((m) => m[k]).filter((v): v is number => v !== undefined)), 4);
  }
  const rows = train.m.map((m) => complete(m, imputation));
  const withLactateRows = rows.flatMap((_, i) => (train.m[i]!.lactate !== undefined ? [i] : []));
  const everyRow = rows.map((_, i) => i);

  const fitTerms = (terms: readonly TermName[], on: readonly number[]) => {
    const result = fitLogistic(
      on.map((i) => termValues(rows[i]!, terms)),
      on.map((i) => train.y[i]!),
      { ridge: RIDGE },
    );
    if (!result.converged) throw new Error(`IRLS did not converge in ${result.iterations} iterations`);
    return {
      sub: {
        intercept: round(result.intercept),
        coefficients: Object.fromEntries(terms.map((t, j) => [t, round(result.coefficients[j]!)])),
      },
      iterations: result.iterations,
      deviance: round(result.deviance, 7),
      patients: on.length,
    };
  };
  const withLactate = fitTerms(TERM_NAMES, withLactateRows);
  const withoutLactate = fitTerms(
    TERM_NAMES.filter((t) => !LACTATE_TERMS.includes(t)),
    everyRow,
  );

  const draft: Coefficients = {
    model: MODEL_NAME,
    version: MODEL_VERSION,
    threshold: tasks.sepsis.defaultThreshold,
    fit: {},
    imputation,
    withLactate: withLactate.sub,
    withoutLactate: withoutLactate.sub,
  };

  // Holdout performance of what was just fitted.
  const holdout = cohort(HOLDOUT_SEED, HOLDOUT_PATIENTS);
  const flawed = createSepsisModel({ coefficients: draft });
  const flawFree = createSepsisModel({ coefficients: draft, flawFree: true });
  const noLactate = holdout.bundles.map((b) => withoutLactateObservations(b));
  const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const flawedScores = holdout.bundles.map((b) => flawed.predict(b).score);
  const flawFreeScores = holdout.bundles.map((b) => flawFree.predict(b).score);
  const metrics = {
    trueRiskAuroc: round(auroc(holdout.risk, holdout.y), 4),
    /** The default (flawed) endpoint on the holdout as generated, baseline missingness included. */
    auroc: round(auroc(flawedScores, holdout.y), 4),
    aurocFlawFree: round(auroc(flawFreeScores, holdout.y), 4),
    aurocWithoutLactate: round(auroc(noLactate.map((b) => flawFree.predict(b).score), holdout.y), 4),
    meanScore: round(mean(flawedScores), 4),
    meanScoreFlawFree: round(mean(flawFreeScores), 4),
    prevalence: round(mean(holdout.y), 4),
    lactateMeasured: round(mean(holdout.m.map((m) => (m.lactate !== undefined ? 1 : 0))), 4),
  };

  return {
    ...draft,
    fit: {
      script: 'models/sepsis/fit.ts',
      command: 'node --import tsx models/sepsis/fit.ts',
      method: `logistic regression by IRLS, ridge ${RIDGE} on standardised slopes`,
      data: `tasks.sepsis, seed ${FIT_SEED}, patients 0..${FIT_PATIENTS - 1}, default prevalence`,
      holdout: `tasks.sepsis, seed ${HOLDOUT_SEED}, patients 0..${HOLDOUT_PATIENTS - 1}`,
      patients: { withLactate: withLactate.patients, withoutLactate: withoutLactate.patients },
      iterations: { withLactate: withLactate.iterations, withoutLactate: withoutLactate.iterations },
      deviance: { withLactate: withLactate.deviance, withoutLactate: withoutLactate.deviance },
      holdoutMetrics: metrics,
    },
  };
}

/** A copy of a bundle without its lactate (2524-7) Observations. */
function withoutLactateObservations(bundle: unknown): unknown {
  const b = bundle as { entry?: { resource?: { resourceType?: string; code?: { coding?: { code?: string }[] } } }[] };
  return {
    ...b,
    entry: (b.entry ?? []).filter(
      (e) => !(e.resource?.resourceType === 'Observation' && e.resource.code?.coding?.some((c) => c.code === '2524-7')),
    ),
  };
}

function main(argv: readonly string[]): void {
  const started = Date.now();
  const fitted = Coefficients.parse(fit());
  const text = `${JSON.stringify(fitted, null, 2)}\n`;
  const path = fileURLToPath(COEFFICIENTS_URL);
  if (argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      /* missing counts as different */
    }
    if (current !== text) {
      console.error(`${path} differs from a fresh fit; run: node --import tsx models/sepsis/fit.ts`);
      process.exitCode = 1;
      return;
    }
    console.log(`${path} matches a fresh fit`);
    return;
  }
  writeFileSync(path, text);
  console.log(`wrote ${path} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(JSON.stringify(fitted.fit.holdoutMetrics));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));

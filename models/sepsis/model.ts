import { readFileSync } from 'node:fs';
import { z } from 'zod';
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
  type Variant,
} from './features.ts';
import { sigmoid } from './logistic.ts';

/**
 * The reference sepsis model: logistic regression over vitals, labs and demographics, with the
 * coefficients fitted offline by fit.ts and committed as coefficients.json. Two variants:
 *
 * - `flawed` (the default endpoint) has the documented flaws of models/README.md:
 *   (a) missing lactate is imputed as a normal 1.0 mmol/L and not flagged;
 *   (b) lactate is read as mmol/L whatever its unit says;
 *   (c) lactate is recognised only under LOINC 2524-7 (serum/plasma), so whole-blood (32693-4),
 *       arterial (2518-9) or mass (59032-3) lactate is treated as missing, and then as (a).
 * - `flaw-free` converts lactate units (local UCUM table, MW 90.08), reads every lactate code, and
 *   scores a case without a usable lactate with a second regression fitted without the lactate
 *   terms, flagging it `lactate-missing` (or `lactate-unit-unknown`) in the reply.
 *
 * Both variants convert the other measurements' units, clip values into plausible ranges and fill
 * other missing measurements with the training medians.
 */

export const MODEL_NAME = 'clinsim-reference-sepsis';
/** Flaw (a): what the flawed variant assumes for a missing lactate. */
export const FLAWED_LACTATE_IMPUTATION = 1.0;

const Submodel = z.strictObject({
  intercept: z.number(),
  coefficients: z.record(z.string(), z.number()),
});
type Submodel = z.infer<typeof Submodel>;

export const Coefficients = z
  .strictObject({
    model: z.literal(MODEL_NAME),
    version: z.string().min(1),
    /** Decision threshold for `label` (the sepsis task's default threshold). */
    threshold: z.number().gt(0).lt(1),
    /** How and on what the coefficients were fitted (provenance; free form). */
    fit: z.record(z.string(), z.unknown()),
    /** Training medians of the measured values, used for any measurement that is missing (lactate: see the variants). */
    imputation: z.strictObject({
      ageYears: z.number(),
      male: z.union([z.literal(0), z.literal(1)]),
      ...Object.fromEntries(MEASURES.map((m) => [m, z.number()])),
    }),
    withLactate: Submodel,
    withoutLactate: Submodel,
  })
  .superRefine((c, ctx) => {
    const check = (name: 'withLactate' | 'withoutLactate', terms: readonly TermName[]) => {
      const keys = Object.keys(c[name].coefficients).sort();
      if (keys.join() !== [...terms].sort().join()) {
        ctx.addIssue({ code: 'custom', path: [name], message: `terms ${keys.join(', ')} do not match ${terms.join(', ')}` });
      }
    };
    check('withLactate', TERM_NAMES);
    check('withoutLactate', TERM_NAMES.filter((t) => !LACTATE_TERMS.includes(t)));
  });
export type Coefficients = z.infer<typeof Coefficients>;

export const COEFFICIENTS_URL = new URL('./coefficients.json', import.meta.url);

let committed: Coefficients | undefined;
/** The committed coefficients, read and validated once. */
export function loadCoefficients(): Coefficients {
  committed ??= Coefficients.parse(JSON.parse(readFileSync(COEFFICIENTS_URL, 'utf8')));
  return committed;
}

export type Flag = 'lactate-missing' | 'lactate-unit-unknown';

export interface SepsisScore {
  /** Probability of sepsis within the horizon, 0..1. */
  readonly score: number;
  readonly label: 0 | 1;
  /** Input problems the model noticed (the flawed variant notices none). */
  readonly flags: Flag[];
}

export interface SepsisModel {
  readonly name: typeof MODEL_NAME;
  readonly version: string;
  readonly variant: Variant;
  readonly threshold: number;
  /** Scores a FHIR Bundle (any JSON: unreadable parts count as missing). */
  predict(bundle: unknown): SepsisScore;
}

export function linearPredictor(sub: Submodel, m: CompleteMeasurements, terms: readonly TermName[]): number {
  const values = termValues(m, terms);
  let eta = sub.intercept;
  terms.forEach((t, i) => {
    eta += (sub.coefficients[t] ?? 0) * values[i]!;
  });
  return eta;
}

const NO_LACTATE_TERMS = TERM_NAMES.filter((t) => !LACTATE_TERMS.includes(t));

export function createSepsisModel(options: { flawFree?: boolean; coefficients?: Coefficients } = {}): SepsisModel {
  const c = options.coefficients ?? loadCoefficients();
  const variant: Variant = options.flawFree ? 'flaw-free' : 'flawed';
  const impute = c.imputation as CompleteMeasurements;

  const scoreOf = (eta: number): SepsisScore['score'] => sigmoid(eta);
  const decide = (score: number, flags: Flag[]): SepsisScore => ({ score, label: score >= c.threshold ? 1 : 0, flags });

  const predictFlawed = (bundle: unknown): SepsisScore => {
    const m: Measurements = extractMeasurements(bundle, 'flawed').values;
    // Flaw (a): no flag, no fallback model: a missing lactate becomes a normal one.
    const filled = complete({ ...m, lactate: m.lactate ?? FLAWED_LACTATE_IMPUTATION }, impute);
    return decide(scoreOf(linearPredictor(c.withLactate, filled, TERM_NAMES)), []);
  };

  const predictFlawFree = (bundle: unknown): SepsisScore => {
    const { values: m, unreadable } = extractMeasurements(bundle, 'flaw-free');
    if (m.lactate === undefined) {
      const flag: Flag = unreadable.has('lactate') ? 'lactate-unit-unknown' : 'lactate-missing';
      const filled = complete(m, impute);
      return decide(scoreOf(linearPredictor(c.withoutLactate, filled, NO_LACTATE_TERMS)), [flag]);
    }
    return decide(scoreOf(linearPredictor(c.withLactate, complete(m, impute), TERM_NAMES)), []);
  };

  return {
    name: MODEL_NAME,
    version: c.version,
    variant,
    threshold: c.threshold,
    predict: variant === 'flawed' ? predictFlawed : predictFlawFree,
  };
}

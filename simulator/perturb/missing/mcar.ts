import { z } from 'zod';
import { bernoulli } from '../../random.ts';
import type { PerturbationDefinition } from '../perturbation.ts';
import { describeCodes, LoincCodes, rateSchema, targetCodes } from './params.ts';
import { removeDecided } from './remove.ts';

export { LoincCode, loincCheckDigit, targetCodes } from './params.ts';

export type MissingMcarParams = {
  /** One LOINC code or several; each is removed (or kept) independently. */
  loinc: string | string[];
  /** Probability that a targeted code's Observations are removed from a case. */
  rate: number;
};

const MissingMcarParams = z.strictObject({
  loinc: LoincCodes,
  rate: rateSchema('rate'),
});

/**
 * missing.mcar: missing completely at random. For each targeted code (one uniform draw per code, in
 * sorted code order, made whether or not the case has that code) all Observations with the code are
 * removed with probability `rate`. The draws do not depend on the case's content, so whether a code
 * goes missing is independent of the patient, the label and the other codes.
 *
 * Provenance: every Observation of a targeted code with a value is recorded as
 * `Observation[<code>].value`, after `null` when removed and equal to before when kept.
 */
export const missingMcar: PerturbationDefinition<MissingMcarParams> = {
  family: 'missing',
  params: MissingMcarParams,
  example: { loinc: '2524-7', rate: 0.5 },
  describe: (p) => `${describeCodes(p.loinc)} missing completely at random (rate ${p.rate})`,
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'preserved',
  apply(c, params, ctx) {
    // One draw per targeted code, always, in sorted order: the stream does not depend on the case.
    const decisions = new Map<string, boolean>();
    for (const code of targetCodes(params.loinc)) decisions.set(code, bernoulli(ctx.rng, params.rate));
    return removeDecided(c, decisions);
  },
};

import { z } from 'zod';
import type { PerturbationDefinition } from '../perturbation.ts';
import { rateSchema } from '../missing/params.ts';
import { demographicsOf, keepDemographics, truthChanges } from './regenerate.ts';

export type ShiftSexParams = {
  /** Share of female patients in the shifted population, 0..1. */
  female: number;
};

const ShiftSexParams = z.strictObject({
  female: rateSchema('female'),
});

/**
 * shift.sex: a population whose share of female patients is `female`. One uniform per case decides
 * the sex (female when it is below `female`), independently of the patient, and the task
 * **regenerates** the patient with that sex as an override, its age, race and ethnicity kept: the
 * generator draws what depends on sex (creatinine, sex-specific orders…) and the truth
 * conditionally on it. A case whose sex does not change is regenerated identical.
 */
export const shiftSex: PerturbationDefinition<ShiftSexParams> & { readonly regenerates: true } = {
  family: 'shift',
  params: ShiftSexParams,
  example: { female: 0.8 },
  regenerates: true,
  describe: (p) => `share of female patients ${p.female}`,
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'recomputed',
  apply(c, params, ctx) {
    const sex = ctx.rng() < params.female ? 'female' : 'male';
    const next = ctx.task.generate(ctx.cohort, c.index, keepDemographics(c, { sex }));
    return {
      case: next,
      changes: [{ path: 'sex', before: demographicsOf(c).sex ?? null, after: demographicsOf(next).sex ?? null }, ...truthChanges(c.truth, next.truth)],
    };
  },
};

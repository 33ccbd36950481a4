import { z } from 'zod';
import { HISPANIC, HISPANIC_GIVEN_RACE, NOT_HISPANIC, RACES } from '../../cohort/demographics.ts';
import type { Rng } from '../../random.ts';
import type { PerturbationDefinition } from '../perturbation.ts';
import { rateSchema } from '../missing/params.ts';
import { demographicsOf, keepDemographics, truthChanges } from './regenerate.ts';

/** The five OMB race category codes (clinical-codes.md §7), in the generators' order. */
export const OMB_RACE_CODES = RACES.map((r) => r.code) as readonly string[];

export type ShiftRaceEthnicityParams = {
  /** Weight of each OMB race category code; normalised, categories left out get weight 0. */
  mix: Record<string, number>;
  /** Share of Hispanic or Latino patients; omitted: the generators' share given the race. */
  hispanic?: number | undefined;
};

const ShiftRaceEthnicityParams = z.strictObject({
  mix: z
    .record(
      z.string(),
      z.number({ error: 'a weight must be a number' }).min(0, 'a weight must be at least 0').refine(Number.isFinite, 'a weight must be finite'),
      { error: (iss) => (iss.code === 'invalid_type' ? 'mix must be an object of OMB race code → weight, e.g. { "2054-5": 0.5, "2106-3": 0.5 }' : undefined) },
    )
    .superRefine((mix, ctx) => {
      for (const code of Object.keys(mix)) {
        if (!OMB_RACE_CODES.includes(code)) {
          ctx.addIssue({
            code: 'custom',
            path: [code],
            message: `"${code}" is not an OMB race category code; use ${RACES.map((r) => `${r.code} (${r.display})`).join(', ')}`,
          });
        }
      }
      const weights = Object.values(mix);
      if (weights.every((w) => w >= 0) && !weights.some((w) => w > 0)) ctx.addIssue({ code: 'custom', message: 'mix needs at least one category with a positive weight' });
    }),
  hispanic: rateSchema('hispanic').optional(),
});

/** Index drawn from weights with one uniform; never a zero-weight category (even at float edges). */
function pickWeighted(rng: Rng, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng() * total;
  let last = 0;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i]! <= 0) continue;
    last = i;
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return last;
}

function raceDisplay(code: string): string {
  return RACES.find((r) => r.code === code)?.display ?? code;
}

/**
 * shift.raceEthnicity: a population with another race mix (and optionally another share of
 * Hispanic or Latino patients). Two uniforms per case, always: the race is drawn from `mix`
 * (weights normalised), then the ethnicity is Hispanic or Latino with probability `hispanic`, or,
 * when `hispanic` is omitted, with the generators' probability given the drawn race
 * (HISPANIC_GIVEN_RACE, docs/cohorts.md). The task **regenerates** the patient with both as
 * overrides, its age and sex kept. Race and ethnicity do not enter the generators' physiology or
 * truth, so the truth is recomputed but equal in distribution; what moves is who is in the subgroups.
 */
export const shiftRaceEthnicity: PerturbationDefinition<ShiftRaceEthnicityParams> & { readonly regenerates: true } = {
  family: 'shift',
  params: ShiftRaceEthnicityParams,
  example: { mix: { '2106-3': 0.4, '2054-5': 0.4, '2028-9': 0.2 }, hispanic: 0.3 },
  regenerates: true,
  describe: (p) => {
    const total = Object.values(p.mix).reduce((a, b) => a + b, 0);
    const parts = OMB_RACE_CODES.filter((code) => (p.mix[code] ?? 0) > 0).map(
      (code) => `${raceDisplay(code)} ${Math.round((1000 * p.mix[code]!) / total) / 10}%`,
    );
    const hispanic = p.hispanic === undefined ? 'Hispanic or Latino share as generated for each race' : `Hispanic or Latino ${p.hispanic}`;
    return `race mix ${parts.join(', ')}; ${hispanic}`;
  },
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'recomputed',
  apply(c, params, ctx) {
    const raceIndex = pickWeighted(ctx.rng, OMB_RACE_CODES.map((code) => params.mix[code] ?? 0));
    const uEthnicity = ctx.rng();
    const race = OMB_RACE_CODES[raceIndex]!;
    const pHispanic = params.hispanic ?? HISPANIC_GIVEN_RACE[raceIndex]!;
    const ethnicity = uEthnicity < pHispanic ? HISPANIC.code : NOT_HISPANIC.code;
    const next = ctx.task.generate(ctx.cohort, c.index, keepDemographics(c, { race, ethnicity }));
    const before = demographicsOf(c);
    const after = demographicsOf(next);
    return {
      case: next,
      changes: [
        { path: 'race', before: before.race ?? null, after: after.race ?? null },
        { path: 'ethnicity', before: before.ethnicity ?? null, after: after.ethnicity ?? null },
        ...truthChanges(c.truth, next.truth),
      ],
    };
  },
};

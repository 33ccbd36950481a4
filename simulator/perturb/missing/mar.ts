import { z } from 'zod';
import type { PerturbationDefinition } from '../perturbation.ts';
import { codeLabel, describeBand, inBand, variableValue } from '../shift/observations.ts';
import { isUnitLoinc, UNIT_TABLE } from '../ucum.ts';
import { describeCodes, LoincCode, LoincCodes, rateSchema, targetCodes } from './params.ts';
import { removeDecided } from './remove.ts';

export type MarCondition = {
  /** The observed variable the missingness depends on: a LOINC code, or 'age' (completed years). */
  variable: string;
  /** The condition holds when the variable is strictly above this. */
  above?: number | undefined;
  /** The condition holds when the variable is strictly below this. */
  below?: number | undefined;
};

export type MissingMarParams = {
  /** LOINC code(s) whose Observations may go missing; each decided on its own draw. */
  loinc: string | string[];
  /** Removal probability where the condition holds. */
  rate: number;
  /** The condition on another observed variable. */
  dependsOn: MarCondition;
  /** Removal probability where it does not hold, or the variable is absent (default 0). */
  otherwiseRate?: number | undefined;
};

const finite = (name: string) => z.number({ error: `${name} must be a number` }).refine(Number.isFinite, `${name} must be finite`);

const MarCondition = z
  .strictObject({
    variable: z.union([z.literal('age'), LoincCode], { error: 'variable must be "age" or a LOINC code, e.g. "2160-0"' }),
    above: finite('above').optional(),
    below: finite('below').optional(),
  })
  .superRefine((d, ctx) => {
    if (d.above === undefined && d.below === undefined) {
      ctx.addIssue({ code: 'custom', path: ['above'], message: 'give a threshold: above, below, or both (a band)' });
    } else if (d.above !== undefined && d.below !== undefined && !(d.above < d.below)) {
      ctx.addIssue({ code: 'custom', path: ['below'], message: `below (${d.below}) must be greater than above (${d.above}): the condition is above < value < below` });
    }
  });

const MissingMarParams = z
  .strictObject({
    loinc: LoincCodes,
    rate: rateSchema('rate'),
    dependsOn: MarCondition,
    otherwiseRate: rateSchema('otherwiseRate').optional(),
  })
  .superRefine((p, ctx) => {
    if (targetCodes(p.loinc).includes(p.dependsOn.variable)) {
      ctx.addIssue({
        code: 'custom',
        path: ['dependsOn', 'variable'],
        message: `missingness of ${p.dependsOn.variable} depending on its own value is missing not at random: use missing.mnar`,
      });
    }
  });

function variableLabel(variable: string): string {
  if (variable === 'age') return 'age (years)';
  return isUnitLoinc(variable) ? `${codeLabel(variable)} in ${UNIT_TABLE[variable].canonical}` : codeLabel(variable);
}

/**
 * missing.mar: missing at random. Whether a targeted code goes missing depends on another observed
 * variable (`dependsOn`: a LOINC code's most recent value, or the age), never on the targeted value
 * itself. Model: for each targeted code (one uniform per code, in sorted order, always drawn) all
 * its Observations are removed with probability `rate` where the condition holds and
 * `otherwiseRate` (default 0) where it does not, or where the variable is absent from the case.
 * The condition is `value > above`, `value < below`, or both (a band), on the case as it arrives
 * (before any removal). A LOINC variable is compared in the unit the generators write for it (the
 * UCUM table's first unit; a value in another known unit is converted first), else as reported.
 */
export const missingMar: PerturbationDefinition<MissingMarParams> = {
  family: 'missing',
  params: MissingMarParams,
  example: { loinc: '2524-7', rate: 0.8, dependsOn: { variable: 'age', below: 40 }, otherwiseRate: 0.1 },
  describe: (p) =>
    `${describeCodes(p.loinc)} missing at random: rate ${p.rate} where ${describeBand(variableLabel(p.dependsOn.variable), p.dependsOn)}, ${p.otherwiseRate ?? 0} otherwise`,
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'preserved',
  apply(c, params, ctx) {
    const codes = targetCodes(params.loinc);
    const uniforms = codes.map(() => ctx.rng());
    const value = variableValue(c.bundle, params.dependsOn.variable);
    const p = value !== undefined && inBand(value, params.dependsOn) ? params.rate : (params.otherwiseRate ?? 0);
    return removeDecided(c, new Map(codes.map((code, i) => [code, uniforms[i]! < p])));
  },
};

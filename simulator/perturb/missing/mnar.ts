import { z } from 'zod';
import type { PerturbationDefinition } from '../perturbation.ts';
import { codeLabel } from '../shift/observations.ts';
import { isUnitLoinc, UNIT_TABLE } from '../ucum.ts';
import { LoincCode, rateSchema } from './params.ts';
import { canonicalValue, removeWhere } from './remove.ts';

export type MissingMnarParams = {
  /** LOINC code whose Observations may go missing. */
  loinc: string;
  /** Removal probability of a value on the `when` side of the threshold. */
  rate: number;
  /** 'high': values above the threshold go missing; 'low': values below it. */
  when: 'high' | 'low';
  /** In the unit the generators write for the code (the UCUM table's first unit). */
  threshold: number;
  /** Removal probability of the other values (default 0). */
  otherwiseRate?: number | undefined;
};

const MissingMnarParams = z.strictObject({
  loinc: LoincCode,
  rate: rateSchema('rate'),
  when: z.enum(['high', 'low'], { error: 'when must be "high" (values above the threshold go missing) or "low" (values below it)' }),
  threshold: z.number({ error: 'threshold must be a number' }).refine(Number.isFinite, 'threshold must be finite'),
  otherwiseRate: rateSchema('otherwiseRate').optional(),
});

function unitLabel(loinc: string): string {
  return isUnitLoinc(loinc) ? ` ${UNIT_TABLE[loinc].canonical}` : '';
}

/**
 * missing.mnar: missing not at random — whether a value goes missing depends on the value itself
 * (e.g. a normal lactate never re-measured, an extreme one lost to a repeat draw). One uniform u per
 * case, always. Each Observation coded `loinc` with a numeric value is removed when u < p, where
 * p = `rate` if its value is strictly above (`when: 'high'`) or strictly below (`when: 'low'`) the
 * threshold and `otherwiseRate` (default 0) if not. The threshold is in the unit the generators
 * write for the code (the UCUM table's first unit); a value in another unit the table knows is
 * converted before the comparison. Observations without a numeric value are left alone.
 */
export const missingMnar: PerturbationDefinition<MissingMnarParams> = {
  family: 'missing',
  params: MissingMnarParams,
  example: { loinc: '2524-7', rate: 0.7, when: 'low', threshold: 2 },
  describe: (p) =>
    `${codeLabel(p.loinc)} missing not at random: rate ${p.rate} when ${p.when === 'high' ? 'above' : 'below'} ${p.threshold}${unitLabel(p.loinc)}, ${p.otherwiseRate ?? 0} otherwise`,
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'preserved',
  apply(c, params, ctx) {
    const u = ctx.rng();
    return removeWhere(c, [params.loinc], (obs) => {
      const v = canonicalValue(obs, params.loinc);
      if (v === undefined) return false;
      const side = params.when === 'high' ? v > params.threshold : v < params.threshold;
      return u < (side ? params.rate : (params.otherwiseRate ?? 0));
    });
  },
};

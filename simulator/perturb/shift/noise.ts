import { z } from 'zod';
import { mapEntries } from '../../fhir/bundle-access.ts';
import { normal, stream } from '../../random.ts';
import type { Change, PerturbationDefinition } from '../perturbation.ts';
import { describeCodes, LoincCodes, targetCodes } from '../missing/params.ts';
import { roundTo } from '../ucum.ts';
import { loincCodesOf, numericValue, physicalBounds, reportedDecimals, unitOf, valuePath, withValue } from './observations.ts';

export type ShiftNoiseParams = {
  /** LOINC code(s) to add noise to; omitted: every Observation with a LOINC code and a numeric value. */
  loinc?: string | string[] | undefined;
  /** Absolute standard deviation, in the Observation's own unit (needs `loinc`). */
  sd?: number | undefined;
  /** Relative standard deviation (coefficient of variation): sd = cv · |value|. */
  cv?: number | undefined;
};

const positive = (name: string) =>
  z.number({ error: `${name} must be a number` }).gt(0, `${name} must be greater than 0`).refine(Number.isFinite, `${name} must be finite`);

const ShiftNoiseParams = z
  .strictObject({
    loinc: LoincCodes.optional(),
    sd: positive('sd').optional(),
    cv: positive('cv').max(1, 'cv must be at most 1 (100% of the value)').optional(),
  })
  .superRefine((p, ctx) => {
    if (p.sd === undefined && p.cv === undefined) {
      ctx.addIssue({ code: 'custom', path: ['sd'], message: 'give sd (absolute, in the unit of the Observation) or cv (relative), or both' });
    }
    if (p.sd !== undefined && p.loinc === undefined) {
      ctx.addIssue({ code: 'custom', path: ['loinc'], message: 'an absolute sd is in the unit of one analyte: give loinc (or use cv for every Observation)' });
    }
  });

function describeNoise(p: ShiftNoiseParams): string {
  const parts = [p.sd !== undefined ? `sd ${p.sd}` : '', p.cv !== undefined ? `cv ${p.cv}` : ''].filter(Boolean).join(' + ');
  const what = p.loinc === undefined ? 'every measurement' : describeCodes(p.loinc);
  return `${what} with Gaussian measurement noise (${parts})`;
}

/**
 * shift.noise: measurement noise. Each targeted Observation with a numeric value gets
 * value + N(0, s²) with s = √(sd² + (cv·|value|)²) (a constant plus a proportional analytical error;
 * either may be left out), rounded to the value's reported precision (its own decimals, at least its
 * unit's conventional ones) and kept within physical bounds (never below 0; a percentage at most
 * 100; GCS 3–15). Draws: one 32-bit seed from the case's stream, always; the noise of the k-th
 * Observation of a code comes from a sub-stream keyed by (that seed, code, k), so it does not depend
 * on what else the case holds. Truth is preserved (the patient did not change, the measurement did).
 */
export const shiftNoise: PerturbationDefinition<ShiftNoiseParams> = {
  family: 'shift',
  params: ShiftNoiseParams,
  example: { loinc: '2524-7', cv: 0.1 },
  describe: describeNoise,
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'preserved',
  apply(c, params, ctx) {
    const seed = ctx.rng.int32();
    const targets = params.loinc === undefined ? undefined : targetCodes(params.loinc);
    const sd = params.sd ?? 0;
    const cv = params.cv ?? 0;
    const seen = new Map<string, number>();
    const changes: Change[] = [];
    let moved = false;
    const bundle = mapEntries(c.bundle, (entry) => {
      const r = entry.resource;
      if (r?.resourceType !== 'Observation') return entry;
      const codes = loincCodesOf(r);
      const code = targets === undefined ? codes[0] : targets.find((t) => codes.includes(t));
      const value = numericValue(r);
      if (code === undefined || value === undefined) return entry;
      const k = seen.get(code) ?? 0;
      seen.set(code, k + 1);
      const s = Math.sqrt(sd * sd + (cv * value) ** 2);
      const unit = unitOf(r);
      const [lo, hi] = physicalBounds(code, unit);
      const noisy = roundTo(value + normal(stream('noise', seed, code, k), 0, s), reportedDecimals(value, unit, code));
      const after = Math.min(hi, Math.max(lo, noisy));
      changes.push({ path: valuePath(code), before: value, after });
      if (after === value) return entry;
      moved = true;
      return { ...entry, resource: withValue(r, after) };
    });
    return { case: moved ? { ...c, bundle } : c, changes };
  },
};
